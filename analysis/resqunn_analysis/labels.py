"""Labels for hyperparameter values and their combinations (report and compare)."""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd

#: The label of the one group when nothing is grouped by.
NONE_LABEL = "all points"


def format_value(v) -> str:
    """A value as a label: ``none``, ``0.005``, ``true``, ``[1, 1]``; ``-`` if unset."""
    if v is None or v is pd.NA:
        return "-"
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (float, np.floating)):
        return "-" if math.isnan(v) else f"{v:g}"
    if isinstance(v, (np.integer,)):
        return str(int(v))
    return str(v)


def short_names(columns: Sequence[str]) -> dict:
    """``model.residual`` -> ``residual`` (the first dotted part dropped) where unambiguous."""
    short = {c: (c.split(".", 1)[1] if "." in c else c) for c in columns}
    counts = pd.Series(list(short.values())).value_counts()
    return {c: (s if counts[s] == 1 else c) for c, s in short.items()}


def labels_for(points: pd.DataFrame, columns: Sequence[str], named: bool = False) -> pd.Series:
    """One label per point for the combination of `columns` (``all points`` for none).

    One column: the bare value (``none``) unless `named`; several:
    ``residual=none, depths=[1, 1]``.
    """
    cols = list(columns)
    if not cols:
        return pd.Series([NONE_LABEL] * len(points), index=points.index, dtype=object)
    if len(cols) == 1 and not named:
        return points[cols[0]].map(format_value).astype(object)
    names = short_names(cols)
    return pd.Series([", ".join(f"{names[c]}={format_value(row[c])}" for c in cols)
                      for _, row in points[cols].iterrows()], index=points.index, dtype=object)


def in_order(labels: pd.Series) -> list:
    """Distinct labels in order of first appearance."""
    return list(dict.fromkeys(labels.tolist()))
