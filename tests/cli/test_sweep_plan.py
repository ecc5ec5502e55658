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


# SPEC with two [[grids]] between its [axes] and its [[points]]: "deep" (its
# own depths, crossed) and "wired" (a [grids.base] of its own, then zipped axes).
GRIDS = """\
[[grids]]
name = "deep"
[grids.axes]
"model.depths" = [[2, 2], [3, 3]]

[[grids]]
name = "wired"
combine = "zip"
[grids.base]
train.seed = 7
"model.depths" = [2, 2]
[grids.axes]
"model.residual" = ["X+O1", "O1+O2"]
train.epochs = [3, 4]

"""
GRID_SPEC = SPEC.replace("[[points]]", GRIDS + "[[points]]")


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


LARGE = """\
[sweep]
name = "large"
base = "base.toml"

[axes]
train.seed = [%s]
""" % ", ".join(str(s) for s in range(1, 101))


def test_a_large_plan_is_summarised_and_sized(resqunn, tmp_path):
    spec = write_spec(tmp_path, LARGE)
    r = resqunn("sweep", "plan", spec)
    assert r.returncode == 0, r.stderr
    heading = re.search(r"results: large\.h5 \(about ([0-9.]+) MiB when created\)", r.stdout)
    assert heading, r.stdout
    rows = [int(line.split()[0]) for line in r.stdout.splitlines()
            if re.match(r"\s+\d+\s+[0-9a-f]{16}\s", line)]
    assert rows == list(range(20)) + list(range(95, 100))
    assert "(75 more points; --all lists every one" in r.stdout
    assert "total: 100 points" in r.stdout

    every = resqunn("sweep", "plan", spec, "--all")
    assert every.returncode == 0, every.stderr
    assert len([line for line in every.stdout.splitlines()
                if re.match(r"\s+\d+\s+[0-9a-f]{16}\s", line)]) == 100
    assert "more points" not in every.stdout

    plan = json.loads(resqunn("sweep", "plan", spec, "--json").stdout)
    assert len(plan["points"]) == 100
    # The figure `sweep run` checks the free space against; the table's,
    # in MiB with one decimal.
    assert plan["estimated_file_bytes"] > 100 * 1024
    assert abs(plan["estimated_file_bytes"] / 2**20 - float(heading.group(1))) <= 0.05


def test_plan_json_of_grids(resqunn, tmp_path):
    r = resqunn("sweep", "plan", write_spec(tmp_path, GRID_SPEC), "--json")
    assert r.returncode == 0, r.stderr
    plan = json.loads(r.stdout)
    assert plan["axes"] == ["model.depths", "train.seed"]
    assert plan["grids"] == [
        {"name": "deep", "combine": "grid", "axes": ["model.depths"]},
        {"name": "wired", "combine": "zip", "axes": ["model.residual", "train.epochs"]},
    ]
    points = plan["points"]
    assert [p["index"] for p in points] == list(range(9))
    assert [p["from"] for p in points] == ["axes"] * 4 + ["grids"] * 4 + ["points"]
    assert [p["grid"] for p in points] == [""] * 4 + ["deep"] * 2 + ["wired"] * 2 + [""]
    assert len({p["id"] for p in points}) == 9
    # A grid applies over [base], not over [axes]: "deep" sets only its depths.
    assert points[4]["overrides"] == ["model.depths=[2, 2]"]
    assert points[5]["overrides"] == ["model.depths=[3, 3]"]
    # First the grid's base keys (in file order), then its zipped axis values.
    base_keys = ["train.seed=7", "model.depths=[2, 2]"]
    assert points[6]["overrides"] == [*base_keys, "model.residual=X+O1", "train.epochs=3"]
    assert points[7]["overrides"] == [*base_keys, "model.residual=O1+O2", "train.epochs=4"]
    assert points[8]["overrides"] == ["model.depths=[1, 1]", "model.residual=O1+O2"]
    assert [p["epochs"] for p in points] == [2] * 6 + [3, 4, 2]
    assert plan["totals"]["points"] == 9 and plan["totals"]["epochs"] == 21


def test_plan_of_a_spec_without_grids_has_no_grids(resqunn, tmp_path):
    plan = json.loads(resqunn("sweep", "plan", write_spec(tmp_path), "--json").stdout)
    assert plan["grids"] == []
    assert all(p["grid"] == "" for p in plan["points"])


def test_plan_text_names_the_grids(resqunn, tmp_path):
    r = resqunn("sweep", "plan", write_spec(tmp_path, GRID_SPEC))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == (
        "sweep plan-test (" + str(tmp_path / "spec.toml") + "): 9 points, "
        "grid over model.depths, train.seed + grid deep (2, grid over model.depths) + "
        "grid wired (2, zip over model.residual, train.epochs) + 1 explicit")
    rows = [line.split(None, 5) for line in lines if re.match(r"\s+\d+\s+[0-9a-f]{16}\s", line)]
    assert [int(row[0]) for row in rows] == list(range(9))
    assert rows[4][5] == "model.depths=[2, 2]"
    assert rows[6][5] == "train.seed=7, model.depths=[2, 2], model.residual=X+O1, train.epochs=3"
    assert [int(row[3]) for row in rows] == [2] * 6 + [3, 4, 2]
    assert "total: 9 points, 21 epochs, 210 steps" in r.stdout

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


def test_grid_without_axes_is_a_usage_error(resqunn, tmp_path):
    bad = GRID_SPEC.replace('[grids.axes]\n"model.depths" = [[2, 2], [3, 3]]\n', "")
    assert bad != GRID_SPEC
    r = resqunn("sweep", "plan", write_spec(tmp_path, bad))
    assert r.returncode == EXIT_USAGE
    # At the entry's [[grids]] header (line 12).
    assert "spec.toml:12:1: grids[0]: grid 'deep' has no axes" in r.stderr
    assert "[grids.axes]" in r.stderr  # the fix names the missing table
    assert r.stdout == ""


def test_bad_grids_are_usage_errors(resqunn, tmp_path):
    cases = [
        ('name = "wired"', 'name = "deep"',
         "grids[1].name: grid 'deep' is named twice"),
        ('name = "wired"', 'name = "wi red"', "grids[1].name: 'wi red' is not a valid name"),
        ('name = "wired"', 'name = "wired"\nseed = 3', "grids[1].seed: unknown key"),
        ("train.epochs = [3, 4]", "train.epochs = [3, 4, 5]",
         "grids[1].axes.train.epochs: 3 values, but grids[1].axes.model.residual has 2"),
        ("train.seed = 7", "train.sed = 7",
         "point 6 (train.sed=7, model.depths=[2, 2], model.residual=X+O1, train.epochs=3): "
         "train.sed: unknown key"),
        # "deep" meets [axes] at point 0's configuration.
        ('"model.depths" = [[2, 2], [3, 3]]', '"model.depths" = [[1, 1]]\ntrain.seed = [1]',
         "point 4 (model.depths=[1, 1], train.seed=1) is the same configuration as point 0"),
    ]
    for old, new, message in cases:
        bad = GRID_SPEC.replace(old, new, 1)
        assert bad != GRID_SPEC, old
        r = resqunn("sweep", "plan", write_spec(tmp_path, bad))
        assert r.returncode == EXIT_USAGE, (new, r.stderr)
        assert message in r.stderr, r.stderr
        assert r.stdout == ""

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
