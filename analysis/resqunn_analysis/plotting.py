"""Figures, drawn with matplotlib's Agg canvas (no display, no pyplot state)."""

from __future__ import annotations

import os
import textwrap
from typing import Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def image_grid(
    images: np.ndarray,
    rows: Sequence[np.ndarray],
    row_names: Sequence[str],
    title: str,
    vmax: float = 1.0,
) -> Figure:
    """A grid of grayscale images: row r shows images[rows[r]], labelled row_names[r].

    Cells of rows shorter than the longest one stay blank; a row with no
    images says so.
    """
    nrows = len(rows)
    ncols = max((len(r) for r in rows), default=0) or 1
    cell = 0.9
    width = max(4.5, 1.6 + ncols * cell)
    # Wrap each title line to the figure's width (about 11 characters per inch).
    lines = [w for line in title.splitlines() for w in textwrap.wrap(line, int(width * 11)) or [""]]
    fig = Figure(figsize=(width, 0.5 + 0.22 * len(lines) + nrows * cell), layout="constrained")
    FigureCanvasAgg(fig)
    axes = np.asarray(fig.subplots(nrows, ncols, squeeze=False))
    for r, (indices, name) in enumerate(zip(rows, row_names)):
        for c in range(ncols):
            ax = axes[r, c]
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_visible(False)
            if c < len(indices):
                ax.imshow(images[indices[c]], cmap="gray", vmin=0.0, vmax=vmax,
                          interpolation="nearest")
            elif c == 0:
                ax.text(0.5, 0.5, "(no images)", ha="center", va="center", fontsize=7,
                        transform=ax.transAxes)
        axes[r, 0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=9)
    fig.suptitle("\n".join(lines), fontsize=10)
    return fig


def save_png(fig: Figure, path: "str | os.PathLike[str]", dpi: int = 100) -> None:
    """Writes `fig` as PNG to `path` (whatever its extension)."""
    fig.savefig(path, format="png", dpi=dpi)
