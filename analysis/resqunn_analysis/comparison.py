"""Comparing two results files point by point.

Points are matched by id (the hash of the point's canonical config, equal in
every file that trained the same config), then -- for points left over --
by their hyperparameters (every value written, ``output.path`` ignored).
For each matched pair, "identical" means every result that does not measure
time is bit for bit the same: epochs_done, best_val_acc, the per-epoch
losses and accuracies, per-class accuracies, the gradient traces, the
confusion matrix and the final weights. Timings (wall_s, images_per_s)
always differ between runs and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .labels import format_value, labels_for
from .results import OUTPUT_PARAM, TRACE_STATS, Results

#: What "identical" compares, in the order `differs_in` names them.
PARTS = ("state", "epochs_done", "best_val_acc", "epochs", "class_acc", "traces",
         "confusion", "weights")
_EPOCH_COLS = ("epoch", "train_loss", "train_acc", "val_loss", "val_acc")
_CLASS_COLS = ("epoch", "class", "val_acc")
_TRACE_COLS = ("step", "layer", *TRACE_STATS, "loss")


@dataclass
class Comparison:
    a: Results
    b: Results
    #: One row per point of either file: point_a, point_b, id_a, id_b,
    #: matched_by ("id", "hyperparameters", "only in a", "only in b"),
    #: config (the varying hyperparameters), state_a, state_b,
    #: best_val_acc_a, best_val_acc_b, diff (b - a), identical (None when
    #: unmatched), differs_in (the parts that differ, comma-separated).
    table: pd.DataFrame

    @property
    def matched(self) -> pd.DataFrame:
        return self.table[self.table["identical"].notna()]

    @property
    def all_identical(self) -> bool:
        """Every point matched, and every matched pair identical."""
        t = self.table
        return bool(len(t)) and bool(t["identical"].notna().all()) and \
            bool(t["identical"].astype(bool).all())

    def summary(self) -> str:
        t = self.table
        m = self.matched
        by_id = int((t["matched_by"] == "id").sum())
        by_params = int((t["matched_by"] == "hyperparameters").sum())
        identical = int(m["identical"].astype(bool).sum())
        lines = [
            f"a: {self.a.summary()}",
            f"b: {self.b.summary()}",
            f"matched {len(m)} points ({by_id} by id, {by_params} by hyperparameters); "
            f"only in a: {int((t['matched_by'] == 'only in a').sum())}, "
            f"only in b: {int((t['matched_by'] == 'only in b').sum())}",
            f"identical results (timings excluded): {identical} of {len(m)} matched points"
            + (" -- the files hold the same results" if self.all_identical else ""),
        ]
        return "\n".join(lines)


def params_key(r: Results, row: int) -> tuple:
    """A point's hyperparameters as written, without unset values and output.path."""
    raw = r.params_raw.iloc[row]
    return tuple(sorted((k, v) for k, v in raw.items() if v != "" and k != OUTPUT_PARAM))


def _by_point(frame: pd.DataFrame, cols) -> dict:
    if frame.empty:
        return {}
    frame = frame.sort_values([c for c in ("point", *cols[:2]) if c in frame.columns])
    return {int(p): sub[list(cols)] for p, sub in frame.groupby("point", sort=False)}


def _same_frame(x: pd.DataFrame | None, y: pd.DataFrame | None) -> bool:
    if x is None or y is None:
        return x is None and y is None
    if x.shape != y.shape:
        return False
    for c in x.columns:
        u, v = x[c].to_numpy(), y[c].to_numpy()
        if u.dtype.kind == "f" or v.dtype.kind == "f":
            if not np.array_equal(u.astype(float), v.astype(float), equal_nan=True):
                return False
        elif not (u == v).all():
            return False
    return True


def _same_array(x, y) -> bool:
    if x is None or y is None:
        return x is None and y is None
    return x.shape == y.shape and np.array_equal(x, y, equal_nan=x.dtype.kind == "f")


def _same_float(x: float, y: float) -> bool:
    return (np.isnan(x) and np.isnan(y)) or x == y


def compare(a: Results, b: Results) -> Comparison:
    """Matches the points of `a` and `b` and compares their results (see the module doc).

    Load both with ``include_running=True, weights=True`` to compare every
    point, weights included.
    """
    pa, pb = a.points.reset_index(drop=True), b.points.reset_index(drop=True)
    pairs: list = []  # (row in a or None, row in b or None, how)
    b_by_id = {i: k for k, i in enumerate(pb["id"]) if i}
    used_b: set = set()
    left_a = []
    for k, i in enumerate(pa["id"]):
        if i and i in b_by_id:
            pairs.append((k, b_by_id[i], "id"))
            used_b.add(b_by_id[i])
        else:
            left_a.append(k)
    left_b = [k for k in range(len(pb)) if k not in used_b]
    keys_b: dict = {}
    for k in left_b:
        keys_b.setdefault(params_key(b, k), []).append(k)
    for k in left_a:
        candidates = keys_b.get(params_key(a, k), [])
        if len(candidates) == 1 and candidates[0] not in used_b:
            pairs.append((k, candidates[0], "hyperparameters"))
            used_b.add(candidates[0])
        else:
            pairs.append((k, None, "only in a"))
    pairs += [(None, k, "only in b") for k in range(len(pb)) if k not in used_b]
    # In a's point order, then b's points that a lacks.
    pairs.sort(key=lambda p: (p[0] is None, p[0] if p[0] is not None else p[1]))

    varying = list(dict.fromkeys(a.varying() + b.varying()))
    label_a = labels_for(pa, [c for c in varying if c in pa.columns]) if len(pa) else pd.Series()
    label_b = labels_for(pb, [c for c in varying if c in pb.columns]) if len(pb) else pd.Series()

    parts_a = _parts(a)
    parts_b = _parts(b)
    rows = []
    for ka, kb, how in pairs:
        ra = pa.iloc[ka] if ka is not None else None
        rb = pb.iloc[kb] if kb is not None else None
        row = {
            "point_a": int(ra["point"]) if ra is not None else None,
            "point_b": int(rb["point"]) if rb is not None else None,
            "id_a": ra["id"] if ra is not None else None,
            "id_b": rb["id"] if rb is not None else None,
            "matched_by": how,
            "config": label_a.iloc[ka] if ka is not None else label_b.iloc[kb],
            "state_a": ra["state"] if ra is not None else None,
            "state_b": rb["state"] if rb is not None else None,
            "best_val_acc_a": float(ra["best_val_acc"]) if ra is not None else np.nan,
            "best_val_acc_b": float(rb["best_val_acc"]) if rb is not None else np.nan,
        }
        row["diff"] = row["best_val_acc_b"] - row["best_val_acc_a"]
        if ra is not None and rb is not None:
            differs = _differences(a, b, ra, rb, parts_a, parts_b)
            row["identical"] = not differs
            row["differs_in"] = ", ".join(differs)
        else:
            row["identical"] = None
            row["differs_in"] = ""
        rows.append(row)
    columns = ["point_a", "point_b", "id_a", "id_b", "matched_by", "config", "state_a",
               "state_b", "best_val_acc_a", "best_val_acc_b", "diff", "identical", "differs_in"]
    table = pd.DataFrame(rows, columns=columns)
    for c in ("point_a", "point_b"):
        table[c] = table[c].astype("Int64")
    table["identical"] = table["identical"].astype(object)
    return Comparison(a, b, table)


def _parts(r: Results) -> dict:
    return {
        "epochs": _by_point(r.epochs, _EPOCH_COLS),
        "class_acc": _by_point(r.class_acc, _CLASS_COLS),
        "traces": _by_point(r.traces, _TRACE_COLS),
    }


def _differences(a: Results, b: Results, ra, rb, parts_a: dict, parts_b: dict) -> list:
    """The PARTS in which point row `ra` of `a` and `rb` of `b` differ."""
    pa, pb = int(ra["point"]), int(rb["point"])
    out = []
    if ra["state"] != rb["state"]:
        out.append("state")
    if int(ra["epochs_done"]) != int(rb["epochs_done"]):
        out.append("epochs_done")
    if not _same_float(float(ra["best_val_acc"]), float(rb["best_val_acc"])):
        out.append("best_val_acc")
    for part in ("epochs", "class_acc", "traces"):
        if not _same_frame(parts_a[part].get(pa), parts_b[part].get(pb)):
            out.append(part)
    if not _same_array(a.confusion.get(pa), b.confusion.get(pb)):
        out.append("confusion")
    if not _same_array(a.weights.get(pa), b.weights.get(pb)):
        out.append("weights")
    return out


def format_table(table: pd.DataFrame) -> list:
    """The comparison as printable rows (header first): accuracies in %."""
    header = ["a", "b", "id", "matched by", "config", "state a", "state b", "best val acc a %",
              "best val acc b %", "diff (b-a) pp", "identical", "differs in"]
    rows = [header]
    for _, t in table.iterrows():
        same_id = t["id_a"] if t["id_a"] == t["id_b"] or t["id_b"] is None else \
            (t["id_b"] if t["id_a"] is None else f"{t['id_a']} / {t['id_b']}")
        rows.append([
            format_value(t["point_a"]), format_value(t["point_b"]), same_id, t["matched_by"],
            t["config"], t["state_a"] or "-", t["state_b"] or "-",
            _pct(t["best_val_acc_a"]), _pct(t["best_val_acc_b"]), _pct(t["diff"], sign=True),
            "-" if t["identical"] is None else ("yes" if t["identical"] else "no"),
            t["differs_in"] or "-",
        ])
    return rows


def _pct(v: float, sign: bool = False) -> str:
    if v is None or not np.isfinite(v):
        return "-"
    return f"{100 * v:+.2f}" if sign else f"{100 * v:.2f}"


def text_table(rows: list) -> str:
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()
                     for r in rows)


def markdown_table(rows: list) -> str:
    def cell(c):
        return str(c).replace("|", "\\|")
    lines = ["| " + " | ".join(cell(c) for c in rows[0]) + " |",
             "|" + "|".join("---" for _ in rows[0]) + "|"]
    lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows[1:]]
    return "\n".join(lines)


def write_comparison(comparison: Comparison, out_dir) -> list:
    """compare.csv and compare.md in `out_dir`; returns their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    csv = out / "compare.csv"
    comparison.table.to_csv(csv, index=False)
    md = out / "compare.md"
    md.write_text("# resqunn comparison\n\n```\n" + comparison.summary() + "\n```\n\n"
                  + markdown_table(format_table(comparison.table)) + "\n", encoding="utf-8")
    return [csv, md]
