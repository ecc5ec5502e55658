"""Per-point tables of a study sweep: what docs/results/ is generated from.

One row per done point with the hyperparameters a study compares (under
short names), its accuracies, and per trace layer its parameter count, its
gradient norm at initialisation (step 0) and over training (mean), and the
fraction of steps in which its gradient was exactly zero. The tables are
small CSV files, committed next to the findings, so that the findings can be
regenerated without the (large) HDF5 files they come from.

check_study is the one gate between a table and the findings: a table that
lacks a grid, regime, wiring or encoding the findings index (a results file
of another sweep, given as --paper or --depth) is refused with a DataError
that names what is missing and which sweep to pass instead.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataError
from .results import Results, load
from .study_stats import REGIMES, experiments

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

#: The studies: table name -> (what the page calls it, its sweep, the `studies` option that
#: takes its results).
STUDIES = {
    "paper": ("the paper study", "examples/paper.toml", "--paper"),
    "depth_scaling": ("the depth-scaling study", "examples/depth_scaling.toml", "--depth"),
}
#: The grids of each study's sweep; the depth-scaling findings read each of its grids.
STUDY_GRIDS = {
    "paper": ("two-layer", "three-layer"),
    "depth_scaling": ("depth-per-layer", "layer-count", "init-gradients"),
}
#: A training regime (study_stats.regime) in words: "has no frozen points".
REGIME_WORDS = {
    "trainable, barrier": "trainable points with barrier gradients",
    "trainable, full": "trainable points with full gradients",
    "frozen": "frozen points",
}


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


def study_table(results_path: Path, name: str) -> tuple[pd.DataFrame, dict]:
    """The per-point table and provenance of one study's results file, checked.

    Refuses a sweep with points that are not done (findings from an unfinished
    sweep would silently miss configurations) and a file whose table lacks what
    the study `name` ("paper" or "depth_scaling") reads (check_study).
    """
    r = load(results_path, traces=True)
    unfinished = r.n_points - int(r.state_counts.get("done", 0))
    if unfinished:
        states = ", ".join(f"{n} {s}" for s, n in r.state_counts.items() if s != "done" and n)
        raise DataError(f"{results_path}: {unfinished} of {r.n_points} points are not done "
                        f"({states})",
                        "finish the sweep first: run the same `resqunn sweep run` on this file "
                        "again (it resumes, skipping the done points), then run studies again")
    table = point_table(r)
    _, spec, option = STUDIES[name]
    check_study(table, name, results_path,
                f"pass the results of `resqunn sweep run {spec}` as {option}")
    return table, sweep_meta(r)


def write_table(table: pd.DataFrame, meta: dict, tables_dir: Path, name: str) -> Path:
    """Writes ``<name>.csv`` and ``<name>.json`` (provenance) into `tables_dir`."""
    tables_dir.mkdir(parents=True, exist_ok=True)
    csv = tables_dir / f"{name}.csv"
    table.to_csv(csv, index=False, float_format="%.9g")
    (tables_dir / f"{name}.json").write_text(json.dumps(meta, indent=2, default=str) + "\n")
    return csv


def extract(results_path: Path, tables_dir: Path, name: str) -> Path:
    """Writes ``<name>.csv`` and ``<name>.json`` (provenance) for one results file,
    once study_table has checked it; nothing is written for a file it refuses."""
    return write_table(*study_table(results_path, name), tables_dir, name)


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
    if name in STUDIES:
        _, spec, option = STUDIES[name]
        check_study(table, name, csv, f"extract {csv.name} again from the results of `resqunn "
                    f"sweep run {spec}` (studies {option} H5 ...)")
    return table, info


# --- what each study reads ------------------------------------------------------------------


def check_study(table: pd.DataFrame, name: str, source: Path, fix: str) -> None:
    """Refuses a per-point table that lacks what the findings of study `name` index.

    The paper study ("paper") compares, per experiment (grid x head), every residual
    wiring in three regimes -- trainable layers with barrier and with full gradients,
    frozen layers -- against the plain chain (`none`), and needs a two-layer experiment;
    the depth-scaling study ("depth_scaling") reads each of its three grids. Raises a
    DataError naming `source`, what it lacks and the sweep it takes, with `fix`.
    """
    gaps = _paper_gaps(table) if name == "paper" else _depth_gaps(table)
    if not gaps:
        return
    label, spec, _ = STUDIES[name]
    other = next(n for n in STUDIES if n != name)
    if set(table["grid"]) & set(STUDY_GRIDS[other]):
        fix += (f" (this file looks like the results of {STUDIES[other][1]}, which go to "
                f"{STUDIES[other][2]})")
    raise DataError(f"{source}: {'; '.join(gaps)}: {label} needs the sweep of {spec}", fix)


def _none_of(words: list) -> str:
    return "no " + " and no ".join(words)


def _paper_gaps(table: pd.DataFrame) -> list:
    """What the paper findings (study_findings.paper_findings) would miss in `table`."""
    if table.empty:
        return ["has no points"]
    exps = experiments(table)
    found = set().union(*(set(rows["regime"]) for _, rows in exps))
    missing = [REGIME_WORDS[r] for r in REGIMES if r not in found]
    if missing:
        return [f"has {_none_of(missing)}"]
    where: dict = {}  # what an experiment lacks -> the experiments that lack it
    for title, rows in exps:
        wirings = {reg: set(rows.loc[rows["regime"] == reg, "residual"]) for reg in REGIMES}
        lacking = [REGIME_WORDS[reg] for reg in REGIMES if not wirings[reg]]
        every = set().union(*wirings.values())
        gaps = [_none_of(lacking)] if lacking else [
            f"no {REGIME_WORDS[reg]} of the wiring(s) {', '.join(sorted(every - wirings[reg]))}"
            for reg in REGIMES if wirings[reg] != every]
        if "none" not in every:
            gaps.append("no points with residual none (the plain chain the wirings are "
                        "measured against)")
        elif len(every) < 2:
            gaps.append("no residual wiring besides none")
        for gap in gaps:
            where.setdefault(gap, []).append(f"'{title}'")
    out = [f"has {gap} in the experiment{'s' if len(titles) > 1 else ''} {', '.join(titles)}"
           for gap, titles in where.items()]
    if not any(title.startswith("2 layers") for title, _ in exps):
        out.append("has no two-layer experiment")
    return out


def _depth_gaps(table: pd.DataFrame) -> list:
    """What the depth-scaling findings (study_findings.depth_findings) would miss."""
    grids = STUDY_GRIDS["depth_scaling"]
    missing = [g for g in grids if not (table["grid"] == g).any()]
    if missing:
        return [f"has no points of the grid{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)}"]
    gaps = []
    per_layer = table[table["grid"] == "depth-per-layer"]
    if (per_layer["layers"] != 2).any():
        gaps.append("its depth-per-layer grid has points without exactly two layers")
    else:
        depths = per_layer["depths"].astype(str).str.split(",", expand=True).astype(int)
        if not (depths[1] == 1).any():
            gaps.append("its depth-per-layer grid has no points with QCL2 at depth 1 (the "
                        "series that varies QCL1)")
        if not (depths[0] == 4).any():
            gaps.append("its depth-per-layer grid has no points with QCL1 at depth 4 (the "
                        "series that varies QCL2)")
    trained = table[table["grid"].isin(grids[:2])]
    encodings = [e for e in ("angle", "amplitude") if not (trained["encoding"] == e).any()]
    if encodings:
        gaps.append(f"has {_none_of(encodings)}-encoded points in its depth-per-layer and "
                    "layer-count grids (the encoding comparison needs angle and amplitude)")
    init = table[table["grid"] == "init-gradients"]
    if (init["layers"] != 1).any():
        gaps.append("its init-gradients grid has points with more than one layer")
    elif not (init.groupby(["encoding", "depths"])["qubits"].nunique() >= 2).any():
        gaps.append("its init-gradients grid has no encoding and depth with two or more qubit "
                    "counts (the fit of the gradient variance against the qubits needs two)")
    return gaps
