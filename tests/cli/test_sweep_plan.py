"""`resqunn sweep plan`: expands a sweep spec and lists its points without
running anything; an invalid spec is exit code 2 with a message naming the
place and the point (docs/sweeps.md)."""
import json
import re
from pathlib import Path

EXIT_USAGE = 2
REPO = Path(__file__).resolve().parents[2]
QUICKSTART_SWEEP = REPO / "examples" / "sweep_quickstart.toml"

SPEC = """\
[sweep]
name = "plan-test"
base = "base.toml"

[base]
train.epochs = 2

[axes]
"model.depths" = [[1, 1], [4, 4]]
train.seed = [1, 2]

[[points]]
"model.depths" = [1, 1]
"model.residual" = "O1+O2"
"""

BASE = """\
[data]
train = 320
validation = 64
[model]
depths = [1, 1]
[train]
batch_size = 32
"""


def write_spec(tmp_path, spec=SPEC, base=BASE):
    (tmp_path / "base.toml").write_text(base)
    path = tmp_path / "spec.toml"
    path.write_text(spec)
    return path


def test_plan_lists_every_point_with_cost_and_steps(resqunn, tmp_path):
    r = resqunn("sweep", "plan", write_spec(tmp_path))
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "sweep plan-test" in out
    assert "5 points, grid over model.depths, train.seed + 1 explicit" in out
    assert "results: plan-test.h5" in out
    assert re.search(r"digest:\s+[0-9a-f]{64}", out)
    rows = [line.split(None, 5) for line in out.splitlines() if re.match(r"\s+\d+\s+[0-9a-f]{16}\s", line)]
    assert [int(row[0]) for row in rows] == [0, 1, 2, 3, 4]
    assert len({row[1] for row in rows}) == 5
    assert rows[0][5] == "model.depths=[1, 1], train.seed=1"
    assert rows[3][5] == "model.depths=[4, 4], train.seed=2"
    assert rows[4][5] == "model.depths=[1, 1], model.residual=O1+O2"
    costs = [float(row[2]) for row in rows]
    assert min(costs) == 1.0
    assert costs[2] > costs[0]  # deeper circuits cost more
    assert all(int(row[3]) == 2 for row in rows)  # epochs from [base]
    assert all(int(row[4]) == 20 for row in rows)  # 320 / 32 * 2 steps
    assert "total: 5 points, 10 epochs, 100 steps" in out
    # Nothing was run or written.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base.toml", "spec.toml"]


def test_plan_json_parses(resqunn, tmp_path):
    r = resqunn("sweep", "plan", write_spec(tmp_path), "--json")
    assert r.returncode == 0, r.stderr
    plan = json.loads(r.stdout)
    assert plan["name"] == "plan-test"
    assert plan["combine"] == "grid"
    assert plan["output"] == "plan-test.h5"
    assert plan["axes"] == ["model.depths", "train.seed"]
    assert plan["base"].endswith("base.toml")
    assert re.fullmatch(r"[0-9a-f]{64}", plan["digest"])
    points = plan["points"]
    assert [p["index"] for p in points] == list(range(5))
    assert [p["from"] for p in points] == ["axes"] * 4 + ["points"]
    assert points[1]["overrides"] == ["model.depths=[1, 1]", "train.seed=2"]
    assert min(p["cost"] for p in points) == 1.0
    assert all(p["epochs"] == 2 and p["steps"] == 20 for p in points)
    assert all(p["train_images"] == 320 and p["validation_images"] == 64 for p in points)
    # Same seeds, same model: the cost does not depend on the seed.
    assert points[0]["cost"] == points[1]["cost"]
    totals = plan["totals"]
    assert totals["points"] == 5 and totals["epochs"] == 10 and totals["steps"] == 100
    assert abs(totals["work"] - sum(p["work"] for p in points)) <= 1e-6 * totals["work"]


def test_plan_digest_ignores_formatting(resqunn, tmp_path):
    a = json.loads(resqunn("sweep", "plan", write_spec(tmp_path), "--json").stdout)
    reformatted = SPEC.replace('train.seed = [1, 2]', "[axes.train]  # a comment\nseed = [ 1,\n  2 ]")
    b = json.loads(resqunn("sweep", "plan", write_spec(tmp_path, reformatted), "--json").stdout)
    assert a["digest"] == b["digest"]
    assert [p["id"] for p in a["points"]] == [p["id"] for p in b["points"]]


def test_plan_of_the_quickstart_sweep(resqunn):
    r = resqunn("sweep", "plan", QUICKSTART_SWEEP, "--json")
    assert r.returncode == 0, r.stderr
    plan = json.loads(r.stdout)
    assert 2 <= len(plan["points"]) <= 8
    assert plan["axes"] == ["model.residual"]


def test_plan_under_mpi_prints_once(resqunn, tmp_path):
    r = resqunn("sweep", "plan", write_spec(tmp_path), "--json", mpi_ranks=2)
    assert r.returncode == 0, r.stderr
    assert len(json.loads(r.stdout)["points"]) == 5


def test_bad_spec_is_a_usage_error(resqunn, tmp_path):
    bad = SPEC.replace('train.seed = [1, 2]', 'train.sed = [1, 2]')
    r = resqunn("sweep", "plan", write_spec(tmp_path, bad))
    assert r.returncode == EXIT_USAGE
    assert "point 0 (model.depths=[1, 1], train.sed=1): train.sed: unknown key" in r.stderr
    assert "did you mean 'seed'?" in r.stderr
    assert r.stdout == ""


def test_impossible_point_is_a_usage_error(resqunn, tmp_path):
    bad = SPEC.replace('"model.residual" = "O1+O2"', '"model.residual" = "O3"')
    r = resqunn("sweep", "plan", write_spec(tmp_path, bad))
    assert r.returncode == EXIT_USAGE
    assert "spec.toml:14:20: point 4 (model.depths=[1, 1], model.residual=O3)" in r.stderr


def test_duplicate_points_are_a_usage_error(resqunn, tmp_path):
    bad = SPEC.replace('"model.residual" = "O1+O2"', "train.seed = 1")
    r = resqunn("sweep", "plan", write_spec(tmp_path, bad))
    assert r.returncode == EXIT_USAGE
    assert "point 4 (model.depths=[1, 1], train.seed=1) is the same configuration as point 0" in r.stderr


def test_missing_spec_and_base_are_usage_errors(resqunn, tmp_path):
    r = resqunn("sweep", "plan", tmp_path / "nope.toml")
    assert r.returncode == EXIT_USAGE
    assert "nope.toml' does not exist" in r.stderr
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)  # base.toml not written
    r = resqunn("sweep", "plan", spec)
    assert r.returncode == EXIT_USAGE
    assert "sweep.base: 'base.toml' does not exist" in r.stderr


def test_run_config_given_as_spec(resqunn):
    r = resqunn("sweep", "plan", REPO / "examples" / "quickstart.toml")
    assert r.returncode == EXIT_USAGE
    assert "this is a run config, not a sweep spec" in r.stderr


def test_sweep_needs_a_subcommand(resqunn):
    r = resqunn("sweep")
    assert r.returncode == EXIT_USAGE
    r = resqunn("sweep", "plan", "--help")
    assert r.returncode == 0
    assert "--json" in r.stdout
