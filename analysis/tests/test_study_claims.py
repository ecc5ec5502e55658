"""The verdicts and summaries the docs/results page reports (study_findings.py), on small
hand-built tables whose expected values are worked out by hand in the comments.

The tables the verdicts start from (trainable_vs_frozen, gradient_reach, rankings, …) are
checked in test_studies.py; its hand-built helpers are reused here.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from test_studies import DENSE, HAND_ACCS, QUANTUM, depth_rows, paper_table, reach_table

from resqunn_analysis import study_findings as sf

BARRIER, FULL = "trainable, barrier", "trainable, full"
THREE = "3 layers, dense head"


# --- the runs ---------------------------------------------------------------------------------


def test_run_sizes_and_grid_points():
    t = pd.DataFrame({"grid": ["b", "a", "a", "c"], "train_images": [50, 100, 100, 100],
                      "epochs_planned": [1, 2, 2, 1]})
    sizes = sf.run_sizes(t)
    assert (sizes.train_images, sizes.epochs) == ([50, 100], [1, 2])
    sizes = sf.run_sizes(t, ["b"])
    assert (sizes.train_images, sizes.epochs) == ([50], [1])
    assert sf.grid_points(t) == [("b", 1), ("a", 2), ("c", 1)]  # in the table's order


# --- the paper's claims -----------------------------------------------------------------------


def test_trainable_claim_by_hand():
    # HAND_ACCS: trainable wins 2 of 3 wirings (dense) and 0 of 3 (quantum, equal accuracies)
    claim = sf.trainable_claim(sf.trainable_vs_frozen(paper_table(HAND_ACCS)))
    assert (claim.wins, claim.total, claim.agree) == (2, 6, False)
    everywhere = [sf.Comparison("a", 3, 3, 1.0, 0.5, 2.0, "none", 0.5),
                  sf.Comparison("b", 5, 5, 1.0, 0.5, 2.0, "none", 0.5)]
    claim = sf.trainable_claim(everywhere)
    assert (claim.wins, claim.total, claim.agree) == (8, 8, True)


def hand_reach() -> pd.DataFrame:
    """gradient_reach's shape: two heads with two layers, one with three, both modes."""
    rows = [  # experiment, regime, wiring, QCL1, QCL2, QCL3, all reached
        (DENSE, BARRIER, "none", "cut", "reached", np.nan, False),
        (DENSE, BARRIER, "O1+O2", "reached", "reached", np.nan, True),
        (DENSE, BARRIER, "(X+O1)+O2", "reached", "reached", np.nan, True),
        (QUANTUM, BARRIER, "none", "cut", "reached", np.nan, False),  # same layers and wiring
        (QUANTUM, BARRIER, "X+O1", "cut", "reached", np.nan, False),  # a wiring new to the table
        (THREE, BARRIER, "O1+O2+O3", "reached", "reached", "reached", True),
        (THREE, BARRIER, "none", "cut", "cut", "reached", False),
        (DENSE, FULL, "none", "reached", "reached", np.nan, True),
        (THREE, FULL, "none", "partly", "reached", "reached", False),
    ]
    return pd.DataFrame(rows, columns=["experiment", "regime", "residual", "QCL1", "QCL2",
                                       "QCL3", "all_reached"])


def test_reach_claim_by_hand():
    claim = sf.reach_claim(hand_reach())
    # two layers: O1+O2 and (X+O1)+O2 reach both layers, as the paper says; sorted
    assert claim.two_layer == ["(X+O1)+O2", "O1+O2"] and claim.agree
    assert claim.three_layer == ["O1+O2+O3"]
    assert claim.layer_columns == ["QCL1", "QCL2", "QCL3"]
    # one row per layer count x wiring: the quantum head's `none` repeats the dense head's
    assert claim.table[["layers", "residual"]].values.tolist() == [
        ["2 layers", "none"], ["2 layers", "O1+O2"], ["2 layers", "(X+O1)+O2"],
        ["2 layers", "X+O1"], ["3 layers", "O1+O2+O3"], ["3 layers", "none"]]
    assert claim.table["QCL3"].isna().tolist() == [True] * 4 + [False] * 2
    # full mode: 1 of 2 rows has every layer reached
    assert (claim.full_reached, claim.full_total, claim.full_all) == (1, 2, False)


def test_reach_claim_disagrees_when_another_wiring_reaches_both_layers():
    reach = hand_reach()
    reach.loc[(reach["experiment"] == QUANTUM) & (reach["residual"] == "X+O1"),
              ["QCL1", "all_reached"]] = ["reached", True]
    reach = reach[reach["regime"] == BARRIER]  # and no full-mode rows at all
    claim = sf.reach_claim(reach)
    assert claim.two_layer == ["(X+O1)+O2", "O1+O2", "X+O1"] and not claim.agree
    assert (claim.full_reached, claim.full_total, claim.full_all) == (0, 0, True)


def ranking(experiment: str, best: str, rank: int) -> sf.Ranking:
    return sf.Ranking(experiment, BARRIER, [best], {best: 0.5}, {best: 0.0}, best, rank, [])


def test_best_claim_by_hand():
    ranks = sf.rankings(paper_table(HAND_ACCS))  # (X+O1)+O2 first in both two-layer ones
    claim = sf.best_claim(ranks)
    assert [r.experiment for r in claim.two_layer] == [DENSE, QUANTUM]
    assert claim.agree and claim.three_layer_best is None
    claim = sf.best_claim(ranks + [ranking(THREE, "O1+O2+O3", 2)])
    assert claim.agree and claim.three_layer_best == "O1+O2+O3"  # three layers don't count
    assert claim.rankings[-1].experiment == THREE
    claim = sf.best_claim([ranking(DENSE, "O1+O2", 2), ranking(THREE, sf.PAPER_BEST, 1)])
    assert not claim.agree and claim.three_layer_best is None


def test_improvement_claim_by_hand():
    claim = sf.improvement_claim(sf.improvements(paper_table(HAND_ACCS)))
    # relative improvements (see test_improvements_by_hand): dense barrier +29.1 %, full
    # +6.7 %, frozen +75 %; quantum barrier and frozen +33.3 %
    assert [(i.experiment, i.regime) for i in claim.barrier] == [(DENSE, BARRIER),
                                                                 (QUANTUM, BARRIER)]
    assert [(i.experiment, i.regime) for i in claim.full] == [(DENSE, FULL)]
    # 31–45 %: only the quantum head's barrier pair of the paper's setting, so we disagree
    assert [i.experiment for i in claim.inside] == [QUANTUM] and not claim.agree
    assert (claim.largest.experiment, claim.largest.regime) == (DENSE, "frozen")
    assert [(i.experiment, i.regime) for i in claim.anywhere] == [(QUANTUM, BARRIER),
                                                                  (QUANTUM, "frozen")]
    assert claim.wins == 5 and len(claim.improvements) == 5


def improvement(regime: str, best: str, relative: float, points: float) -> sf.Improvement:
    return sf.Improvement(DENSE, regime, best, 0.5, 0.5, relative, points)


def test_full_mode_claim_by_hand():
    reach = sf.gradient_reach(reach_table())  # full mode: g0(QCL1) none 0.2, O1+O2 0.5
    barrier = improvement(BARRIER, "O1+O2", 40.0, 20.0)
    imp = sf.improvement_claim([barrier, improvement(FULL, "X+O1", 10.0, 6.0)])
    claim = sf.full_mode_claim(reach, imp)
    assert claim.barrier == {DENSE: barrier}
    # attenuation against the barrier-mode best (O1+O2), not the full-mode one
    assert [(a.best, a.ratio) for a in claim.attenuation] == [("O1+O2", pytest.approx(2.5))]
    assert claim.helps and claim.smaller and claim.larger_initial == 1
    # full-mode gains -1 and +30 pp: not everywhere, and not smaller everywhere
    for points, helps, smaller in ((-1.0, False, True), (30.0, True, False)):
        imp = sf.improvement_claim([barrier, improvement(FULL, "X+O1", 1.0, points)])
        claim = sf.full_mode_claim(reach, imp)
        assert (claim.helps, claim.smaller) == (helps, smaller), points


# --- the open questions -----------------------------------------------------------------------


def test_depth_per_layer_by_hand():
    accs = {  # wiring -> depths -> accuracies over two seeds
        "none": {"1,1": [0.5, 0.5], "2,1": [0.6, 0.6], "4,1": [0.7, 0.7],
                 "4,2": [0.8, 0.8], "4,3": [0.75, 0.75]},
        "(X+O1)+O2": {"1,1": [0.6, 0.6], "2,1": [0.85, 0.95], "4,1": [0.84, 0.84],
                      "4,2": [0.8, 0.8], "4,3": [0.82, 0.82]},
    }
    t = depth_rows("depth-per-layer", [(d, w, "angle", s, a) for w, by in accs.items()
                                       for d, values in by.items()
                                       for s, a in enumerate(values, start=1)])
    a = sf.depth_per_layer(sf.depth_series(t))
    assert len(a.best) == 4  # QCL1 and QCL2, two wirings each
    # QCL1: none 0.5 -> 0.7 at depth 4 (+20 pp), (X+O1)+O2 0.6 -> 0.9 at depth 2 (+30 pp)
    assert a.qcl1_gain == pytest.approx((20, 30))
    # QCL2: none 0.7 -> 0.8 at depth 2 (+10 pp), (X+O1)+O2 best at depth 1 (+0 pp)
    assert a.qcl2_gain == pytest.approx((0, 10), abs=1e-9)
    assert a.untrained_gain == pytest.approx((20, 20))  # QCL1 with `none` only
    # best depth = largest: QCL1 with none (4 of 1,2,4) only
    assert a.best_is_largest == 1
    # largest within one std of the best: QCL1 none (equal), QCL1 (X+O1)+O2 (0.9 - 0.84 =
    # 0.06 <= std(0.85, 0.95) = 0.0707); the QCL2 bests have std 0
    assert a.largest_within_std == 2


def layer_rows() -> pd.DataFrame:
    """A layer-count grid, angle encoding, 1..3 layers, two seeds."""
    accs = {  # (wiring, mode) -> accuracies per layer count, per seed
        ("none", "barrier"): [[0.8, 0.8], [0.7, 0.7], [0.15, 0.55]],
        ("none", "full"): [[0.8, 0.8], [0.85, 0.85], [0.8, 0.8]],
        ("summed", "barrier"): [[0.8, 0.8], [0.9, 0.9], [0.88, 0.88]],
        ("summed", "full"): [[0.8, 0.8], [0.9, 0.9], [0.87, 0.87]],
    }
    g0 = {1: 0.4, 2: 0.2, 3: 0.1}  # QCL1's initial gradient of the chain in full mode
    rows = []
    for (wiring, mode), by in accs.items():
        for layers, values in enumerate(by, start=1):
            for seed, a in enumerate(values, start=1):
                residual = wiring if wiring == "none" else f"sum of {layers}"
                rows.append({"grid": "layer-count", "layers": layers, "residual": residual,
                             "gradient_mode": mode, "encoding": "angle", "seed": seed,
                             "best_val_acc": a, "g0_QCL1": g0[layers], "zero_QCL1": 0.0})
    return pd.DataFrame(rows)


def test_layer_count_findings_by_hand():
    t = layer_rows()
    b = sf.layer_count_findings(t, sf.layer_count(t))
    assert b.counts == [1, 2, 3]
    summed = "all earlier outputs summed"
    assert [(s.gradient_mode, s.wiring) for s in b.series] == [
        ("barrier", summed), ("barrier", "none"), ("full", summed), ("full", "none")]
    chain = b.series[1]
    assert chain.means == pytest.approx([0.8, 0.7, 0.35])
    assert chain.stds == pytest.approx([0, 0, 0.4 / math.sqrt(2)])  # sample std of .15, .55
    # drops from the peak to 3 layers: 2, 45, 3, 5 pp
    assert [s.drop for s in b.series] == pytest.approx([2, 45, 3, 5])
    assert b.worst is chain and b.summed_drop == pytest.approx(3)
    assert b.never_cut
    assert b.collapsed == 1 and b.collapsed_by == [("barrier", "angle", 1)]  # the 0.15
    # the chain's g0(QCL1) in full mode: 0.4 -> 0.1 over two added layers, x0.5 per layer
    assert [(x.encoding, x.shrinking) for x in b.attenuation] == [("angle", True)]
    assert b.attenuation[0].factor == pytest.approx(0.5)


def test_layer_count_findings_edge_cases():
    t = layer_rows()
    full = t["gradient_mode"] == "full"
    t.loc[full & (t["layers"] == 2) & (t["residual"] != "none"), "zero_QCL1"] = 0.5
    t.loc[full & (t["layers"] == 3) & (t["residual"] == "none"), "g0_QCL1"] = 0.0
    b = sf.layer_count_findings(t, sf.layer_count(t))
    assert not b.never_cut
    assert b.attenuation == []  # a zero gradient has no factor
    chains = t[t["residual"] == "none"]
    b = sf.layer_count_findings(chains, sf.layer_count(chains))
    assert math.isnan(b.summed_drop)  # no summed wiring


def test_init_gradients_by_hand():
    var = pd.DataFrame([  # encoding, qubits, kernel, depth, Var, seeds
        ("amplitude", 2, 2, 1, 0.2, 3), ("amplitude", 2, 2, 8, 0.02, 3),
        ("amplitude", 4, 4, 1, 0.2 * 0.5 ** 2, 3), ("amplitude", 4, 4, 8, 0.02 * 0.25 ** 2, 3),
        ("angle", 1, 1, 1, 0.1, 2), ("angle", 1, 1, 8, 0.06, 3),
        ("angle", 4, 2, 1, 0.1 * 0.5 ** 3, 3), ("angle", 4, 2, 8, 0.06 * 0.5 ** 3, 3),
    ], columns=["encoding", "qubits", "kernel", "depth", "var", "seeds"])
    decay, effect = sf.variance_decay(var), sf.depth_effect(var)
    d = sf.init_gradients(var, decay, effect)
    assert d.depths == [1, 8] and d.seeds == 2
    assert (d.first_depth, d.last_depth) == (1, 8)
    # Var factor per added qubit: angle 0.5 at both depths, amplitude 0.5 then 0.25
    assert d.shallow == pytest.approx({"amplitude": 0.5, "angle": 0.5})
    assert d.deep == pytest.approx({"amplitude": 0.25, "angle": 0.5})
    assert d.steady == {"amplitude": False, "angle": True}  # x0.5 is beyond 25 %
    assert sorted(d.deepest["encoding"]) == ["amplitude", "angle"]
    assert (d.deepest["depth"] == 8).all()
    # depth 1 -> 8: angle x0.6 (4 qubits: the paper's setting), amplitude x0.1 and x0.025
    assert d.paper_ratio == pytest.approx(0.6) and d.paper_flat
    assert d.falling == [("amplitude", 2), ("amplitude", 4)]


def test_init_gradients_without_the_papers_setting():
    var = pd.DataFrame([("angle", 1, 1, 1, 0.1, 2), ("angle", 1, 1, 2, 0.01, 2),
                        ("angle", 9, 3, 1, 0.01, 2), ("angle", 9, 3, 2, 0.001, 2)],
                       columns=["encoding", "qubits", "kernel", "depth", "var", "seeds"])
    d = sf.init_gradients(var, sf.variance_decay(var), sf.depth_effect(var))
    assert math.isnan(d.paper_ratio) and not d.paper_flat
    assert d.falling == [("angle", 1), ("angle", 9)]
