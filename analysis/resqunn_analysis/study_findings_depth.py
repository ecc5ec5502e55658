"""The findings of the depth-scaling study (the questions the paper leaves open).

From the depth_scaling sweep's per-point table (study_tables.py): accuracy vs the depth of
each layer (a) and vs the number of layers (b), angle vs amplitude encoding (c), and the
gradient variance at initialisation vs depth and qubit count (d). Re-exported by
study_findings.py, where the paper's findings are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .study_stats import RunSizes, grid_points, run_sizes, seed_stats

# --- the tables the page shows ------------------------------------------------------------


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


# --- the open questions, one summary each ------------------------------------------------------


@dataclass
class DepthPerLayer:
    """(a) What the depth of one layer is worth: depth 1 vs the best depth, per series."""
    best: pd.DataFrame      # best_depths
    qcl1_gain: tuple        # (min, max) over wirings x encodings, percentage points
    qcl2_gain: tuple
    untrained_gain: tuple   # QCL1 with `none`, where barrier mode gives QCL1 no gradient
    best_is_largest: int    # series whose best depth is the largest tried
    largest_within_std: int  # series whose largest depth is within one std of the best


def _span(values: pd.Series) -> tuple:
    return float(values.min()), float(values.max())


def depth_per_layer(series: pd.DataFrame) -> DepthPerLayer:
    """(a)'s findings from depth_series."""
    bd = best_depths(series)
    q1, q2 = bd[bd["layer"] == "QCL1"], bd[bd["layer"] == "QCL2"]
    q1_gain = 100 * (q1["best"] - q1["depth_1"])
    return DepthPerLayer(bd, _span(q1_gain), _span(100 * (q2["best"] - q2["depth_1"])),
                         _span(q1_gain[q1["residual"] == "none"]),
                         int((bd["best_depth"] == bd["max_depth"]).sum()),
                         int(((bd["best"] - bd["at_max"]) <= bd["best_std"]).sum()))


@dataclass
class LayerSeries:
    """One series of the layer-count grid: accuracy over the layer counts, in their order."""
    encoding: str
    gradient_mode: str
    wiring: str
    means: list
    stds: list
    drop: float  # percentage points from the series' peak to its largest layer count


@dataclass
class LayerAttenuation:
    """The plain chain's QCL1 gradient at initialisation (full mode) vs the layers above it."""
    encoding: str
    factor: float  # geometric mean factor per added layer
    shrinking: bool


@dataclass
class LayerCount:
    """(b) Accuracy and QCL1's initial gradient vs the number of layers."""
    counts: list        # the layer counts tried
    series: list        # LayerSeries per encoding x gradient mode x wiring
    worst: LayerSeries  # the largest drop
    summed_drop: float  # the largest drop with every earlier output summed in (NaN: none)
    never_cut: bool     # QCL1's gradient was never exactly zero in full mode
    collapsed: int      # plain-chain points that ended below 20 % (near chance)
    collapsed_by: list  # (gradient_mode, encoding, points) of those
    attenuation: list   # LayerAttenuation per encoding with positive gradients


def _layer_series(lc: pd.DataFrame) -> list:
    out = []
    for (enc, mode, wiring), s in lc.groupby(["encoding", "gradient_mode", "wiring"], sort=False):
        s = s.sort_values("layers")
        out.append(LayerSeries(enc, mode, wiring, s["mean"].tolist(), s["std"].tolist(),
                               100 * (s["mean"].max() - s["mean"].iloc[-1])))
    return out


def _layer_attenuation(lc: pd.DataFrame) -> list:
    out = []
    chain = lc[(lc["gradient_mode"] == "full") & (lc["wiring"] == "none")]
    for enc, s in chain.groupby("encoding", sort=False):
        g = s.sort_values("layers")["g0_QCL1"].to_numpy(float)
        if len(g) > 1 and g[0] > 0 and g[-1] > 0:
            factor = (g[-1] / g[0]) ** (1 / (len(g) - 1))
            out.append(LayerAttenuation(enc, factor, factor < 1))
    return out


def layer_count_findings(depth: pd.DataFrame, lc: pd.DataFrame) -> LayerCount:
    """(b)'s findings from the depth table and its layer_count."""
    series = _layer_series(lc)
    summed = [s.drop for s in series if s.wiring != "none"]
    chains = depth[(depth["grid"] == "layer-count") & (depth["residual"] == "none")]
    collapsed = chains[chains["best_val_acc"] < 0.2]
    by = [(mode, enc, int(n)) for (mode, enc), n in
          collapsed.groupby(["gradient_mode", "encoding"]).size().items()]
    return LayerCount(sorted(lc["layers"].unique()), series, max(series, key=lambda s: s.drop),
                      max(summed) if summed else float("nan"),
                      bool((lc[lc["gradient_mode"] == "full"]["zero_QCL1"] == 0).all()),
                      len(collapsed), by, _layer_attenuation(lc))


@dataclass
class InitGradients:
    """(d) Gradient variance at initialisation: its decay with the qubits, between depths."""
    depths: list        # the depths tried
    seeds: int          # the fewest seeds of any point
    first_depth: int    # the shallowest and deepest depth with a decay fit
    last_depth: int
    shallow: dict       # encoding -> Var factor per added qubit at first_depth
    deep: dict          # ... at last_depth
    steady: dict        # encoding -> the factor changes by less than 25 % between them
    deepest: pd.DataFrame  # variance_decay's rows at its largest depth
    paper_ratio: float  # paper_setting_ratio
    paper_flat: bool    # paper_ratio > 0.5: no barren plateau in the paper's setting
    falling: list       # (encoding, qubits) whose variance falls with depth by more than half


def init_gradients(var: pd.DataFrame, decay: pd.DataFrame, effect: pd.DataFrame) -> InitGradients:
    """(d)'s findings from init_variance, variance_decay and depth_effect."""
    first, last = int(decay["depth"].min()), int(decay["depth"].max())

    def factors(d: int) -> dict:
        return dict(zip(*decay[decay["depth"] == d][["encoding", "factor_per_qubit"]]
                        .to_numpy().T))
    shallow, deep = factors(first), factors(last)
    # Within 25 % either way: the per-qubit decay does not come with depth.
    steady = {e: abs(np.log(deep[e] / shallow[e])) < np.log(1.25) for e in shallow if e in deep}
    ratio = paper_setting_ratio(effect)
    return InitGradients(sorted(var["depth"].unique()), int(var["seeds"].min()), first, last,
                         shallow, deep, steady, decay[decay["depth"] == decay["depth"].max()],
                         ratio, ratio > 0.5,
                         [(e.encoding, e.qubits) for e in effect.itertuples() if e.ratio < 0.5])


# --- everything the page reports on the depth sweep, computed once ------------------------


@dataclass
class DepthFindings:
    """The depth sweep's findings: its tables and one summary per open question."""
    series: pd.DataFrame  # depth_series
    layer_count: pd.DataFrame
    variance: pd.DataFrame  # init_variance
    decay: pd.DataFrame  # variance_decay
    effect: pd.DataFrame  # depth_effect
    per_layer: DepthPerLayer  # (a)
    layers: LayerCount  # (b)
    gap: pd.DataFrame  # encoding_gap, (c)
    init: InitGradients  # (d)
    grids: list  # grid_points
    sizes: RunSizes  # of the trained grids


def depth_findings(depth: pd.DataFrame) -> DepthFindings:
    """Everything the page and the README summary report on the depth sweep's table."""
    series, lc, var = depth_series(depth), layer_count(depth), init_variance(depth)
    decay, effect = variance_decay(var), depth_effect(var)
    return DepthFindings(series, lc, var, decay, effect, depth_per_layer(series),
                         layer_count_findings(depth, lc), encoding_gap(depth),
                         init_gradients(var, decay, effect), grid_points(depth),
                         run_sizes(depth, ["depth-per-layer", "layer-count"]))
