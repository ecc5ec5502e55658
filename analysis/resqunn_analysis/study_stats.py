"""The per-point tables of the study sweeps, as the findings read them.

Training regimes, summaries over seeds, the paper sweep's experiments and the runs' training
budgets: shared by the paper's findings (study_findings.py) and the open questions'
(study_findings_depth.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

REGIMES = ["trainable, barrier", "trainable, full", "frozen"]
LAYER_COLUMNS = ["QCL1", "QCL2", "QCL3", "QCL4", "QCL5"]


def regime(table: pd.DataFrame) -> pd.Series:
    """'frozen' for frozen layers (no gradient mode applies), else 'trainable, <mode>'."""
    trainable = table["trainable"].astype(str).str.lower() == "true"
    return pd.Series(np.where(trainable, "trainable, " + table["gradient_mode"].astype(str),
                              "frozen"), index=table.index)


def with_regime(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of `table` with its `regime` column."""
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


@dataclass
class RunSizes:
    """A sweep's training budget: its distinct training-set sizes and epoch counts, sorted."""
    train_images: list
    epochs: list


def run_sizes(table: pd.DataFrame, grids: list | None = None) -> RunSizes:
    """The training-set sizes and epoch counts of `table` (of `grids` only, if given)."""
    rows = table if grids is None else table[table["grid"].isin(grids)]
    return RunSizes(sorted(rows["train_images"].unique()), sorted(rows["epochs_planned"].unique()))


def grid_points(table: pd.DataFrame) -> list:
    """(grid, number of points) per grid, in the table's order."""
    return list(table.groupby("grid", sort=False).size().items())
