"""The figures of the results report, drawn on matplotlib's Agg canvas.

Each function takes data that is already aggregated (see report.py) and
returns a Figure; none touches pyplot's global state. A figure with nothing
to show says so in its middle instead of failing, so that a report always
has its figures.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LogNorm, to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Patch

#: Colour of an exactly-zero gradient in the heat-maps (outside the colour map).
ZERO_COLOR = "#9e9e9e"
#: Colour of cells that were never written (no such layer, or no such step).
MISSING_COLOR = "#ffffff"
HEATMAP_CMAP = "viridis"

METRIC_TITLES = {
    "val_acc": "validation accuracy",
    "train_acc": "training accuracy",
    "val_loss": "validation loss",
    "train_loss": "training loss",
}


def new_figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def side_legend(fig: Figure, handles: list, labels: list, title: str = "") -> None:
    """A legend right of the axes (save with bbox_inches="tight" to keep it in the image)."""
    if handles:
        fig.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.0, 0.95), fontsize=8,
                   title=title or None, title_fontsize=8, frameon=False)


def save_figure(fig: Figure, path) -> None:
    """Writes `fig` as PNG, cropped to everything drawn (outside legends included)."""
    fig.savefig(path, format="png", dpi=100, bbox_inches="tight", pad_inches=0.15)


def message_figure(title: str, message: str) -> Figure:
    """A small figure that only says `message` (for data that is not there)."""
    fig = new_figure(6, 2.2)
    ax = fig.subplots()
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", wrap=True, fontsize=10,
            transform=ax.transAxes)
    fig.suptitle(title, fontsize=11)
    return fig


def colors(n: int) -> list:
    """`n` distinguishable colours (tab10, then tab20, then a sampled viridis)."""
    from matplotlib import colormaps

    if n <= 10:
        return [colormaps["tab10"](i) for i in range(n)]
    if n <= 20:
        return [colormaps["tab20"](i) for i in range(n)]
    return [colormaps["viridis"](x) for x in np.linspace(0, 0.95, n)]


# --- (a) learning curves ------------------------------------------------------------------


def curves_figure(stats: pd.DataFrame, hue_order: Sequence[str], title: str,
                  metrics: Sequence[str] = ("val_acc", "train_acc", "val_loss", "train_loss"),
                  facet_order: Sequence[str] | None = None, hue_title: str = "") -> Figure:
    """Mean ± std curves over epochs.

    `stats` has columns hue, epoch, n and <metric>_mean / <metric>_std for
    each metric (and facet, if `facet_order` is given: one row of panels per
    facet, else a 2-column grid of the metrics). Bands are drawn where std is
    known (two or more points).
    """
    if stats.empty:
        return message_figure(title, "no epochs written yet")
    facets = list(facet_order) if facet_order is not None else [None]
    metrics = list(metrics)
    if facet_order is None:
        ncols = 2 if len(metrics) > 1 else 1
        nrows = (len(metrics) + ncols - 1) // ncols
    else:
        ncols, nrows = len(metrics), len(facets)
    fig = new_figure(4.6 * ncols + 1.8, 2.9 * nrows + 0.6)
    axes = np.asarray(fig.subplots(nrows, ncols, squeeze=False))
    palette = dict(zip(hue_order, colors(len(hue_order))))
    for fi, facet in enumerate(facets):
        sub = stats if facet is None else stats[stats["facet"] == facet]
        for mi, metric in enumerate(metrics):
            ax = axes.flat[mi] if facet is None else axes[fi, mi]
            for hue in hue_order:
                line = sub[sub["hue"] == hue].sort_values("epoch")
                if line.empty:
                    continue
                x = line["epoch"].to_numpy() + 1
                mean = line[f"{metric}_mean"].to_numpy(dtype=float)
                std = line[f"{metric}_std"].to_numpy(dtype=float)
                n = int(line["n"].max())
                ax.plot(x, mean, marker="o", ms=3, color=palette[hue], label=f"{hue} (n={n})")
                band = np.isfinite(std)
                if band.any():
                    ax.fill_between(x[band], (mean - std)[band], (mean + std)[band],
                                    color=palette[hue], alpha=0.2, linewidth=0)
            name = METRIC_TITLES.get(metric, metric)
            ax.set_title(name if facet is None else f"{facet}\n{name}", fontsize=9)
            ax.set_xlabel("epoch", fontsize=8)
            ax.tick_params(labelsize=7)
            ax.grid(alpha=0.3)
            if sub["epoch"].nunique() < 12:
                ax.set_xticks(sorted(sub["epoch"].unique() + 1))
        if facet is None:
            for ax in axes.flat[len(metrics):]:
                ax.set_axis_off()
    handles, labels = [], []
    for ax in axes.flat:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    side_legend(fig, handles, labels, hue_title)
    fig.suptitle(title, fontsize=11)
    return fig


# --- (c) gradient heat-maps -----------------------------------------------------------------


def gradient_heatmaps(panels: Sequence[tuple], title: str, steps_per_epoch: int | None = None,
                      colorbar_label: str = "gradient norm (mean over points)") -> Figure:
    """One heat-map (layers x steps) per configuration, sharing a log colour scale.

    `panels`: (label, layer names, matrix [layers, steps]) each. Exact zeros
    are drawn in ZERO_COLOR, NaN (not written) in MISSING_COLOR; both are
    outside the colour scale. Dashed lines mark epoch boundaries when
    `steps_per_epoch` is known.
    """
    panels = [p for p in panels if np.asarray(p[2]).size]
    if not panels:
        return message_figure(title, "no gradient traces in this file")
    values = np.concatenate([np.asarray(m, dtype=float).ravel() for _, _, m in panels])
    positive = values[np.isfinite(values) & (values > 0)]
    if positive.size:
        vmin, vmax = float(positive.min()), float(positive.max())
        if vmin == vmax:
            vmin, vmax = vmin / 10, vmax * 10
    else:
        vmin, vmax = 1e-12, 1.0
    norm = LogNorm(vmin=vmin, vmax=vmax)
    from matplotlib import colormaps

    cmap = colormaps[HEATMAP_CMAP]
    heights = [0.32 * max(1, len(layers)) + 0.55 for _, layers, _ in panels]
    max_steps = max(np.asarray(m).shape[1] for _, _, m in panels)
    fig = new_figure(min(14.0, 4.5 + 0.05 * max_steps), sum(heights) + 1.3)
    axes = fig.subplots(len(panels), 1, squeeze=False, height_ratios=heights)[:, 0]
    zero_rgba = np.array(to_rgba(ZERO_COLOR))
    missing_rgba = np.array(to_rgba(MISSING_COLOR))
    any_zero = any_missing = False
    for ax, (label, layers, matrix) in zip(axes, panels):
        m = np.asarray(matrix, dtype=float)
        zero = m == 0
        missing = ~np.isfinite(m)
        any_zero |= bool(zero.any())
        any_missing |= bool(missing.any())
        with np.errstate(invalid="ignore", divide="ignore"):
            rgba = cmap(norm(np.where(zero | missing, vmin, m)))
        rgba[zero] = zero_rgba
        rgba[missing] = missing_rgba
        ax.imshow(rgba, aspect="auto", interpolation="nearest",
                  extent=(-0.5, m.shape[1] - 0.5, len(layers) - 0.5, -0.5))
        ax.set_yticks(range(len(layers)))
        ax.set_yticklabels(layers, fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
        ax.set_title(label, fontsize=9, loc="left")
        if steps_per_epoch and steps_per_epoch < m.shape[1]:
            for b in range(steps_per_epoch, m.shape[1], steps_per_epoch):
                ax.axvline(b - 0.5, color="white", lw=0.8, ls="--")
    axes[-1].set_xlabel("optimiser step" + (" (dashed: epoch boundaries)"
                                            if steps_per_epoch else ""), fontsize=8)
    bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=list(axes), shrink=0.9,
                       pad=0.01, aspect=30)
    bar.set_label(colorbar_label + ", log scale", fontsize=8)
    bar.ax.tick_params(labelsize=7)
    legend = []
    if any_zero:
        legend.append(Patch(facecolor=ZERO_COLOR, edgecolor="black", lw=0.5,
                            label="exactly 0 (no gradient reaches the layer)"))
    if any_missing:
        legend.append(Patch(facecolor=MISSING_COLOR, edgecolor="black", lw=0.5,
                            label="not written (layer absent / step not reached)"))
    if legend:
        fig.legend(handles=legend, loc="upper center", bbox_to_anchor=(0.5, 0.0),
                   ncols=len(legend), fontsize=8, frameon=False)
    fig.suptitle(title, fontsize=11)
    return fig


# --- (d) depth scaling ----------------------------------------------------------------------


def scaling_figure(stats: pd.DataFrame, layers: Sequence[str], hue_order: Sequence[str],
                   x_label: str, title: str, hue_title: str = "") -> Figure:
    """Gradient norm (top) and its variance across points (bottom) vs `x`, per layer.

    `stats` has columns hue, x, layer, mean, var, n. Log-scale y: values that
    are exactly 0 or undefined (variance of one point) are not drawn; the
    panel lists the exact zeros.
    """
    if stats.empty or not layers:
        return message_figure(title, "no gradient traces in this file")
    fig = new_figure(3.3 * len(layers) + 2.2, 6.2)
    axes = np.asarray(fig.subplots(2, len(layers), squeeze=False))
    palette = dict(zip(hue_order, colors(len(hue_order))))
    xs = sorted(stats["x"].unique())
    for li, layer in enumerate(layers):
        for row, (col, ylabel) in enumerate((("mean", "gradient norm (mean)"),
                                             ("var", "variance across points"))):
            ax = axes[row, li]
            zeros = []
            drawn = False
            for hue in hue_order:
                line = stats[(stats["hue"] == hue) & (stats["layer"] == layer)].sort_values("x")
                if line.empty:
                    continue
                x = line["x"].to_numpy(dtype=float)
                y = line[col].to_numpy(dtype=float)
                if (y == 0).any():
                    zeros.append(hue)
                ok = np.isfinite(y) & (y > 0)
                if ok.any():
                    ax.plot(x[ok], y[ok], marker="o", ms=4, color=palette[hue], label=hue)
                    drawn = True
            if drawn:
                ax.set_yscale("log")
            ax.set_xticks(xs)
            ax.tick_params(labelsize=7)
            ax.grid(alpha=0.3, which="both")
            if row == 0:
                ax.set_title(layer, fontsize=10)
            if li == 0:
                ax.set_ylabel(ylabel, fontsize=8)
            if row == 1:
                ax.set_xlabel(x_label, fontsize=8)
            notes = []
            if zeros:
                notes.append("exactly 0: " + ", ".join(zeros))
            if not drawn:
                notes.append("nothing to draw on a log scale"
                             + ("" if col == "mean" else " (variance needs 2+ points)"))
            if notes:
                ax.text(0.02, 0.02, "\n".join(notes), transform=ax.transAxes, fontsize=7,
                        va="bottom", ha="left", color="#444444", wrap=True)
    handles, labels = [], []
    for ax in axes.flat:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    side_legend(fig, handles, labels, hue_title)
    fig.suptitle(title, fontsize=11)
    return fig
