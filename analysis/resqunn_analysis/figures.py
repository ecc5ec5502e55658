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
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


def legend_width(labels: Sequence[str], title: str = "") -> float:
    """Inches a fontsize-8 legend of `labels` needs (0 for none)."""
    if not labels:
        return 0.0
    chars = max([len(str(l)) for l in labels] + [len(title)])
    return 0.75 + 0.07 * min(chars, 60)


class Grid:
    """A figure laid out by hand, in inches: a title band, a grid of equal panels, margins.

    matplotlib's automatic layouts (constrained, tight, bbox_inches="tight")
    measure every text several times, which costs seconds per figure on a
    slow machine; a report draws several figures, so they are placed here.
    """

    def __init__(self, nrows: int, ncols: int, panel_w: float, panel_h: float, *,
                 legend_w: float = 0.0, left: float = 0.75, right: float = 0.3,
                 top: float = 0.75, bottom: float = 0.55, wspace: float = 0.65,
                 hspace: float = 0.8, height_ratios: Sequence[float] | None = None,
                 extra_right: float = 0.0):
        ratios = list(height_ratios) if height_ratios is not None else [1.0] * nrows
        panels_h = panel_h * sum(ratios)
        self.width = (left + ncols * panel_w + (ncols - 1) * wspace + right + extra_right
                      + legend_w)
        self.height = top + panels_h + (nrows - 1) * hspace + bottom
        self.fig = new_figure(self.width, self.height)
        self.right_edge = (self.width - right - extra_right - legend_w) / self.width
        self.top_edge = (self.height - top) / self.height
        self.bottom_edge = bottom / self.height
        self.fig.subplots_adjust(left=left / self.width, right=self.right_edge,
                                 bottom=self.bottom_edge, top=self.top_edge,
                                 wspace=wspace / panel_w,
                                 hspace=hspace / (panels_h / nrows))
        kw = {"height_ratios": ratios} if height_ratios is not None else {}
        self.axes = np.asarray(self.fig.subplots(nrows, ncols, squeeze=False, **kw))
        self.legend_x = (self.width - legend_w - 0.05) / self.width

    def title(self, text: str) -> None:
        self.fig.suptitle(text, fontsize=11, y=1 - 0.2 / self.height, va="top")

    def legend(self, handles: list, labels: list, title: str = "") -> None:
        """The legend in the band right of the panels (reserved with `legend_w`)."""
        if handles:
            self.fig.legend(handles, labels, loc="upper left",
                            bbox_to_anchor=(self.legend_x, self.top_edge), fontsize=8,
                            title=title or None, title_fontsize=8, frameon=False)


def save_figure(fig: Figure, path) -> None:
    """Writes `fig` as PNG (100 dpi)."""
    fig.savefig(path, format="png", dpi=100)


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
    n_max = stats.groupby("hue")["n"].max().to_dict()
    legend_labels = [f"{h} (n={n_max[h]})" for h in hue_order if h in n_max]
    grid = Grid(nrows, ncols, 4.2, 2.4, legend_w=legend_width(legend_labels, hue_title),
                hspace=0.95 if facet_order is not None else 0.8)
    fig, axes = grid.fig, grid.axes
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
                ax.plot(x, mean, marker="o", ms=3, color=palette[hue])
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
    grid.legend(_line_handles(palette, [h for h in hue_order if h in n_max]), legend_labels,
                hue_title)
    grid.title(title)
    return fig


def _line_handles(palette: dict, hues: Sequence[str]) -> list:
    from matplotlib.lines import Line2D

    return [Line2D([], [], marker="o", ms=4, color=palette[h]) for h in hues]


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
    heights = [0.3 * max(1, len(layers)) + 0.2 for _, layers, _ in panels]
    max_steps = max(np.asarray(m).shape[1] for _, _, m in panels)
    grid = Grid(len(panels), 1, min(10.0, max(5.0, 0.04 * max_steps)), 1.0, left=0.7,
                hspace=0.6, bottom=0.95, height_ratios=heights, extra_right=1.3)
    fig, axes = grid.fig, grid.axes[:, 0]
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
    cax = fig.add_axes((grid.right_edge + 0.15 / grid.width, grid.bottom_edge,
                        0.18 / grid.width, grid.top_edge - grid.bottom_edge))
    bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), cax=cax)
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
        fig.legend(handles=legend, loc="lower left", bbox_to_anchor=(0.02, 0.0),
                   ncols=len(legend), fontsize=8, frameon=False)
    grid.title(title)
    return fig


# --- (d) depth scaling ----------------------------------------------------------------------


def _log_axis(ax, values: np.ndarray) -> None:
    """Log y axis over the positive `values`, at least a decade tall, short tick labels.

    Ticks at 1, 2 and 5 times powers of ten, so that even a narrow range of
    values has labelled ticks (matplotlib labels none inside one decade).
    """
    from matplotlib.ticker import FuncFormatter, LogLocator

    ax.set_yscale("log")
    lo, hi = float(np.min(values)), float(np.max(values))
    span = max(10.0, 1.5 * hi / lo)
    centre = np.sqrt(lo * hi)
    ax.set_ylim(centre / np.sqrt(span), centre * np.sqrt(span))
    fmt = FuncFormatter(lambda y, _: f"{y:.2g}")
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0,)))
    ax.yaxis.set_major_formatter(fmt)
    if hi / lo < 100:
        ax.yaxis.set_minor_locator(LogLocator(base=10, subs=(2.0, 5.0)))
        ax.yaxis.set_minor_formatter(fmt)
    ax.tick_params(axis="y", which="both", labelsize=7)


def scaling_figure(stats: pd.DataFrame, layers: Sequence[str], hue_order: Sequence[str],
                   x_label: str, title: str, hue_title: str = "") -> Figure:
    """Gradient norm (top) and its variance across points (bottom) vs `x`, per layer.

    `stats` has columns hue, x, layer, mean, var, n. Log-scale y: exact zeros
    are marked by open triangles on the panel's bottom edge, undefined values
    (the variance of one point) are left out.
    """
    if stats.empty or not layers:
        return message_figure(title, "no gradient traces in this file")
    drawn_hues = [h for h in hue_order if h in set(stats["hue"])]
    grid = Grid(2, len(layers), 2.9, 2.4, legend_w=legend_width(drawn_hues, hue_title),
                left=0.85, wspace=0.6)
    fig, axes = grid.fig, grid.axes
    palette = dict(zip(hue_order, colors(len(hue_order))))
    xs = sorted(stats["x"].unique())
    any_zero = False
    for li, layer in enumerate(layers):
        for row, (col, ylabel) in enumerate((("mean", "gradient norm (mean)"),
                                             ("var", "variance across points"))):
            ax = axes[row, li]
            drawn_values = []
            for hue in hue_order:
                line = stats[(stats["hue"] == hue) & (stats["layer"] == layer)].sort_values("x")
                if line.empty:
                    continue
                x = line["x"].to_numpy(dtype=float)
                y = line[col].to_numpy(dtype=float)
                zero = y == 0
                if zero.any():
                    # Exact zeros have no place on a log scale: open triangles on the
                    # panel's bottom edge, in the line's colour.
                    any_zero = True
                    # Side by side when several lines are 0 at the same x.
                    step = min(0.06, 0.8 / len(hue_order))
                    shift = step * (list(hue_order).index(hue) - (len(hue_order) - 1) / 2)
                    ax.plot(x[zero] + shift, np.full(zero.sum(), 0.03), ls="none", marker="v",
                            ms=6, mfc="none", mec=palette[hue], mew=1.2, clip_on=False,
                            transform=ax.get_xaxis_transform())
                ok = np.isfinite(y) & (y > 0)
                if ok.any():
                    ax.plot(x[ok], y[ok], marker="o", ms=4, color=palette[hue])
                    drawn_values.append(y[ok])
            if drawn_values:
                _log_axis(ax, np.concatenate(drawn_values))
            else:
                ax.set_yticks([])
                ax.text(0.5, 0.5, "nothing > 0 to draw" + ("" if col == "mean" else
                                                           "\n(variance needs 2+ points)"),
                        transform=ax.transAxes, fontsize=7, ha="center", va="center",
                        color="#444444")
            ax.set_xticks(xs)
            ax.set_xlim(xs[0] - 0.5, xs[-1] + 0.5)
            ax.tick_params(labelsize=7)
            ax.grid(alpha=0.3, which="both")
            if row == 0:
                ax.set_title(layer, fontsize=10)
            if li == 0:
                ax.set_ylabel(ylabel, fontsize=8)
            if row == 1:
                ax.set_xlabel(x_label, fontsize=8)
    if any_zero:
        fig.text(0.01, 0.01, "\u25bd on a panel's bottom edge: exactly 0 (no gradient reaches "
                 "the layer), not drawable on the log scale", fontsize=8, color="#444444")
    grid.legend(_line_handles(palette, drawn_hues), drawn_hues, hue_title)
    grid.title(title)
    return fig
