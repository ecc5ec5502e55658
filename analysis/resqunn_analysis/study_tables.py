"""Per-point tables of a study sweep: what docs/results/ is generated from.

One row per done point with the hyperparameters a study compares (under
short names), its accuracies, and per trace layer its parameter count, its
gradient norm at initialisation (step 0) and over training (mean), and the
fraction of steps in which its gradient was exactly zero. The tables are
small CSV files, committed next to the findings, so that the findings can be
regenerated without the (large) HDF5 files they come from.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataError
from .results import Results, load

#: Short column name -> results column (hyperparameters as flattened keys).
PARAM_COLUMNS = {
    "grid": "sweep.grid",
    "depths": "model.depths",
    "residual": "model.residual",
    "gradient_mode": "model.gradient_mode",
    "trainable": "model.layers[0].trainable",
    "head": "model.head.type",
    "encoding": "model.layers[0].encoding",
    "kernel": "model.layers[0].kernel",
    "seed": "model.seed",
    "train_images": "data.train",
    "epochs_planned": "train.epochs",
}

#: Trace layers a table has columns for (QCL1..QCL5 and the head).
MAX_LAYERS = 5
LAYERS = [f"QCL{k}" for k in range(1, MAX_LAYERS + 1)] + ["head"]

TABLE_VERSION = 1


def qubits(encoding: str, kernel: int) -> int:
    """Qubits of a k x k window (docs/model.md): k^2 for angle, ceil(log2 k^2) for amplitude."""
    pixels = kernel * kernel
    return pixels if encoding == "angle" else max(1, math.ceil(math.log2(pixels)))


def point_table(r: Results) -> pd.DataFrame:
    """The per-point table of a results file (done points only)."""
    p = r.points
    missing = [c for c in ("model.residual", "model.seed") if c not in p.columns]
    if missing:
        raise DataError(f"{r.path}: no hyperparameter column {', '.join(missing)}: not a "
                        "resqunn sweep of quanvolution models")
    out = pd.DataFrame({"point": p["point"].to_numpy(), "id": p["id"].to_numpy()})
    for short, column in PARAM_COLUMNS.items():
        out[short] = p[column].to_numpy() if column in p.columns else ""
    out["grid"] = out["grid"].fillna("").astype(str)
    out["depths"] = out["depths"].astype(str).str.strip("[]").str.replace(" ", "")
    out["layers"] = p["layers"].to_numpy()
    out["qubits"] = [qubits(str(e), int(k)) for e, k in zip(out["encoding"], out["kernel"])]

    # Accuracies: best over epochs (the file's), and of the last epoch.
    last = r.epochs.sort_values("epoch").groupby("point").tail(1).set_index("point")
    out["best_val_acc"] = p["best_val_acc"].to_numpy()
    out["final_val_acc"] = last["val_acc"].reindex(out["point"]).to_numpy()
    out["final_train_loss"] = last["train_loss"].reindex(out["point"]).to_numpy()
    out["epochs"] = p["epochs_done"].to_numpy()
    out["wall_s"] = p["wall_s"].to_numpy()

    t = r.traces
    for layer in LAYERS:
        weights = p[f"weights_{layer}"] if f"weights_{layer}" in p.columns else 0
        out[f"w_{layer}"] = np.asarray(weights, dtype=np.int64) if layer in r.layer_names \
            else 0
        rows = t[t["layer"] == layer]
        if rows.empty:
            for prefix in ("g0_", "gmean_", "zero_"):
                out[prefix + layer] = np.nan
            continue
        by_point = rows.groupby("point")
        first = rows[rows["step"] == 0].set_index("point")["grad_norm"]
        out[f"g0_{layer}"] = first.reindex(out["point"]).to_numpy()
        out[f"gmean_{layer}"] = by_point["grad_norm"].mean().reindex(out["point"]).to_numpy()
        zero = by_point["grad_norm"].apply(lambda g: float((g == 0.0).mean()))
        out[f"zero_{layer}"] = zero.reindex(out["point"]).to_numpy()
        # A layer the point's model does not have: no parameters, no gradient.
        absent = out[f"w_{layer}"].to_numpy() == 0
        for prefix in ("g0_", "gmean_", "zero_"):
            out.loc[absent, prefix + layer] = np.nan
    return out


def sweep_meta(r: Results) -> dict:
    """Where the table comes from: the sweep's provenance and wall time."""
    prov = r.provenance
    start, end = prov.get("start_time_utc", ""), prov.get("end_time_utc", "")
    wall = float("nan")
    if start and end:
        wall = (pd.Timestamp(end) - pd.Timestamp(start)).total_seconds()
    return {
        "table_version": TABLE_VERSION,
        "file": r.path.name,
        "points": int(r.n_points),
        "done": int(r.state_counts.get("done", 0)),
        "start_time_utc": start,
        "end_time_utc": end,
        "wall_s": wall,
        "train_s_sum": float(r.points["wall_s"].sum()),
        **{k: prov.get(k, "") for k in ("git_sha", "git_dirty", "resqunn_version", "host",
                                         "mpi_size", "kokkos_backends", "kokkos_version")},
    }


def extract(results_path: Path, tables_dir: Path, name: str) -> Path:
    """Writes ``<name>.csv`` and ``<name>.json`` (provenance) for one results file.

    Refuses a sweep with points that are not done: findings from an
    unfinished sweep would silently miss configurations.
    """
    r = load(results_path, traces=True)
    unfinished = r.n_points - int(r.state_counts.get("done", 0))
    if unfinished:
        raise DataError(f"{results_path}: {unfinished} of {r.n_points} points are not done; "
                        "finish the sweep first (run `resqunn sweep run` on it again, it "
                        "resumes) and then extract its table")
    tables_dir.mkdir(parents=True, exist_ok=True)
    table = point_table(r)
    csv = tables_dir / f"{name}.csv"
    table.to_csv(csv, index=False, float_format="%.9g")
    meta = sweep_meta(r)
    (tables_dir / f"{name}.json").write_text(json.dumps(meta, indent=2, default=str) + "\n")
    return csv


def read_table(tables_dir: Path, name: str) -> tuple[pd.DataFrame, dict]:
    """The table and provenance `extract` wrote."""
    csv, meta = tables_dir / f"{name}.csv", tables_dir / f"{name}.json"
    for path in (csv, meta):
        if not path.exists():
            raise DataError(f"{path}: no such table; extract it from the sweep's results "
                            "file first (see --help)")
    table = pd.read_csv(csv, keep_default_na=True, dtype={"depths": str, "grid": str})
    table["grid"] = table["grid"].fillna("")
    info = json.loads(meta.read_text())
    if info.get("table_version") != TABLE_VERSION:
        raise DataError(f"{meta}: table version {info.get('table_version')}, this package reads "
                        f"version {TABLE_VERSION}; extract the table again")
    return table, info
