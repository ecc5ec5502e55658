"""The figures of the docs/results page, drawn from the findings (study_findings.py).

Plotting only: each function takes a table the findings computed and returns a matplotlib
figure; write_results (study_report.py) saves them under the names in FIGURES.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import study_findings as sf
from .figures import colors, new_figure
from .study_format import qubits

#: The page's figures: key -> file name (next to README.md).
FIGURES = {
    "accuracy": "paper_accuracy.png",
    "reach": "paper_gradients.png",
    "depth": "depth_per_layer.png",
    "layers": "layer_count.png",
    "init": "init_gradients.png",
}



def accuracy_figure(accuracy: pd.DataFrame):
    """Bars: best validation accuracy per wiring, per training regime, per experiment.

    `accuracy` is accuracy_table's (PaperFindings.accuracy)."""
    exps = list(accuracy.groupby("experiment", sort=False))
    fig = new_figure(5.2 * len(exps), 4.0)
    axes = np.atleast_1d(fig.subplots(1, len(exps)))
    palette = dict(zip(sf.REGIMES, colors(len(sf.REGIMES))))
    for ax, (title, s) in zip(axes, exps):
        wirings = list(dict.fromkeys(s["residual"]))
        x = np.arange(len(wirings))
        width = 0.8 / len(sf.REGIMES)
        for i, reg in enumerate(sf.REGIMES):
            r = s[s["regime"] == reg].set_index("residual").reindex(wirings)
            ax.bar(x + (i - 1) * width, 100 * r["mean"], width, yerr=100 * r["std"].fillna(0),
                   color=palette[reg], label=reg, capsize=2)
        ax.set_xticks(x, wirings, rotation=30, ha="right", fontsize=8)
        ax.set_title(title, fontsize=10)
        ax.set_ylabel("best validation accuracy (%)")
        ax.set_ylim(0, 100)
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(fontsize=8, loc="upper left")
    return _finish(fig, "ResQuNN on MNIST: residual wiring x training regime (mean ± std over "
                   "seeds)")


def reach_figure(reach: pd.DataFrame):
    """Heat-map: mean gradient norm per layer over training, per wiring, barrier vs full."""
    regimes = ["trainable, barrier", "trainable, full"]
    layers = [c for c in sf.LAYER_COLUMNS if c in reach.columns]
    fig = new_figure(3.4 * len(regimes) + 1.2, 0.9 + 0.42 * len(reach) / len(regimes))
    axes = np.asarray(fig.subplots(1, len(regimes), squeeze=False))[0]
    values = reach[[c for c in reach.columns if c.startswith("gmean_")]].to_numpy(float)
    positive = values[np.isfinite(values) & (values > 0)]
    from matplotlib.colors import LogNorm
    norm = LogNorm(vmin=positive.min(), vmax=positive.max())
    for ax, reg in zip(axes, regimes):
        r = reach[reach["regime"] == reg]
        labels = [f"{e}: {w}" for e, w in zip(r["experiment"], r["residual"])]
        grid = np.full((len(r), len(layers)), np.nan)
        for j, layer in enumerate(layers):
            column = f"gmean_{layer}"
            if column in r.columns:
                grid[:, j] = r[column].to_numpy(float)
        masked = np.ma.masked_where(~np.isfinite(grid) | (grid <= 0), grid)
        ax.imshow(masked, aspect="auto", cmap="viridis", norm=norm)
        for i in range(grid.shape[0]):
            for j in range(grid.shape[1]):
                v = grid[i, j]
                if np.isfinite(v) and v == 0:
                    ax.add_patch(_cell(j, i, "#9e9e9e"))
                    ax.text(j, i, "0", ha="center", va="center", fontsize=7, color="white")
                elif np.isfinite(v):
                    ax.text(j, i, f"{v:.2g}", ha="center", va="center", fontsize=6,
                            color="white" if norm(v) < 0.6 else "black")
        ax.set_xticks(range(grid.shape[1]), layers, fontsize=8)
        ax.set_yticks(range(len(labels)), labels if ax is axes[0] else [""] * len(labels),
                      fontsize=7)
        ax.set_title(f"gradient mode: {reg.split(', ')[1]}", fontsize=10)
    return _finish(fig, "mean gradient norm per layer over training (grey 0: exactly zero in "
                   "every step)")


def _finish(fig, title: str):
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


def _log_grid(ax, xlabel: str) -> None:
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.grid(alpha=0.3, which="both")


def _cell(x: int, y: int, color: str):
    from matplotlib.patches import Rectangle
    return Rectangle((x - 0.5, y - 0.5), 1, 1, color=color)


def depth_figure(series: pd.DataFrame):
    """Accuracy vs the depth of QCL1, then of QCL2, per wiring and encoding (depth_series)."""
    fig = new_figure(10, 3.8)
    axes = fig.subplots(1, 2, sharey=True)
    keys = list(dict.fromkeys(zip(series["residual"], series["encoding"])))
    palette = dict(zip(keys, colors(len(keys))))
    for ax, layer in zip(axes, ["QCL1", "QCL2"]):
        s = series[series["layer"] == layer]
        for key in keys:
            r = s[(s["residual"] == key[0]) & (s["encoding"] == key[1])]
            ax.errorbar(r["depth"], 100 * r["mean"], yerr=100 * r["std"].fillna(0), marker="o", ms=3,
                        capsize=2, color=palette[key], label=f"{key[0]}, {key[1]}")
        other = "QCL2 = 1" if layer == "QCL1" else "QCL1 = 4"
        ax.set_title(f"{layer} depth varied ({other})", fontsize=10)
        ax.set_xlabel(f"{layer} ansatz depth")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("best validation accuracy (%)")
    axes[1].legend(fontsize=8, title="wiring, encoding", title_fontsize=8)
    return _finish(fig, "(a) ansatz depth per layer, 2 layers, barrier gradients")


def layers_figure(lc: pd.DataFrame):
    """Accuracy per encoding, and QCL1's initial gradient, vs the layer count (layer_count)."""
    fig = new_figure(14, 3.8)
    axes = fig.subplots(1, 3)
    keys = list(dict.fromkeys(zip(lc["wiring"], lc["gradient_mode"])))
    palette = dict(zip(keys, colors(len(keys))))
    for ax, enc in zip(axes[:2], ["angle", "amplitude"]):
        s = lc[lc["encoding"] == enc]
        for key in keys:
            r = s[(s["wiring"] == key[0]) & (s["gradient_mode"] == key[1])]
            ax.errorbar(r["layers"], 100 * r["mean"], yerr=100 * r["std"].fillna(0), marker="o", ms=3,
                        capsize=2, color=palette[key], label=f"{key[0]}, {key[1]}")
        ax.set_title(f"accuracy, {enc} encoding", fontsize=10)
        ax.set_xlabel("quanvolution layers")
        ax.set_ylabel("best validation accuracy (%)")
        ax.set_xticks(sorted(lc["layers"].unique()))
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7, title="wiring, gradients", title_fontsize=7)
    ax = axes[2]
    for enc, style in (("angle", "-"), ("amplitude", "--")):
        for key in keys:
            r = lc[(lc["encoding"] == enc) & (lc["wiring"] == key[0]) &
                   (lc["gradient_mode"] == key[1])]
            r = r[r["g0_QCL1"] > 0]
            if r.empty:
                continue
            ax.plot(r["layers"], r["g0_QCL1"], style, marker="o", ms=3, color=palette[key],
                    label=f"{key[0]}, {key[1]}, {enc}")
    _log_grid(ax, "quanvolution layers")
    ax.set_title("QCL1 gradient norm at initialisation", fontsize=10)
    ax.set_xticks(sorted(lc["layers"].unique()))
    ax.legend(fontsize=6)
    return _finish(fig, "(b, c) layer count: plain chain vs every earlier output summed in "
                   "(zero gradients are not drawn)")


def init_figure(var: pd.DataFrame):
    """Gradient variance at initialisation vs depth and vs qubit count (init_variance)."""
    fig = new_figure(10, 3.8)
    axes = fig.subplots(1, 2)
    series = list(dict.fromkeys(zip(var["encoding"], var["qubits"], var["kernel"])))
    palette = dict(zip(series, colors(len(series))))
    ax = axes[0]
    for key in series:
        r = var[(var["encoding"] == key[0]) & (var["qubits"] == key[1]) &
                (var["kernel"] == key[2])]
        ax.errorbar(r["depth"], r["var"], yerr=r["var_sem"].fillna(0), marker="o", ms=3, capsize=2,
                    ls="-" if key[0] == "angle" else "--", color=palette[key],
                    label=f"{key[0]}, {qubits(key[1])} ({key[2]}x{key[2]})")
    ax.set_xscale("log", base=2)
    _log_grid(ax, "ansatz depth")
    ax.set_ylabel("Var[dL/dθ] of QCL1 at initialisation")
    ax.legend(fontsize=7)
    ax = axes[1]
    depths = sorted(var["depth"].unique())
    dpal = dict(zip(depths, colors(len(depths))))
    for enc, style in (("angle", "-"), ("amplitude", "--")):
        for d in depths:
            r = var[(var["encoding"] == enc) & (var["depth"] == d)].sort_values("qubits")
            ax.plot(r["qubits"], r["var"], style, marker="o", ms=3, color=dpal[d],
                    label=f"depth {d}" if enc == "angle" else None)
    _log_grid(ax, "qubits (solid: angle, dashed: amplitude)")
    ax.legend(fontsize=7)
    return _finish(fig, "(d) gradient variance at initialisation vs depth and qubit count "
                   "(mean over seeds, ± s.e.m.)")
