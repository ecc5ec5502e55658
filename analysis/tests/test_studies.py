"""The study pipeline: per-point tables (study_tables), findings (study_findings), the
docs/results page (study_report) and the `studies` command.

The findings are checked on small hand-built tables against numbers worked out by hand
in the comments; the tables, the page and the command against two tiny sweeps shaped like
examples/paper.toml and examples/depth_scaling.toml (same grid names, the same kinds of
axes), run by the real binary, whose raw contents are read independently with h5py.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest
from conftest import REPO_ROOT, copy_results, mpi_env, run_cli, run_sweep

from resqunn_analysis import DataError
from resqunn_analysis import study_findings as sf
from resqunn_analysis.study_tables import extract, qubits, read_table

# --- hand-built tables ------------------------------------------------------------------------

REGIME_KEYS = {  # regime -> (gradient_mode, trainable), as point_table writes them
    "trainable, barrier": ("barrier", True),
    "trainable, full": ("full", True),
    "frozen": ("barrier", False),
}


def paper_table(accs: dict, grid: str = "two-layer", layers: int = 2) -> pd.DataFrame:
    """Rows of a paper table: {(head, wiring, regime): [best_val_acc per seed]}."""
    rows = []
    for (head, wiring, reg), values in accs.items():
        mode, trainable = REGIME_KEYS[reg]
        for seed, v in enumerate(values, start=1):
            rows.append({"point": len(rows), "grid": grid, "depths": "4,1", "residual": wiring,
                         "gradient_mode": mode, "trainable": trainable, "head": head,
                         "encoding": "angle", "kernel": 2, "seed": seed, "layers": layers,
                         "qubits": 4, "best_val_acc": v})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("encoding,kernel,expected", [
    ("angle", 1, 1), ("angle", 2, 4), ("angle", 3, 9),
    ("amplitude", 2, 2), ("amplitude", 3, 4), ("amplitude", 4, 4), ("amplitude", 5, 5),
    ("amplitude", 6, 6),
])
def test_qubits(encoding, kernel, expected):
    assert qubits(encoding, kernel) == expected


#: One experiment whose numbers are easy to follow by hand (means over the two seeds):
#:                    barrier   full   frozen
#:   none              0.55     0.60    0.40
#:   X+O1              0.65     0.64    0.70
#:   (X+O1)+O2         0.71     0.62    0.42
#: and a quantum-head experiment where trainable and frozen are the same.
HAND_ACCS = {
    ("dense", "none", "trainable, barrier"): [0.50, 0.60],
    ("dense", "X+O1", "trainable, barrier"): [0.60, 0.70],
    ("dense", "(X+O1)+O2", "trainable, barrier"): [0.70, 0.72],
    ("dense", "none", "trainable, full"): [0.60, 0.60],
    ("dense", "X+O1", "trainable, full"): [0.62, 0.66],
    ("dense", "(X+O1)+O2", "trainable, full"): [0.61, 0.63],
    ("dense", "none", "frozen"): [0.40, 0.40],
    ("dense", "X+O1", "frozen"): [0.70, 0.70],
    ("dense", "(X+O1)+O2", "frozen"): [0.42, 0.42],
    ("quantum", "none", "trainable, barrier"): [0.30, 0.30],
    ("quantum", "X+O1", "trainable, barrier"): [0.35, 0.35],
    ("quantum", "(X+O1)+O2", "trainable, barrier"): [0.40, 0.40],
    ("quantum", "none", "frozen"): [0.30, 0.30],
    ("quantum", "X+O1", "frozen"): [0.35, 0.35],
    ("quantum", "(X+O1)+O2", "frozen"): [0.40, 0.40],
}
DENSE, QUANTUM = "2 layers, dense head", "2 layers, quantum head"


def test_trainable_vs_frozen_by_hand():
    comps = {c.experiment: c for c in sf.trainable_vs_frozen(paper_table(HAND_ACCS))}
    assert list(comps) == [DENSE, QUANTUM]
    # dense: gains (barrier - frozen) none +15, X+O1 -5, (X+O1)+O2 +29 percentage points
    d = comps[DENSE]
    assert (d.wins, d.total) == (2, 3)
    assert d.gain_mean == pytest.approx((15 - 5 + 29) / 3)
    assert d.gain_min == pytest.approx(-5) and d.gain_max == pytest.approx(29)
    # quantum: trainable == frozen everywhere, so no wins and no gain
    q = comps[QUANTUM]
    assert (q.wins, q.total) == (0, 3)
    assert q.gain_mean == pytest.approx(0) and q.gain_min == pytest.approx(0)
    assert q.gain_max == pytest.approx(0)


def test_improvements_by_hand():
    imps = {(i.experiment, i.regime): i for i in sf.improvements(paper_table(HAND_ACCS))}
    assert set(imps) == {(DENSE, "trainable, barrier"), (DENSE, "trainable, full"),
                         (DENSE, "frozen"), (QUANTUM, "trainable, barrier"), (QUANTUM, "frozen")}
    expected = {  # best wiring, its mean, none's mean, relative %, percentage points
        (DENSE, "trainable, barrier"): ("(X+O1)+O2", 0.71, 0.55, 100 * 0.16 / 0.55, 16.0),
        (DENSE, "trainable, full"): ("X+O1", 0.64, 0.60, 100 * 0.04 / 0.60, 4.0),
        (DENSE, "frozen"): ("X+O1", 0.70, 0.40, 75.0, 30.0),
        (QUANTUM, "trainable, barrier"): ("(X+O1)+O2", 0.40, 0.30, 100 / 3, 10.0),
        (QUANTUM, "frozen"): ("(X+O1)+O2", 0.40, 0.30, 100 / 3, 10.0),
    }
    for key, (best, best_mean, none_mean, relative, points) in expected.items():
        i = imps[key]
        assert i.best == best, key
        assert i.best_mean == pytest.approx(best_mean)
        assert i.none_mean == pytest.approx(none_mean)
        assert i.relative == pytest.approx(relative)
        assert i.points == pytest.approx(points)
    only = sf.improvements(paper_table(HAND_ACCS), regimes=("frozen",))
    assert [(i.experiment, i.regime) for i in only] == [(DENSE, "frozen"), (QUANTUM, "frozen")]


def test_rankings_by_hand():
    table = paper_table(HAND_ACCS)
    r = {x.experiment: x for x in sf.rankings(table)}[DENSE]
    assert r.regime == "trainable, barrier"
    assert r.order == ["(X+O1)+O2", "X+O1", "none"]
    assert r.best == "(X+O1)+O2" and r.paper_best_rank == 1
    assert r.means["X+O1"] == pytest.approx(0.65)
    assert r.stds["(X+O1)+O2"] == pytest.approx(0.02 / math.sqrt(2))  # sample std of 0.70, 0.72
    assert r.tied_with_best == []  # 0.71 - 0.65 > 0.0141
    # full: X+O1 0.64 (std 0.0283) first; (X+O1)+O2 0.62 is within one std, none 0.60 is not
    f = {x.experiment: x for x in sf.rankings(table, regimes=("trainable, full",))}[DENSE]
    assert f.order == ["X+O1", "(X+O1)+O2", "none"]
    assert f.paper_best_rank == 2 and f.tied_with_best == ["(X+O1)+O2"]


def reach_table() -> pd.DataFrame:
    """Two seeds per wiring and regime; zero_QCLk fractions chosen to hit every label."""
    zero = {  # (regime, wiring): (zero_QCL1 per seed, zero_QCL2 per seed)
        ("trainable, barrier", "none"): ([1.0, 1.0], [0.0, 0.0]),       # cut, reached
        ("trainable, barrier", "X+O1"): ([1.0, 0.5], [0.0, 0.0]),       # partly, reached
        ("trainable, barrier", "O1+O2"): ([0.0, 0.0], [0.0, 0.25]),     # reached, partly
        ("trainable, full", "none"): ([0.0, 0.0], [0.0, 0.0]),
        ("trainable, full", "X+O1"): ([0.0, 0.0], [0.0, 0.0]),
        ("trainable, full", "O1+O2"): ([0.0, 0.0], [0.0, 0.0]),
        ("frozen", "none"): ([1.0, 1.0], [1.0, 1.0]),
        ("frozen", "X+O1"): ([1.0, 1.0], [1.0, 1.0]),
        ("frozen", "O1+O2"): ([1.0, 1.0], [1.0, 1.0]),
    }
    g0 = {("trainable, full", "none"): [0.1, 0.3], ("trainable, full", "O1+O2"): [0.4, 0.6]}
    t = paper_table({("dense", w, reg): [0.5, 0.5] for reg, w in zero})
    for col in ("zero_QCL1", "zero_QCL2", "g0_QCL1", "g0_QCL2", "gmean_QCL1", "gmean_QCL2"):
        t[col] = np.nan
    for (reg, w), (z1, z2) in zero.items():
        mode, trainable = REGIME_KEYS[reg]
        idx = t.index[(t["residual"] == w) & (t["gradient_mode"] == mode) &
                      (t["trainable"] == trainable)]
        t.loc[idx, "zero_QCL1"], t.loc[idx, "zero_QCL2"] = z1, z2
        t.loc[idx, "g0_QCL1"] = g0.get((reg, w), [0.0, 0.0])
        t.loc[idx, "g0_QCL2"] = [0.7, 0.9]
        t.loc[idx, "gmean_QCL1"] = [1.0, 3.0]
        t.loc[idx, "gmean_QCL2"] = [2.0, 2.0]
    return t


def test_gradient_reach_labels():
    reach = sf.gradient_reach(reach_table())
    assert len(reach) == 6  # frozen rows are left out
    assert set(reach["regime"]) == {"trainable, barrier", "trainable, full"}
    assert (reach["experiment"] == DENSE).all()
    r = reach.set_index(["regime", "residual"])
    assert r.loc[("trainable, barrier", "none"), ["QCL1", "QCL2"]].tolist() == ["cut", "reached"]
    assert r.loc[("trainable, barrier", "X+O1"), ["QCL1", "QCL2"]].tolist() == \
        ["partly", "reached"]
    assert r.loc[("trainable, barrier", "O1+O2"), ["QCL1", "QCL2"]].tolist() == \
        ["reached", "partly"]
    for w in ("none", "X+O1", "O1+O2"):
        assert r.loc[("trainable, full", w), ["QCL1", "QCL2"]].tolist() == ["reached"] * 2
    assert r["all_reached"].to_dict() == {
        ("trainable, barrier", "none"): False, ("trainable, barrier", "X+O1"): False,
        ("trainable, barrier", "O1+O2"): False, ("trainable, full", "none"): True,
        ("trainable, full", "X+O1"): True, ("trainable, full", "O1+O2"): True}
    assert "QCL3" not in reach.columns  # two layers: no third column
    assert (reach["gmean_QCL1"] == 2.0).all() and (reach["gmean_QCL2"] == 2.0).all()
    assert reach["g0_QCL2"].tolist() == pytest.approx([0.8] * 6)
    assert r.loc[("trainable, full", "none"), "g0_QCL1"] == pytest.approx(0.2)


def test_full_mode_attenuation_by_hand():
    reach = sf.gradient_reach(reach_table())
    att = sf.full_mode_attenuation(reach, {DENSE: "O1+O2"})
    assert len(att) == 1
    a = att[0]
    assert (a.experiment, a.best) == (DENSE, "O1+O2")
    assert a.none_g0 == pytest.approx(0.2) and a.best_g0 == pytest.approx(0.5)
    assert a.ratio == pytest.approx(2.5)
    assert sf.full_mode_attenuation(reach, {DENSE: "X+O2"}) == []  # wiring not there


def depth_rows(grid: str, rows: list) -> pd.DataFrame:
    """rows: (depths, residual, encoding, seed, best_val_acc)."""
    return pd.DataFrame([{"grid": grid, "depths": d, "residual": w, "gradient_mode": "barrier",
                          "encoding": e, "seed": s, "best_val_acc": a}
                         for d, w, e, s, a in rows])


def test_depth_series_and_best_depths_by_hand():
    accs = {"1,1": 0.5, "2,1": 0.6, "4,1": 0.7, "4,2": 0.8, "4,3": 0.75}
    t = depth_rows("depth-per-layer", [(d, "none", "angle", s, a) for d, a in accs.items()
                                       for s in (1, 2)])
    # another grid's "1,1" points must not count
    t = pd.concat([t, depth_rows("layer-count", [("1,1", "none", "angle", 1, 0.0)])],
                  ignore_index=True)
    series = sf.depth_series(t)
    s = {(r.layer, r.depth): (r.mean, r.n) for r in series.itertuples()}
    # QCL1: "d,1" -> d; QCL2: "4,d" -> d; "4,1" is in both
    assert s == {("QCL1", 1): (0.5, 2), ("QCL1", 2): (0.6, 2), ("QCL1", 4): (0.7, 2),
                 ("QCL2", 1): (0.7, 2), ("QCL2", 2): (0.8, 2), ("QCL2", 3): (0.75, 2)}
    bd = sf.best_depths(series).set_index("layer")
    assert bd.loc["QCL1", ["depth_1", "best_depth", "best", "max_depth", "at_max"]].tolist() == \
        pytest.approx([0.5, 4, 0.7, 4, 0.7])
    assert bd.loc["QCL2", ["depth_1", "best_depth", "best", "max_depth", "at_max"]].tolist() == \
        pytest.approx([0.7, 2, 0.8, 3, 0.75])


def test_encoding_gap_by_hand():
    t = depth_rows("depth-per-layer", [
        ("1,1", "none", "angle", 1, 0.6), ("1,1", "none", "amplitude", 1, 0.5),   # +10 pp
        ("1,1", "none", "angle", 2, 0.7), ("1,1", "none", "amplitude", 2, 0.8),   # -10 pp
        ("1,1", "none", "angle", 3, 0.9),                                         # unmatched
    ])
    t = pd.concat([t, depth_rows("layer-count", [("1", "none", "angle", 11, 0.5),
                                                 ("1", "none", "amplitude", 11, 0.2)]),
                   depth_rows("init-gradients", [("1", "none", "angle", 101, 0.9),
                                                 ("1", "none", "amplitude", 101, 0.1)])],
                  ignore_index=True)
    gap = sf.encoding_gap(t).set_index("grid")
    assert sorted(gap.index) == ["depth-per-layer", "layer-count"]
    assert gap.loc["depth-per-layer", ["mean", "min", "max"]].tolist() == \
        pytest.approx([0, -10, 10], abs=1e-9)
    assert gap.loc["depth-per-layer", ["angle_wins", "n"]].tolist() == [1, 2]
    assert gap.loc["layer-count", ["mean", "angle_wins", "n"]].tolist() == \
        pytest.approx([30, 1, 1])


def test_init_variance_is_mean_over_seeds_of_squared_norm_per_weight():
    rows = [  # encoding, kernel, qubits, depths, seed, g0_QCL1, w_QCL1
        ("angle", 2, 4, "1", 101, 0.2, 8), ("angle", 2, 4, "1", 102, 0.4, 8),
        ("angle", 2, 4, "2", 101, 0.4, 16),
        ("amplitude", 2, 2, "1", 101, 0.1, 4), ("amplitude", 2, 2, "1", 102, 0.3, 4),
        ("amplitude", 2, 2, "1", 103, 0.5, 4),
    ]
    t = pd.DataFrame([{"grid": "init-gradients", "encoding": e, "kernel": k, "qubits": q,
                       "depths": d, "seed": s, "g0_QCL1": g, "w_QCL1": w}
                      for e, k, q, d, s, g, w in rows])
    # a point of another grid (depths "1,1" would not even parse as one depth)
    t = pd.concat([t, pd.DataFrame([{"grid": "depth-per-layer", "encoding": "angle", "kernel": 2,
                                     "qubits": 4, "depths": "1,1", "seed": 1, "g0_QCL1": 9.0,
                                     "w_QCL1": 8}])], ignore_index=True)
    var = sf.init_variance(t)
    assert var[["encoding", "qubits", "depth"]].values.tolist() == [
        ["amplitude", 2, 1], ["angle", 4, 1], ["angle", 4, 2]]
    amp, a1, a2 = (var.iloc[i] for i in range(3))
    # amplitude: 0.1²/4, 0.3²/4, 0.5²/4 = 0.0025, 0.0225, 0.0625
    assert amp["var"] == pytest.approx((0.0025 + 0.0225 + 0.0625) / 3)
    assert amp["seeds"] == 3 and amp["norm_mean"] == pytest.approx(0.3)
    assert amp["norm_std"] == pytest.approx(0.2)
    # angle depth 1: 0.2²/8 = 0.005, 0.4²/8 = 0.02: mean 0.0125, s.e.m. |0.02-0.005|/2 = 0.0075
    assert a1["var"] == pytest.approx(0.0125) and a1["var_sem"] == pytest.approx(0.0075)
    assert a1["norm_mean"] == pytest.approx(0.3) and a1["norm_std"] == pytest.approx(0.2 / 2 ** .5)
    # angle depth 2: one seed, 0.4²/16
    assert a2["var"] == pytest.approx(0.01) and a2["seeds"] == 1 and np.isnan(a2["var_sem"])


def test_variance_decay_recovers_exact_factors():
    var = pd.DataFrame(
        [{"encoding": "angle", "depth": 8, "qubits": n, "var": 3 * 0.5 ** n} for n in (1, 4, 9)] +
        [{"encoding": "angle", "depth": 1, "qubits": n, "var": 0.1 * 2.0 ** n} for n in (1, 4)] +
        [{"encoding": "amplitude", "depth": 8, "qubits": n, "var": 7 * 0.25 ** n}
         for n in (6, 2, 5, 4)] +
        # one qubit count: nothing to fit
        [{"encoding": "amplitude", "depth": 1, "qubits": 2, "var": 0.3}])
    decay = sf.variance_decay(var)
    got = {(r.encoding, r.depth): (r.factor_per_qubit, r.qubits) for r in decay.itertuples()}
    assert set(got) == {("angle", 8), ("angle", 1), ("amplitude", 8)}
    assert got[("angle", 8)][0] == pytest.approx(0.5, rel=1e-9)
    assert got[("angle", 1)][0] == pytest.approx(2.0, rel=1e-9)
    assert got[("amplitude", 8)][0] == pytest.approx(0.25, rel=1e-9)
    assert got[("angle", 8)][1] == "1,4,9" and got[("amplitude", 8)][1] == "2,4,5,6"


# --- two tiny study sweeps run by the real binary --------------------------------------------

#: The run config both tiny studies start from (like examples/paper_base.toml: QCL1 stride 2,
#: QCL2 stride 1 same padding, paper ansatz on 2x2 angle-encoded windows, dense head), with
#: 64 training / 32 validation digits and one epoch of two steps.
STUDY_BASE = """\
[data]
dataset = "mnist"
image_size = 14
train = 64
validation = 32
seed = 1

[model]
depths = [2, 1]
residual = "(X+O1)+O2"
gradient_mode = "barrier"
seed = 1

[model.quanv]
kernel = 2
encoding = "angle"
ansatz = "paper"
trainable = true

[[model.layers]]
stride = 2
padding = "valid"

[[model.layers]]
stride = 1
padding = "same"

[model.head]
type = "dense"

[train]
batch_size = 32
epochs = 1
seed = 1
"""

REGIMES_AXIS = """\
model = [
  { gradient_mode = "barrier", "quanv.trainable" = true },
  { gradient_mode = "full", "quanv.trainable" = true },
  { gradient_mode = "barrier", "quanv.trainable" = false },
]
"""

#: examples/paper.toml in small: two-layer (5 wirings x 2 heads x 3 regimes x 2 seeds = 60)
#: and three-layer (3 wirings x 3 regimes x 2 seeds = 18).
PAPER_SPEC = f"""\
[sweep]
name = "paper_tiny"
base = "base.toml"

[[grids]]
name = "two-layer"
[grids.axes]
"model.residual" = ["none", "X+O1", "X+O2", "O1+O2", "(X+O1)+O2"]
"model.head.type" = ["dense", "quantum"]
{REGIMES_AXIS}"model.seed" = [1, 2]

[[grids]]
name = "three-layer"
[grids.base]
"model.depths" = [2, 1, 1]
"model.layers" = [
  {{ stride = 2, padding = "valid" }},
  {{ stride = 1, padding = "same" }},
  {{ stride = 1, padding = "same" }},
]
[grids.axes]
"model.residual" = ["none", "(X+O1)+O2", "O1+O2+O3"]
{REGIMES_AXIS}"model.seed" = [1, 2]
"""
PAPER_GRIDS = {"two-layer": 60, "three-layer": 18}

#: examples/depth_scaling.toml in small: depth-per-layer (3 x 2 x 2 x 2 = 24), layer-count
#: (4 linked models x 2 modes x 2 encodings x 2 seeds = 32), init-gradients (4 x 2 x 2 = 16).
DEPTH_SPEC = """\
[sweep]
name = "depth_tiny"
base = "base.toml"

[[grids]]
name = "depth-per-layer"
[grids.axes]
"model.depths" = [[1, 1], [4, 1], [4, 2]]
"model.residual" = ["none", "(X+O1)+O2"]
"model.quanv.encoding" = ["angle", "amplitude"]
"model.seed" = [1, 2]

[[grids]]
name = "layer-count"
[grids.base]
"model.quanv.stride" = 1
"model.quanv.padding" = "same"
[grids.axes]
model = [
  { depths = [1], residual = "none", layers = [{ stride = 2, padding = "valid" }] },
  { depths = [1], residual = "X+O1", layers = [{ stride = 2, padding = "valid" }] },
  { depths = [1, 1], residual = "none", layers = [{ stride = 2, padding = "valid" }, {}] },
  { depths = [1, 1], residual = "(X+O1)+O2", layers = [{ stride = 2, padding = "valid" }, {}] },
]
"model.gradient_mode" = ["barrier", "full"]
"model.quanv.encoding" = ["angle", "amplitude"]
"model.seed" = [11, 12]

[[grids]]
name = "init-gradients"
[grids.base]
data.train = 32
data.validation = 32
train.batch_size = 32
train.epochs = 1
"model.residual" = "none"
"model.layers" = [{ stride = 2, padding = "valid" }]
[grids.axes]
"model.quanv" = [
  { encoding = "angle", kernel = 1 },
  { encoding = "angle", kernel = 2 },
  { encoding = "amplitude", kernel = 2 },
  { encoding = "amplitude", kernel = 4 },
]
"model.depths" = [[1], [2]]
"model.seed" = [101, 102]
"""
DEPTH_GRIDS = {"depth-per-layer": 24, "layer-count": 32, "init-gradients": 16}


@pytest.fixture(scope="session")
def study_sweeps(resqunn_bin, mnist_ready, tmp_path_factory) -> dict:
    """{"paper": h5, "depth_scaling": h5}: both tiny studies, `mpirun -n 2`, read-only."""
    out = {}
    for name, spec in (("paper", PAPER_SPEC), ("depth_scaling", DEPTH_SPEC)):
        directory = tmp_path_factory.mktemp(name)
        (directory / "base.toml").write_text(STUDY_BASE)
        path = run_sweep(resqunn_bin, spec, directory, name=f"{name}.h5")
        path.chmod(0o444)
        out[name] = path
    return out


@pytest.fixture(scope="session")
def study_tables(study_sweeps, tmp_path_factory) -> Path:
    """The folder extract() wrote paper.csv/.json and depth_scaling.csv/.json into."""
    tables = tmp_path_factory.mktemp("study") / "tables"
    for name, path in study_sweeps.items():
        assert extract(path, tables, name) == tables / f"{name}.csv"
    return tables


def raw_points(path: Path) -> dict:
    """The file's per-point arrays, read with plain h5py (no resqunn_analysis code)."""
    with h5py.File(path, "r", locking=False) as f:
        names = list(f["points/param_names"].asstr()[...])
        return {
            "state": f["points/state"][...],
            "states": [str(s) for s in f["points/state"].attrs["states"]],
            "params": {n: list(f["points/params"][n].asstr()[...]) for n in names},
            "best_val_acc": f["points/best_val_acc"][...],
            "layer_names": list(f["traces/layer_names"].asstr()[...]),
            "grad_norm": f["traces/grad_norm"][...],
            "offsets": f["weights/layer_offsets"][...],
        }


def depths_of(text: str) -> list:
    return [int(v) for v in text.strip("[]").split(",") if v.strip()]


@pytest.mark.parametrize("name,grids", [("paper", PAPER_GRIDS), ("depth_scaling", DEPTH_GRIDS)])
def test_extract_matches_the_raw_file(study_sweeps, study_tables, name, grids):
    raw = raw_points(study_sweeps[name])
    table, meta = read_table(study_tables, name)
    n = len(raw["state"])
    assert n == sum(grids.values())
    assert (raw["state"] == raw["states"].index("done")).all()
    assert len(table) == n and table["point"].tolist() == list(range(n))
    assert len(pd.read_csv(study_tables / f"{name}.csv")) == n
    assert meta["points"] == n and meta["done"] == n and meta["mpi_size"] in (2, "2")
    assert table["grid"].value_counts().to_dict() == grids
    p = raw["params"]
    assert table["grid"].tolist() == p["sweep.grid"]
    assert table["residual"].tolist() == p["model.residual"]
    assert table["seed"].tolist() == [int(v) for v in p["model.seed"]]
    assert table["encoding"].tolist() == p["model.layers[0].encoding"]
    assert table["best_val_acc"].to_numpy() == pytest.approx(raw["best_val_acc"], abs=1e-9)

    layer = {l: i for i, l in enumerate(raw["layer_names"])}
    for i, row in table.iterrows():
        depths = depths_of(p["model.depths"][i])
        assert row["layers"] == len(depths)
        assert row["depths"] == ",".join(str(d) for d in depths)
        assert row["qubits"] == qubits(row["encoding"], int(row["kernel"]))
        for k in range(1, 6):
            col = f"QCL{k}"
            if k > len(depths):
                assert row[f"w_{col}"] == 0 and np.isnan(row[f"zero_{col}"]), (i, col)
                assert np.isnan(row[f"g0_{col}"]), (i, col)
                continue
            # the paper ansatz: RY and RX on every qubit per ansatz layer
            assert row[f"w_{col}"] == 2 * row["qubits"] * depths[k - 1], (i, col)
            g = raw["grad_norm"][i, :, layer[col]]
            g = g[~np.isnan(g)]
            assert row[f"g0_{col}"] == pytest.approx(raw["grad_norm"][i, 0, layer[col]],
                                                     rel=1e-8, abs=1e-12), (i, col)
            assert row[f"gmean_{col}"] == pytest.approx(g.mean(), rel=1e-8, abs=1e-12)
            assert row[f"zero_{col}"] == pytest.approx(np.mean(g == 0.0)), (i, col)


def test_zero_gradient_fractions_per_regime(study_tables):
    paper, _ = read_table(study_tables, "paper")
    trainable = paper["trainable"].astype(str).str.lower() == "true"
    barrier_none = paper[trainable & (paper["gradient_mode"] == "barrier") &
                         (paper["residual"] == "none")]
    full = paper[trainable & (paper["gradient_mode"] == "full")]
    frozen = paper[~trainable]
    assert len(barrier_none) == 2 * 2 + 2 and len(full) == 20 + 6 and len(frozen) == 20 + 6
    assert (barrier_none["zero_QCL1"] == 1).all()   # the plain chain: QCL1 is cut off
    assert (barrier_none["zero_head"] == 0).all()
    assert (full["zero_QCL1"] == 0).all()           # exact gradients reach QCL1 every step
    for _, row in frozen.iterrows():
        for k in range(1, int(row["layers"]) + 1):
            assert row[f"zero_QCL{k}"] == 1, (row["point"], k)
        assert row["zero_head"] == 0                 # only the head learns


def test_real_sweep_gradient_reach_follows_the_residual_sums(study_tables):
    """Barrier mode: a layer is reached iff some sum carries its output to the head."""
    paper, _ = read_table(study_tables, "paper")
    reach = sf.gradient_reach(paper)
    got = {(r["experiment"], r["regime"], r["residual"]):
           tuple(r[f"QCL{k}"] for k in range(1, 4) if isinstance(r.get(f"QCL{k}"), str))
           for _, r in reach.iterrows()}
    two = {"none": ("cut", "reached"), "X+O1": ("cut", "reached"), "X+O2": ("cut", "reached"),
           "O1+O2": ("reached", "reached"), "(X+O1)+O2": ("reached", "reached")}
    three = {"none": ("cut", "cut", "reached"), "(X+O1)+O2": ("cut", "cut", "reached"),
             "O1+O2+O3": ("reached",) * 3}
    expected = {}
    for exp, wirings in ((DENSE, two), (QUANTUM, two), ("3 layers, dense head", three)):
        for w, labels in wirings.items():
            expected[(exp, "trainable, barrier", w)] = labels
            expected[(exp, "trainable, full", w)] = ("reached",) * len(labels)
    assert got == expected
    two_reached = set(reach[(reach["regime"] == "trainable, barrier") & reach["all_reached"] &
                            reach["experiment"].str.startswith("2 layers")]["residual"])
    assert two_reached == sf.PAPER_FULL_REACH


def test_init_variance_of_the_real_sweep(study_sweeps, study_tables):
    raw = raw_points(study_sweeps["depth_scaling"])
    p = raw["params"]
    ms = {}
    for i, grid in enumerate(p["sweep.grid"]):
        if grid != "init-gradients":
            continue
        weights = raw["offsets"][i, 1] - raw["offsets"][i, 0]
        key = (p["model.layers[0].encoding"][i], int(p["model.layers[0].kernel"][i]),
               depths_of(p["model.depths"][i])[0])
        ms.setdefault(key, []).append(raw["grad_norm"][i, 0, 0] ** 2 / weights)
    depth, _ = read_table(study_tables, "depth_scaling")
    var = sf.init_variance(depth)
    got = {(r.encoding, r.kernel, r.depth): (r.var, r.seeds) for r in var.itertuples()}
    assert set(got) == set(ms) and len(ms) == 8
    for key, values in ms.items():
        assert got[key][0] == pytest.approx(np.mean(values), rel=1e-8), key
        assert got[key][1] == len(values) == 2
    assert (var["var"] > 0).all()
    decay = sf.variance_decay(var)
    assert sorted(zip(decay["encoding"], decay["depth"], decay["qubits"])) == [
        ("amplitude", 1, "2,4"), ("amplitude", 2, "2,4"), ("angle", 1, "1,4"), ("angle", 2, "1,4")]


PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def check_page(out: Path) -> str:
    readme = out / "README.md"
    text = readme.read_text()
    images = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", text)
    assert sorted(images) == sorted(["paper_accuracy.png", "paper_gradients.png",
                                     "depth_per_layer.png", "layer_count.png",
                                     "init_gradients.png"])
    for image in images:
        path = out / image
        assert path.is_file(), image
        assert path.read_bytes()[:8] == PNG_MAGIC, image
    return text


def test_write_results_page(study_tables, tmp_path):
    from resqunn_analysis.study_report import write_results

    out = tmp_path / "results"
    assert write_results(study_tables, out) == out / "README.md"
    text = check_page(out)
    positions = [text.find(f"\n### {k}. ") for k in range(1, 6)]
    assert all(p > 0 for p in positions) and positions == sorted(positions)
    verdicts = re.findall(r"^\*\*We (?:do not )?agree", text, flags=re.M)
    assert len(verdicts) >= 5
    # every claim section 1..5 has its verdict
    sections = text.split("\n### ")[1:6]
    for k, section in enumerate(sections, start=1):
        assert section.startswith(f"{k}. ")
        assert re.search(r"\*\*We (?:do not )?agree", section), f"section {k} has no verdict"
    # claim 2 holds by construction in barrier mode (see the reach test above)
    assert "**We agree.** With two layers, gradients reach every layer exactly with " \
        "`(X+O1)+O2`, `O1+O2`" in " ".join(sections[1].split())
    assert "| 2 layers | `none` | cut | reached | – |" in text
    assert "| 3 layers | `O1+O2+O3` | reached | reached | reached |" in text
    # the build's revision, and whether it had uncommitted changes, in plain words
    assert re.search(r"resqunn\s+`[0-9a-f]{12}`(\s+with\s+uncommitted\s+changes)?\),", text)
    assert ", ``)" not in text
    assert "78 (two-layer (60), three-layer (18))" in text
    assert "72 (depth-per-layer (24), layer-count (32), init-gradients (16))" in text


# --- the command ------------------------------------------------------------------------------


def test_cli_extracts_and_writes(study_sweeps, study_tables, tmp_path):
    out, tables = tmp_path / "page", tmp_path / "tables"
    proc = run_cli("studies", "--paper", str(study_sweeps["paper"]), "--depth",
                   str(study_sweeps["depth_scaling"]), "--tables", str(tables), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [str(tables / "paper.csv"), str(tables / "depth_scaling.csv"),
                                   str(out / "README.md")]
    for name in ("paper", "depth_scaling"):
        assert (tables / f"{name}.csv").read_text() == (study_tables / f"{name}.csv").read_text()
    check_page(out)


def test_cli_needs_both_results_files(tmp_path):
    proc = run_cli("studies", "--paper", str(tmp_path / "paper.h5"), "-o", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert "give both --paper and --depth" in proc.stderr
    assert not (tmp_path / "o").exists()


def test_cli_without_tables(tmp_path):
    out = tmp_path / "o"
    proc = run_cli("studies", "-o", str(out))
    assert proc.returncode == 1
    assert f"{out / 'tables' / 'paper.csv'}: no such table" in proc.stderr
    assert not (out / "README.md").exists()


def test_extract_refuses_unfinished_sweeps(study_sweeps, tmp_path):
    path = copy_results(study_sweeps["paper"], tmp_path / "unfinished.h5")
    with h5py.File(path, "r+") as f:
        states = [str(s) for s in f["points/state"].attrs["states"]]
        f["points/state"][5] = states.index("running")
        f["points/state"][7] = states.index("pending")
    with pytest.raises(DataError, match=re.escape(f"{path}: 2 of 78 points are not done")):
        extract(path, tmp_path / "tables", "paper")
    assert not (tmp_path / "tables" / "paper.csv").exists()



# --- results files of another sweep (or not finished) -----------------------------------------


@pytest.fixture(scope="session")
def quickstart_h5(resqunn_bin, mnist_ready, tmp_path_factory) -> Path:
    """examples/sweep_quickstart.toml, run as its header says: complete and valid, but
    neither study's sweep (one grid, four wirings, trainable layers, barrier gradients)."""
    import subprocess

    out = tmp_path_factory.mktemp("quickstart") / "q.h5"
    proc = subprocess.run([str(resqunn_bin), "sweep", "run",
                           str(REPO_ROOT / "examples" / "sweep_quickstart.toml"), "-o", str(out)],
                          cwd=out.parent, env=mpi_env(), capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out.chmod(0o444)
    return out


def refused(tmp_path, paper: Path, depth: Path) -> list:
    """Runs `studies --paper PAPER --depth DEPTH`; checks that it is refused as bad data,
    in two lines, with no traceback and before any table or page is written; returns them."""
    out, tables = tmp_path / "page", tmp_path / "tables"
    proc = run_cli("studies", "--paper", str(paper), "--depth", str(depth), "--tables",
                   str(tables), "-o", str(out))
    assert proc.returncode == 1, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.stdout == "", proc.stdout
    assert not tables.exists() and not out.exists()
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 2, proc.stderr
    assert lines[1].startswith("  fix: "), proc.stderr
    return lines


def test_cli_refuses_another_sweep_as_paper(quickstart_h5, study_sweeps, tmp_path):
    error, fix = refused(tmp_path, quickstart_h5, study_sweeps["depth_scaling"])
    assert error.startswith(f"resqunn-analysis studies: error: {quickstart_h5}: has no "), error
    assert "no frozen points" in error and "no trainable points with full gradients" in error
    assert "the paper study needs the sweep of examples/paper.toml" in error, error
    assert fix == "  fix: pass the results of `resqunn sweep run examples/paper.toml` as --paper"


def test_cli_refuses_another_sweep_as_depth(quickstart_h5, study_sweeps, tmp_path):
    error, fix = refused(tmp_path, study_sweeps["paper"], quickstart_h5)
    assert error == (f"resqunn-analysis studies: error: {quickstart_h5}: has no points of the "
                     "grids depth-per-layer, layer-count, init-gradients: the depth-scaling "
                     "study needs the sweep of examples/depth_scaling.toml"), error
    assert fix == ("  fix: pass the results of `resqunn sweep run examples/depth_scaling.toml` "
                   "as --depth")


def test_cli_says_when_the_two_files_are_swapped(study_sweeps, tmp_path):
    error, fix = refused(tmp_path, study_sweeps["depth_scaling"], study_sweeps["paper"])
    assert error.startswith(f"resqunn-analysis studies: error: {study_sweeps['depth_scaling']}: "
                            "has no "), error
    assert "examples/paper.toml" in error, error
    assert "as --paper" in fix and "looks like the results of examples/depth_scaling.toml" in fix


def test_cli_refuses_an_unfinished_paper_sweep(study_sweeps, tmp_path):
    path = copy_results(study_sweeps["paper"], tmp_path / "unfinished.h5")
    with h5py.File(path, "r+") as f:
        states = [str(s) for s in f["points/state"].attrs["states"]]
        f["points/state"][3] = states.index("pending")
    error, fix = refused(tmp_path, path, study_sweeps["depth_scaling"])
    assert error.startswith(f"resqunn-analysis studies: error: {path}: 1 of 78 points are not "
                            "done (1 pending)"), error
    assert "resumes" in fix and "resqunn sweep run" in fix, fix


#: Tables of the tiny studies, cut down: a name, the study and what to keep (a query on the
#: table, or a function of it). Each cut table is either refused by check_study or gives
#: the whole page: the check stands for everything the findings index.
TRIMMED = [
    ("paper", "no frozen", "trainable == True"),
    ("paper", "barrier only", "trainable == True and gradient_mode == 'barrier'"),
    ("paper", "no none", "residual != 'none'"),
    ("paper", "none only", "residual == 'none'"),
    ("paper", "three layers only", "grid == 'three-layer'"),
    ("paper", "one frozen wiring less", "not (trainable == False and residual == 'X+O2')"),
    ("paper", "two-layer only", "grid == 'two-layer'"),
    ("paper", "dense head only", "head == 'dense'"),
    ("paper", "one seed", "seed == 1"),
    ("paper", "three-layer full mode left out",
     "not (grid == 'three-layer' and gradient_mode == 'full')"),
    ("depth_scaling", "no init-gradients", "grid != 'init-gradients'"),
    ("depth_scaling", "angle only", "encoding == 'angle'"),
    ("depth_scaling", "one qubit count", "not (grid == 'init-gradients' and qubits != 4)"),
    ("depth_scaling", "QCL2 at depth 1 only",
     "not (grid == 'depth-per-layer' and depths == '4,2')"),
    ("depth_scaling", "no QCL1 = 4",
     "not (grid == 'depth-per-layer' and depths.str.startswith('4'))"),
    ("depth_scaling", "one seed", "seed in (1, 11, 101)"),
    ("depth_scaling", "barrier only", "gradient_mode == 'barrier'"),
    ("depth_scaling", "one layer-count model", "not (grid == 'layer-count' and layers == 2)"),
]


@pytest.mark.parametrize("name,label,keep", TRIMMED, ids=[f"{n}: {l}" for n, l, _ in TRIMMED])
def test_a_table_is_refused_or_gives_the_page(study_tables, tmp_path, name, label, keep):
    import shutil

    from resqunn_analysis.study_report import write_results

    tables = tmp_path / "tables"
    shutil.copytree(study_tables, tables)
    table, _ = read_table(tables, name)
    cut = table.query(keep, engine="python")
    assert 0 < len(cut) < len(table)
    csv = tables / f"{name}.csv"
    cut.to_csv(csv, index=False, float_format="%.9g")
    try:
        write_results(tables, tmp_path / "page")  # read_table runs check_study on each table
    except DataError as e:
        assert e.problem.startswith(f"{csv}: "), str(e)
        assert "study needs the sweep of examples/" in e.problem, str(e)
        assert e.fix.startswith(f"extract {name}.csv again from the results of `resqunn sweep "
                                "run examples/"), str(e)
        return
    check_page(tmp_path / "page")

# --- the committed page -----------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "docs" / "results"


def test_committed_page_is_what_the_committed_tables_give(tmp_path):
    """docs/results/README.md and README.md's summary are generated from the committed
    tables, not edited by hand: writing them again from those tables changes nothing."""
    import shutil

    from resqunn_analysis.study_report import write_results

    out = tmp_path / "docs" / "results"
    shutil.copytree(COMMITTED / "tables", out / "tables")
    readme = tmp_path / "README.md"
    committed_readme = (REPO / "README.md").read_text()
    readme.write_text(committed_readme)
    page = write_results(out / "tables", out, readme)
    committed = (COMMITTED / "README.md").read_text()
    assert page.read_text() == committed
    assert readme.read_text() == committed_readme
    for name in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", committed):
        assert (COMMITTED / name).is_file(), name
        assert (out / name).is_file(), name
