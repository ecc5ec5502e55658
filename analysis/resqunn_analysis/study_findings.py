"""The findings of the paper and depth-scaling studies, computed from their tables.

Every number and every agree/disagree verdict in docs/results/README.md comes
from a function here, applied to the per-point tables of study_tables.py; the
prose around them is in study_report.py. Accuracies are the best validation
accuracy over a point's epochs, summarised over seeds as mean and sample
standard deviation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: The residual wirings of the paper, in its order.
PAPER_WIRINGS = ["none", "X+O1", "X+O2", "O1+O2", "(X+O1)+O2"]
#: The wirings with which, per the paper, gradients reach both layers.
PAPER_FULL_REACH = {"O1+O2", "(X+O1)+O2"}
#: The paper's best wiring and its reported relative improvement range (%).
PAPER_BEST = "(X+O1)+O2"
PAPER_IMPROVEMENT = (31.0, 45.0)

REGIMES = ["trainable, barrier", "trainable, full", "frozen"]
LAYER_COLUMNS = ["QCL1", "QCL2", "QCL3", "QCL4", "QCL5"]


def regime(table: pd.DataFrame) -> pd.Series:
    """'frozen' for frozen layers (no gradient mode applies), else 'trainable, <mode>'."""
    trainable = table["trainable"].astype(str).str.lower() == "true"
    return pd.Series(np.where(trainable, "trainable, " + table["gradient_mode"].astype(str),
                              "frozen"), index=table.index)


def with_regime(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    out["regime"] = regime(out)
    return out


def seed_stats(table: pd.DataFrame, keys: list, value: str = "best_val_acc") -> pd.DataFrame:
    """mean, std and n of `value` over seeds, per combination of `keys`."""
    g = table.groupby(keys, sort=False)[value]
    return g.agg(mean="mean", std="std", n="count").reset_index()


def experiments(paper: pd.DataFrame) -> list:
    """(title, rows) per experiment of the paper sweep: the grid and head it varies."""
    out = []
    for (grid, head), rows in paper.groupby(["grid", "head"], sort=False):
        layers = int(rows["layers"].iloc[0])
        out.append((f"{layers} layers, {head} head", with_regime(rows)))
    return out


# --- the paper's claims -----------------------------------------------------------------------


@dataclass
class Comparison:
    """Trainable (barrier) vs frozen for one experiment."""
    experiment: str
    wins: int
    total: int
    gain_mean: float  # percentage points
    gain_min: float
    gain_max: float
    largest: str        # the wiring with the largest gain
    frozen_best: float  # the best frozen wiring's accuracy


def trainable_vs_frozen(paper: pd.DataFrame) -> list:
    out = []
    for title, rows in experiments(paper):
        s = seed_stats(rows, ["residual", "regime"]).pivot(index="residual", columns="regime",
                                                           values="mean")
        gain = 100 * (s["trainable, barrier"] - s["frozen"])
        out.append(Comparison(title, int((gain > 0).sum()), int(gain.size), float(gain.mean()),
                              float(gain.min()), float(gain.max()), str(gain.idxmax()),
                              float(s["frozen"].max())))
    return out


def gradient_reach(paper: pd.DataFrame) -> pd.DataFrame:
    """Per experiment x regime x wiring: which layers' gradients were never/always zero.

    A layer is 'reached' when its gradient norm was non-zero in every traced
    step of every seed, 'cut' when it was exactly zero in all of them.
    """
    rows = []
    for title, t in experiments(paper):
        layers = int(t["layers"].iloc[0])
        for (reg, wiring), g in t.groupby(["regime", "residual"], sort=False):
            if reg == "frozen":
                continue
            row = {"experiment": title, "regime": reg, "residual": wiring}
            for k in range(1, layers + 1):
                zero = g[f"zero_QCL{k}"]
                row[f"QCL{k}"] = ("reached" if (zero == 0).all()
                                  else "cut" if (zero == 1).all() else "partly")
                row[f"gmean_QCL{k}"] = float(g[f"gmean_QCL{k}"].mean())
                row[f"g0_QCL{k}"] = float(g[f"g0_QCL{k}"].mean())
            row["all_reached"] = all(row[f"QCL{k}"] == "reached" for k in range(1, layers + 1))
            rows.append(row)
    return pd.DataFrame(rows)


def accuracy_table(paper: pd.DataFrame) -> pd.DataFrame:
    """experiment, residual, regime, mean, std, n."""
    frames = []
    for title, rows in experiments(paper):
        s = seed_stats(rows, ["residual", "regime"])
        s.insert(0, "experiment", title)
        frames.append(s)
    return pd.concat(frames, ignore_index=True)


@dataclass
class Ranking:
    experiment: str
    regime: str
    order: list   # wirings, best first
    means: dict   # wiring -> mean
    stds: dict
    best: str
    paper_best_rank: int  # 1-based rank of PAPER_BEST among this experiment's wirings (0: absent)
    tied_with_best: list  # wirings within one std (of the best) of the best mean


def rankings(paper: pd.DataFrame, regimes: tuple = ("trainable, barrier",)) -> list:
    out = []
    acc = accuracy_table(paper)
    for (experiment, reg), s in acc.groupby(["experiment", "regime"], sort=False):
        if reg not in regimes:
            continue
        s = s.sort_values("mean", ascending=False)
        order = list(s["residual"])
        means = dict(zip(s["residual"], s["mean"]))
        stds = dict(zip(s["residual"], s["std"]))
        best = order[0]
        tied = [w for w in order[1:] if means[best] - means[w] <= stds[best]]
        rank = order.index(PAPER_BEST) + 1 if PAPER_BEST in order else 0
        out.append(Ranking(experiment, reg, order, means, stds, best, rank, tied))
    return out


@dataclass
class Improvement:
    experiment: str
    regime: str
    best: str
    best_mean: float
    none_mean: float
    relative: float  # % over none
    points: float    # percentage points


def improvements(paper: pd.DataFrame, regimes: tuple = REGIMES) -> list:
    """The best wiring's accuracy relative to the plain chain (none), per experiment and regime."""
    out = []
    acc = accuracy_table(paper)
    for (experiment, reg), s in acc.groupby(["experiment", "regime"], sort=False):
        if reg not in regimes:
            continue
        means = dict(zip(s["residual"], s["mean"]))
        if "none" not in means:
            continue
        best = max((w for w in means if w != "none"), key=means.get)
        out.append(Improvement(experiment, reg, best, means[best], means["none"],
                               100 * (means[best] / means["none"] - 1),
                               100 * (means[best] - means["none"])))
    return out


@dataclass
class Attenuation:
    """In full mode: QCL1's gradient at initialisation, plain chain vs best wiring."""
    experiment: str
    none_g0: float
    best: str
    best_g0: float
    ratio: float  # best / none


def full_mode_attenuation(reach: pd.DataFrame, wirings: dict) -> list:
    """QCL1's initial gradient in full mode: plain chain vs `wirings[experiment]`.

    `reach` is gradient_reach's table."""
    out = []
    for experiment, r in reach[reach["regime"] == "trainable, full"].groupby("experiment",
                                                                               sort=False):
        by = r.set_index("residual")
        best = wirings.get(experiment)
        if "none" not in by.index or best not in by.index:
            continue
        none_g0, best_g0 = float(by.loc["none", "g0_QCL1"]), float(by.loc[best, "g0_QCL1"])
        out.append(Attenuation(experiment, none_g0, best, best_g0, best_g0 / none_g0))
    return out


# --- the open questions -------------------------------------------------------------------


def depth_series(depth: pd.DataFrame) -> pd.DataFrame:
    """The depth-per-layer grid as series: layer varied, its depth, wiring, encoding -> acc.

    Depths "d,1" vary QCL1 (QCL2 = 1); "4,d" vary QCL2 (QCL1 = 4); "4,1" is
    in both series.
    """
    t = depth[depth["grid"] == "depth-per-layer"]
    d = t["depths"].str.split(",", expand=True).astype(int)
    frames = []
    qcl1 = t[d[1] == 1].assign(layer="QCL1", depth=d[0][d[1] == 1])
    qcl2 = t[d[0] == 4].assign(layer="QCL2", depth=d[1][d[0] == 4])
    for s in (qcl1, qcl2):
        frames.append(seed_stats(s, ["layer", "depth", "residual", "encoding"]))
    return pd.concat(frames, ignore_index=True).sort_values(
        ["layer", "residual", "encoding", "depth"], ignore_index=True)


def best_depths(series: pd.DataFrame) -> pd.DataFrame:
    """Per layer x wiring x encoding: accuracy at depth 1, the best depth and its accuracy,
    and the accuracy at the largest depth."""
    rows = []
    for (layer, wiring, enc), s in series.groupby(["layer", "residual", "encoding"], sort=False):
        s = s.sort_values("depth")
        b = s.loc[s["mean"].idxmax()]
        rows.append({"layer": layer, "residual": wiring, "encoding": enc,
                     "depth_1": float(s["mean"].iloc[0]), "best_depth": int(b["depth"]),
                     "best": float(b["mean"]), "best_std": float(b["std"]),
                     "max_depth": int(s["depth"].iloc[-1]), "at_max": float(s["mean"].iloc[-1])})
    return pd.DataFrame(rows)


def layer_count(depth: pd.DataFrame) -> pd.DataFrame:
    """The layer-count grid: L, wiring kind, mode, encoding -> accuracy and QCL1's gradient."""
    t = depth[depth["grid"] == "layer-count"].copy()
    t["wiring"] = np.where(t["residual"] == "none", "none", "all earlier outputs summed")
    acc = seed_stats(t, ["layers", "wiring", "gradient_mode", "encoding"])
    g0 = seed_stats(t, ["layers", "wiring", "gradient_mode", "encoding"], "g0_QCL1")
    acc["g0_QCL1"] = g0["mean"].to_numpy()
    acc["zero_QCL1"] = seed_stats(t, ["layers", "wiring", "gradient_mode", "encoding"],
                                  "zero_QCL1")["mean"].to_numpy()
    return acc.sort_values(["encoding", "gradient_mode", "wiring", "layers"], ignore_index=True)


def encoding_gap(depth: pd.DataFrame) -> pd.DataFrame:
    """Angle minus amplitude accuracy (percentage points) over matched configurations."""
    t = depth[depth["grid"].isin(["depth-per-layer", "layer-count"])]
    keys = ["grid", "depths", "residual", "gradient_mode", "seed"]
    wide = t.pivot_table(index=keys, columns="encoding", values="best_val_acc")
    wide = wide.dropna()
    gap = 100 * (wide["angle"] - wide["amplitude"])
    frame = gap.rename("gap").reset_index()
    return frame.groupby("grid").agg(mean=("gap", "mean"), min=("gap", "min"), max=("gap", "max"),
                                     angle_wins=("gap", lambda g: int((g > 0).sum())),
                                     n=("gap", "count")).reset_index()


def init_variance(depth: pd.DataFrame) -> pd.DataFrame:
    """Var[dL/dθ] of QCL1 at initialisation per encoding x qubits x depth.

    Each weight is uniform over a full period at initialisation, so every
    gradient component has mean zero (the derivative of a periodic function
    averages to zero over its period); its variance is then E[g²], estimated
    as the mean over seeds of |g|² / (number of weights).
    """
    t = depth[depth["grid"] == "init-gradients"].copy()
    t["depth"] = t["depths"].astype(int)
    t["ms"] = t["g0_QCL1"] ** 2 / t["w_QCL1"]
    g = t.groupby(["encoding", "kernel", "qubits", "depth"])
    out = g.agg(var=("ms", "mean"), var_sem=("ms", lambda v: v.std() / np.sqrt(len(v))),
                norm_mean=("g0_QCL1", "mean"), norm_std=("g0_QCL1", "std"),
                seeds=("ms", "count")).reset_index()
    return out.sort_values(["encoding", "qubits", "depth"], ignore_index=True)


def variance_decay(var: pd.DataFrame) -> pd.DataFrame:
    """Per encoding, at each depth: the fitted decay rate of Var in the qubit count.

    log Var = a - b·n fitted by least squares over the qubit counts; exp(-b)
    is the factor per added qubit (a barren plateau has a fixed factor < 1
    per qubit at large depth).
    """
    rows = []
    for (enc, d), s in var.groupby(["encoding", "depth"]):
        if s["qubits"].nunique() < 2:
            continue
        b, a = np.polyfit(s["qubits"].to_numpy(float), np.log(s["var"].to_numpy(float)), 1)
        rows.append({"encoding": enc, "depth": int(d), "factor_per_qubit": float(np.exp(b)),
                     "qubits": ",".join(str(q) for q in sorted(s["qubits"]))})
    return pd.DataFrame(rows)


def paper_setting_ratio(effect: pd.DataFrame) -> float:
    """depth_effect's ratio for the paper's layer (angle encoding, 4 qubits); NaN if absent."""
    row = effect[(effect["encoding"] == "angle") & (effect["qubits"] == 4)]
    return float(row["ratio"].iloc[0]) if not row.empty else float("nan")


def depth_effect(var: pd.DataFrame) -> pd.DataFrame:
    """Per encoding x qubits: Var at the largest depth over Var at depth 1."""
    rows = []
    for (enc, q, k), s in var.groupby(["encoding", "qubits", "kernel"], sort=False):
        s = s.sort_values("depth")
        rows.append({"encoding": enc, "qubits": int(q), "kernel": int(k),
                     "first_depth": int(s["depth"].iloc[0]), "last_depth": int(s["depth"].iloc[-1]),
                     "ratio": float(s["var"].iloc[-1] / s["var"].iloc[0])})
    return pd.DataFrame(rows)


# --- everything the page reports, computed once --------------------------------------------


@dataclass
class PaperFindings:
    comparisons: list  # trainable_vs_frozen
    reach: pd.DataFrame  # gradient_reach
    rankings: list  # rankings, barrier gradients
    improvements: list  # improvements, every regime


@dataclass
class DepthFindings:
    series: pd.DataFrame  # depth_series
    layer_count: pd.DataFrame
    variance: pd.DataFrame  # init_variance
    decay: pd.DataFrame  # variance_decay
    effect: pd.DataFrame  # depth_effect


def paper_findings(paper: pd.DataFrame) -> PaperFindings:
    return PaperFindings(trainable_vs_frozen(paper), gradient_reach(paper), rankings(paper),
                         improvements(paper))


def depth_findings(depth: pd.DataFrame) -> DepthFindings:
    var = init_variance(depth)
    return DepthFindings(depth_series(depth), layer_count(depth), var, variance_decay(var),
                         depth_effect(var))
