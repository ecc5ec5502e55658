"""resqunn results files (HDF5, docs/hdf5-schema.md) as pandas tables.

``load(path)`` reads one results file -- written by ``resqunn train`` or
``resqunn sweep run`` -- into a :class:`Results`: tidy DataFrames of the
points, their epochs, per-class accuracies and gradient traces, plus the
confusion matrices, provenance and the spec. It is safe to call while a sweep
is still writing the file: it opens the file read-only without HDF5's file
lock, reads each point's state before the rest (a point's state is written
last, so a ``done`` read first vouches for everything read after it), closes
the file before returning, and retries briefly when the file is still being
created. By default only points whose state is ``done`` are kept.

This module imports h5py; nothing here sets global state (the lock is turned
off per open with h5py's ``locking=False``, or, on an h5py too old for that,
with ``HDF5_USE_FILE_LOCKING=FALSE``).
"""

from __future__ import annotations

import errno
import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence, Union

import numpy as np
import pandas as pd

try:
    import tomllib
except ImportError:  # Python < 3.11: configs are only needed without model.depths
    tomllib = None

from .errors import DataError, MissingDataError, UsageError

PathLike = Union[str, "os.PathLike[str]"]

SCHEMA = "resqunn-results"
#: The fix of a results file that lacks something (or has it in the wrong shape).
FIX_DAMAGED = ("check the path; if it is the right file, it is incomplete or from an "
               "incompatible program and `resqunn sweep run` cannot resume it either: run the "
               "sweep (or `resqunn train`) that wrote it again, into another -o or with "
               "--overwrite")
#: The fix of a path that is not a results file at all.
FIX_NOT_RESULTS = ("check the path: give the .h5 file that `resqunn train` or "
                   "`resqunn sweep run` wrote (their -o)")
#: The newest schema version this reader understands; newer files are refused.
SCHEMA_VERSION = 1
#: /points/state values, used when the file's `states` attribute is missing.
STATE_NAMES = ("pending", "running", "done", "failed")
DONE = 2
#: Per-epoch metrics under /metrics, in the column order of `Results.epochs`.
EPOCH_METRICS = ("train_loss", "train_acc", "val_loss", "val_acc", "wall_s", "images_per_s")
#: Metrics that measure time: they differ between identical runs.
TIMING_METRICS = ("wall_s", "images_per_s")
#: Per-step, per-layer gradient statistics under /traces.
TRACE_STATS = ("grad_norm", "grad_mean_abs", "grad_max_abs")
#: Hyperparameters that only change the random draw (replicates of a configuration).
SEED_SUFFIX = ".seed"
#: The hyperparameter holding the per-layer ansatz depths.
DEPTHS_PARAM = "model.depths"
#: The hyperparameter that only says where a run wrote its file, not what it trained.
OUTPUT_PARAM = "output.path"

_INT_RE = re.compile(r"[+-]?\d+\Z")
_FLOAT_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z")
_BOOLS = {"true": True, "false": False}


@dataclass
class Results:
    """The contents of one results file, as loaded by :func:`load`.

    Frames are keyed by ``point``, the point's index p in the file (row p of
    every array), so ``results.epochs.merge(results.points, on="point")``
    attaches hyperparameters to epochs. Only the points selected when loading
    appear in the frames (done points, unless ``include_running``).
    """

    path: Path
    schema_version: int
    #: One row per point: point, id, state, epochs_done, best_val_acc, wall_s,
    #: weight_count, then every hyperparameter (spec order) converted to
    #: numbers/bools where its values parse, then the derived layers and
    #: depth_QCL1, depth_QCL2, ..., then weights_QCL1, ..., weights_head (the
    #: point's parameters per trace layer; 0 for layers its model lacks).
    points: pd.DataFrame
    #: Long: point, epoch, train_loss, train_acc, val_loss, val_acc, wall_s,
    #: images_per_s -- only epochs that were written.
    epochs: pd.DataFrame
    #: Long: point, step, epoch, layer, grad_norm, grad_mean_abs, grad_max_abs,
    #: loss -- only steps written, only layers the point's model has.
    traces: pd.DataFrame
    #: Long: point, epoch, class, class_name, val_acc -- validation accuracy per class.
    class_acc: pd.DataFrame
    #: point -> final validation confusion matrix [true class, predicted class]
    #: (int64 counts), for points whose matrix was written.
    confusion: dict
    #: point -> final weights (float64, weight_count values); only with
    #: ``load(..., weights=True)``, else empty.
    weights: dict
    #: point -> the point's full config (canonical TOML).
    configs: dict
    #: The /provenance attributes (str, or int for git_dirty and mpi_size).
    provenance: dict
    #: The TOML the run or sweep was started from.
    spec: str
    #: Hyperparameter names in spec order (the columns /points/params holds).
    param_names: list
    #: The hyperparameters as written in the file (strings, "" = not set), one
    #: row per loaded point, index aligned with `points`.
    params_raw: pd.DataFrame
    class_names: list
    layer_names: list
    #: Points per state over the whole file (all states, whatever was loaded).
    state_counts: dict
    #: Points in the file (P), loaded or not.
    n_points: int
    #: Array sizes of the file: E (epochs), S (steps), W (weights).
    n_epochs: int
    n_steps: int
    n_weights: int
    include_running: bool = False
    derived_columns: list = field(default_factory=list)

    # -- convenience ---------------------------------------------------------------------------

    @property
    def seed_params(self) -> list:
        """Hyperparameters that are seeds (``data.seed``, ``model.seed``, ``train.seed``)."""
        return [n for n in self.param_names if n.endswith(SEED_SUFFIX)]

    def varying(self, columns: Iterable[str] | None = None, exclude_seeds: bool = False) -> list:
        """Columns (default: every hyperparameter) with more than one distinct value.

        Missing values (a key a point does not have, such as a third layer's
        kernel in a two-layer model) are ignored: a column varies only if the
        points that have it disagree. Order: as given (spec order by default).
        """
        cols = list(self.param_names if columns is None else columns)
        if exclude_seeds:
            cols = [c for c in cols if not c.endswith(SEED_SUFFIX)]
        out = []
        for c in cols:
            if c not in self.points.columns:
                continue
            values = self.points[c].dropna()
            if values.astype(str).nunique() > 1:
                out.append(c)
        return out

    def with_params(self, frame: pd.DataFrame, columns: Sequence[str] | None = None
                    ) -> pd.DataFrame:
        """`frame` (keyed by ``point``) with columns of `points` joined on (default: all)."""
        cols = list(self.points.columns if columns is None else columns)
        cols = [c for c in cols if c != "point" and c not in frame.columns]
        return frame.merge(self.points[["point", *cols]], on="point", how="left")

    def summary(self) -> str:
        """``PATH: P points: a done, b running, c pending, d failed`` (like `resqunn status`)."""
        order = ("done", "running", "pending", "failed")
        extra = [s for s in self.state_counts if s not in order]
        parts = ", ".join(f"{self.state_counts.get(s, 0)} {s}" for s in (*order, *extra))
        return f"{self.path}: {self.n_points} points: {parts}"


# --- reading --------------------------------------------------------------------------------


def load(path: PathLike, include_running: bool = False, traces: bool = True,
         weights: bool = False, retries: int = 5, retry_delay: float = 0.2) -> Results:
    """Reads a resqunn results file into a :class:`Results`.

    include_running: keep every point, whatever its state (pending, running,
        failed: their rows hold what was written so far; the ``state`` column
        says which); by default only points whose state is ``done`` are kept,
        the only ones whose results the writer vouches for.
    traces: read /traces (the largest arrays of a big sweep); ``False`` leaves
        `Results.traces` empty.
    weights: read the final weights into `Results.weights`.
    retries, retry_delay: a file that cannot be read (e.g. one a sweep is
        still creating) is retried this often, this many seconds apart.

    Raises FileNotFoundError (naming the file) if there is no such file and
    DataError (a ValueError whose message starts with the path) if it is not
    an HDF5 file, not a resqunn results file (root attribute ``schema``), of
    a newer schema version, or damaged.
    """
    p = Path(path)
    if not p.exists():
        raise _os_error(FileNotFoundError, errno.ENOENT, p, FIX_NOT_RESULTS)
    if p.is_dir():
        raise _os_error(IsADirectoryError, errno.EISDIR, p, FIX_NOT_RESULTS)
    last: Exception | None = None
    for attempt in range(max(0, retries) + 1):
        if attempt:
            time.sleep(retry_delay)
        try:
            with _open(p) as f:
                return _read(_Reader(f, p), p, include_running, traces, weights)
        except _NotResults as e:
            last = e
            # A file being created may not have its attributes yet: retry,
            # but only as long as it could be a results file in the making.
            if not e.retryable:
                break
        except DataError as e:
            # Named by _Reader: a published file lacks it (resqunn renames a
            # file into place only once it is complete), so waiting cannot help.
            last = e
            break
        except (OSError, KeyError, ValueError, TypeError, IndexError) as e:
            last = e
    assert last is not None
    if isinstance(last, _NotResults):
        raise DataError(f"{p}: {last.message}", last.fix) from None
    if isinstance(last, DataError):  # from _Reader: names what is missing or wrong
        raise last from None
    import h5py

    if not h5py.is_hdf5(str(p)):
        raise DataError(f"{p}: not an HDF5 file, so not a resqunn results file "
                        "(docs/hdf5-schema.md)", FIX_NOT_RESULTS) from None
    raise DataError(f"{p}: cannot read this results file (damaged, or still being "
                    f"created?): {type(last).__name__}: {last}", FIX_DAMAGED) from last


def _os_error(cls, code: int, path: Path, fix: str) -> OSError:
    """`cls(code, strerror, path)` carrying a `fix` (the CLI prints it under the error)."""
    e = cls(code, os.strerror(code), str(path))
    e.fix = fix
    return e


class _NotResults(Exception):
    def __init__(self, message: str, retryable: bool, fix: str = FIX_NOT_RESULTS):
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.fix = fix


class _Reader:
    """The one place `load` reaches into the HDF5 file.

    ``r["points/state"]`` is the dataset, ``r.group("provenance")`` the group;
    when one is not there (or is a dataset where a group belongs, or the
    reverse) they raise MissingDataError (a DataError) naming the file and the
    first missing HDF5 path, instead of h5py's bare KeyError. Read-only:
    nothing here writes to the file.
    """

    def __init__(self, f, path: Path):
        self.f = f
        self.path = path
        self.attrs = f.attrs

    def __contains__(self, name: str) -> bool:
        return name in self.f

    def __getitem__(self, name: str):
        return self._get(name, want_group=False)

    def group(self, name: str):
        return self._get(name, want_group=True)

    def _get(self, name: str, want_group: bool):
        import h5py

        parts = [part for part in name.split("/") if part]
        node = self.f
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            where = "/" + "/".join(parts[:i + 1])
            kind = ("group" if want_group else "dataset") if last else "group"
            if not isinstance(node, h5py.Group) or part not in node:
                raise self._missing(where, kind)
            node = node[part]
            if (want_group or not last) != isinstance(node, h5py.Group):
                other = "group" if isinstance(node, h5py.Group) else "dataset"
                raise DataError(f"{self.path}: not a complete resqunn results file: {where} "
                                f"is a {other}, where one has a {kind} (docs/hdf5-schema.md)",
                                FIX_DAMAGED)
        return node

    def _missing(self, where: str, kind: str) -> MissingDataError:
        return MissingDataError(
            f"{self.path}: not a complete resqunn results file: {kind} {where} is missing "
            "(docs/hdf5-schema.md lists what one holds)",
            FIX_DAMAGED, path=str(self.path), missing=where, kind=kind)


def _open(path: Path):
    import h5py

    try:
        return h5py.File(path, "r", locking=False)
    except TypeError:
        # h5py < 3.5 has no `locking`; HDF5 reads the variable at every open.
        os.environ["HDF5_USE_FILE_LOCKING"] = "FALSE"
        return h5py.File(path, "r")
    except ValueError as e:
        if "locking" not in str(e):
            raise
        os.environ["HDF5_USE_FILE_LOCKING"] = "FALSE"  # HDF5 < 1.10.7
        return h5py.File(path, "r")


def _str(value) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray) and value.shape == ():
        return _str(value[()])
    return str(value)


def _attr_value(value):
    if isinstance(value, (bytes, str)):
        return _str(value)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return [_attr_value(v) for v in value.tolist()] if value.ndim else _attr_value(value[()])
    return value


def _strings(ds) -> np.ndarray:
    if ds.shape == (0,):
        return np.array([], dtype=object)
    return np.array([_str(v) for v in ds.asstr()[...]], dtype=object)


def _rows(ds, sel: np.ndarray, n_all: int) -> np.ndarray:
    """Rows `sel` (sorted point indices) of dataset `ds`, as an array."""
    if len(sel) == n_all:
        return ds[...]
    if len(sel) == 0 or 0 in ds.shape:
        return np.empty((len(sel), *ds.shape[1:]), dtype=ds.dtype)
    if len(sel) * 2 > n_all:  # most rows: one contiguous read beats fancy indexing
        return ds[...][sel]
    return ds[sel.tolist()]


def _read(f: _Reader, path: Path, include_running: bool, want_traces: bool, want_weights: bool
          ) -> Results:
    schema = _str(f.attrs["schema"]) if "schema" in f.attrs else None
    if schema != SCHEMA:
        what = "has no root attribute 'schema'" if schema is None else \
            f"its root attribute 'schema' is {schema!r}"
        raise _NotResults(f"not a resqunn results file ({what}, expected {SCHEMA!r}; "
                          "docs/hdf5-schema.md)", retryable=schema is None)
    if "schema_version" not in f.attrs:
        raise _NotResults("not a resqunn results file (no root attribute 'schema_version')",
                          retryable=True)
    version = int(f.attrs["schema_version"])
    if version > SCHEMA_VERSION:
        raise _NotResults(f"schema_version {version} is newer than this reader understands "
                          f"({SCHEMA_VERSION})", retryable=False,
                          fix="update resqunn_analysis (analysis/ of the resqunn that wrote "
                          "the file)")

    # The state first: it is written last, so `done` read now vouches for every
    # value read below (writes reach the file in program order).
    state_ds = f["points/state"]
    state = np.asarray(state_ds[...], dtype=np.int64)
    names = state_ds.attrs.get("states")
    state_names = [_str(s) for s in names] if names is not None else list(STATE_NAMES)
    n_all = len(state)
    epochs_done = np.asarray(f["points/epochs_done"][...], dtype=np.int64)
    best = np.asarray(f["points/best_val_acc"][...], dtype=np.float64)
    wall = np.asarray(f["points/wall_s"][...], dtype=np.float64)
    weight_count = np.asarray(f["points/weight_count"][...], dtype=np.int64)
    sel = np.arange(n_all) if include_running else np.flatnonzero(state == DONE)

    def state_name(v: int) -> str:
        return state_names[v] if 0 <= v < len(state_names) else f"state {v}"

    counts = {s: 0 for s in state_names}
    for v, c in zip(*np.unique(state, return_counts=True)):
        counts[state_name(int(v))] = int(c)

    ids = _strings(f["points/id"])
    configs_all = _strings(f["points/config"])
    param_names = [str(n) for n in _strings(f["points/param_names"])]
    raw = {n: _strings(f["points/params/" + n])[sel] for n in param_names}
    params_raw = pd.DataFrame(raw, columns=param_names, index=pd.RangeIndex(len(sel)))

    points = pd.DataFrame({
        "point": sel.astype(np.int64),
        "id": ids[sel],
        "state": [state_name(int(v)) for v in state[sel]],
        "epochs_done": epochs_done[sel],
        "best_val_acc": best[sel],
        "wall_s": wall[sel],
        "weight_count": weight_count[sel],
    })
    columns = {n: convert_param(raw[n]) for n in param_names}
    configs = {int(p): configs_all[p] for p in sel}
    derived = derive_depth_columns(
        raw.get(DEPTHS_PARAM), [configs[int(p)] for p in sel] if DEPTHS_PARAM not in raw else None)
    points = pd.concat([points, pd.DataFrame(columns, index=points.index),
                        pd.DataFrame(derived, index=points.index)], axis=1)

    # /metrics
    metrics = {m: np.asarray(_rows(f["metrics/" + m], sel, n_all), dtype=np.float64)
               for m in EPOCH_METRICS}
    n_epochs = int(f["metrics/val_acc"].shape[1])
    written = np.zeros((len(sel), n_epochs), dtype=bool)
    for m in EPOCH_METRICS:
        written |= ~np.isnan(metrics[m])
    pi, ei = np.nonzero(written)
    epochs = pd.DataFrame({"point": sel[pi].astype(np.int64), "epoch": ei.astype(np.int64),
                           **{m: metrics[m][pi, ei] for m in EPOCH_METRICS}})

    class_names = [str(c) for c in _strings(f["metrics/class_names"])]
    k = len(class_names)
    if k and n_epochs:
        cacc = np.asarray(_rows(f["metrics/val_class_acc"], sel, n_all), dtype=np.float64)
        pi, ei, ci = np.nonzero(~np.isnan(cacc))
        class_acc = pd.DataFrame({"point": sel[pi].astype(np.int64), "epoch": ei.astype(np.int64),
                                  "class": ci.astype(np.int64),
                                  "class_name": np.array(class_names, dtype=object)[ci],
                                  "val_acc": cacc[pi, ei, ci]})
    else:
        class_acc = pd.DataFrame({"point": pd.Series(dtype=np.int64),
                                  "epoch": pd.Series(dtype=np.int64),
                                  "class": pd.Series(dtype=np.int64),
                                  "class_name": pd.Series(dtype=object),
                                  "val_acc": pd.Series(dtype=np.float64)})
    confusion = {}
    if k:
        conf = np.asarray(_rows(f["metrics/confusion"], sel, n_all), dtype=np.int64)
        for i, p in enumerate(sel):
            if (conf[i] >= 0).all():
                confusion[int(p)] = conf[i].copy()

    # /weights/layer_offsets: trainable parameters per trace layer
    layer_names = [str(n) for n in _strings(f["traces/layer_names"])]
    if "weights/layer_offsets" in f and layer_names:
        offsets = np.asarray(_rows(f["weights/layer_offsets"], sel, n_all), dtype=np.int64)
        known = (offsets >= 0).all(axis=1)
        for k, name in enumerate(layer_names):
            column = f"weights_{name}"
            layer_weights = pd.array(np.where(known, offsets[:, k + 1] - offsets[:, k], -1),
                                     dtype="Int64")
            layer_weights[~known] = pd.NA
            points[column] = _tighten(layer_weights)
            derived[column] = points[column]

    # /traces
    n_steps = int(f["traces/loss"].shape[1])
    if want_traces:
        traces = _read_traces(f, sel, n_all, layer_names, points)
    else:
        traces = _empty_traces()

    # /weights
    n_weights = int(f["weights/final"].shape[1])
    weights = {}
    if want_weights and n_weights:
        final = np.asarray(_rows(f["weights/final"], sel, n_all), dtype=np.float64)
        for i, p in enumerate(sel):
            count = int(weight_count[p])
            if count >= 0 and not np.isnan(final[i, :count]).all():
                weights[int(p)] = final[i, :count].copy()

    provenance = {str(key): _attr_value(value)
                  for key, value in f.group("provenance").attrs.items()} \
        if "provenance" in f else {}
    spec = _str(f["spec"].asstr()[()]) if "spec" in f else ""

    return Results(
        path=path, schema_version=version, points=points, epochs=epochs, traces=traces,
        class_acc=class_acc, confusion=confusion, weights=weights, configs=configs,
        provenance=provenance, spec=spec, param_names=param_names, params_raw=params_raw,
        class_names=class_names, layer_names=layer_names, state_counts=counts,
        n_points=n_all, n_epochs=n_epochs, n_steps=n_steps, n_weights=n_weights,
        include_running=include_running, derived_columns=list(derived))


def _empty_traces() -> pd.DataFrame:
    return pd.DataFrame({"point": pd.Series(dtype=np.int64), "step": pd.Series(dtype=np.int64),
                         "epoch": pd.Series(dtype="Int64"), "layer": pd.Series(dtype=object),
                         **{s: pd.Series(dtype=np.float64) for s in TRACE_STATS},
                         "loss": pd.Series(dtype=np.float64)})


def _read_traces(f: _Reader, sel: np.ndarray, n_all: int, layer_names: list, points: pd.DataFrame
                 ) -> pd.DataFrame:
    if not len(sel) or not layer_names or f["traces/loss"].shape[1] == 0:
        return _empty_traces()
    stats = {s: np.asarray(_rows(f["traces/" + s], sel, n_all), dtype=np.float64)
             for s in TRACE_STATS}
    loss = np.asarray(_rows(f["traces/loss"], sel, n_all), dtype=np.float64)
    written = np.zeros(stats["grad_norm"].shape, dtype=bool)
    for s in TRACE_STATS:
        written |= ~np.isnan(stats[s])
    pi, si, li = np.nonzero(written)
    frame = pd.DataFrame({"point": sel[pi].astype(np.int64), "step": si.astype(np.int64)})
    frame["epoch"] = _step_epochs(points, pi, si)
    frame["layer"] = np.array(layer_names, dtype=object)[li]
    for s in TRACE_STATS:
        frame[s] = stats[s][pi, si, li]
    frame["loss"] = loss[pi, si]
    return frame


def _step_epochs(points: pd.DataFrame, pi: np.ndarray, si: np.ndarray):
    """The epoch of each traced step: step // ceil(data.train / train.batch_size).

    `pi` indexes rows of `points`; <NA> where the sizes are unknown.
    """
    if "data.train" not in points.columns or "train.batch_size" not in points.columns:
        return pd.array([None] * len(pi), dtype="Int64")
    train = pd.to_numeric(points["data.train"], errors="coerce").to_numpy(dtype=float)
    batch = pd.to_numeric(points["train.batch_size"], errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        per = np.ceil(train / batch)[pi]
    ok = np.isfinite(per) & (per > 0)
    values = si // np.where(ok, per, 1).astype(np.int64)
    return _tighten(pd.arrays.IntegerArray(values.astype(np.int64), ~ok))


# --- hyperparameter values ------------------------------------------------------------------


def parse_value(text: str):
    """One hyperparameter value as written in the file -> bool, int, float, str or None.

    ``""`` (not set) is None; ``true``/``false`` are bools; integers and
    finite floats in TOML's decimal syntax are numbers; a quoted TOML string
    loses its quotes; anything else (arrays such as ``[1, 1]``, names) is
    kept as written.
    """
    if text == "":
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    if _INT_RE.match(text):
        return int(text)
    if _FLOAT_RE.match(text):
        return float(text)
    if len(text) >= 2 and text[0] == text[-1] == '"':
        try:
            return str(json.loads(text))
        except ValueError:
            return text[1:-1]
    return text


def convert_param(raw: Sequence[str]) -> pd.Series:
    """A column of hyperparameter strings -> one pandas column of a single kind.

    All values (ignoring unset ones) bools -> bool (``boolean`` if some are
    unset); all integers -> int64 (``Int64`` if some are unset, values
    beyond int64 -> float); all numbers -> float64; otherwise strings
    (quoted TOML strings unquoted, arrays as written), unset = None.
    """
    values = [parse_value(str(v)) for v in raw]
    present = [v for v in values if v is not None]
    missing = len(present) != len(values)
    if present and all(isinstance(v, bool) for v in present):
        return pd.Series(pd.array(values, dtype="boolean")) if missing else \
            pd.Series(np.array(values, dtype=bool))
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        if all(-2**63 <= v < 2**63 for v in present):
            return pd.Series(pd.array(values, dtype="Int64")) if missing else \
                pd.Series(np.array(values, dtype=np.int64))
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return pd.Series(np.array([np.nan if v is None else float(v) for v in values]))
    return pd.Series([None if v is None else (v if isinstance(v, str) else str(raw[i]))
                      for i, v in enumerate(values)], dtype=object)


def parse_depths(text: str | None) -> list | None:
    """``"[4, 1]"`` -> ``[4, 1]``; None for unset or unparsable values."""
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if isinstance(value, list) and all(isinstance(d, int) and not isinstance(d, bool)
                                       for d in value):
        return value
    return None


def _depths_from_config(config: str) -> list | None:
    if tomllib is None:
        return None
    try:
        value = tomllib.loads(config).get("model", {}).get("depths")
    except (tomllib.TOMLDecodeError, AttributeError):
        return None
    return value if isinstance(value, list) else None


def derive_depth_columns(depths_raw: Sequence[str] | None, configs: Sequence[str] | None
                         ) -> dict:
    """The derived columns ``layers`` and ``depth_QCL1``, ``depth_QCL2``, ...

    From the ``model.depths`` strings, else from each point's config. A point
    without layer k has <NA> in ``depth_QCLk``.
    """
    if depths_raw is not None:
        depths = [parse_depths(str(t)) for t in depths_raw]
    elif configs is not None:
        depths = [_depths_from_config(c) for c in configs]
    else:
        return {}
    if not any(d is not None for d in depths):
        return {}
    n = max(len(d) for d in depths if d is not None)
    out = {"layers": pd.array([None if d is None else len(d) for d in depths], dtype="Int64")}
    for k in range(n):
        out[f"depth_QCL{k + 1}"] = pd.array(
            [d[k] if d is not None and k < len(d) else None for d in depths], dtype="Int64")
    return {name: _tighten(col) for name, col in out.items()}


def _tighten(col):
    """A nullable Int64 array without missing values -> plain int64."""
    if not pd.isna(col).any():
        return np.asarray(col, dtype=np.int64)
    return col


def require_columns(results: Results, columns: Iterable[str], option: str) -> list:
    """`columns`, checked to be columns of `results.points`; UsageError naming `option`."""
    cols = list(columns)
    unknown = [c for c in cols if c not in results.points.columns]
    if unknown:
        known = [c for c in results.points.columns if c not in ("point", "id")]
        raise UsageError(f"{option}: no column {', '.join(map(repr, unknown))} in "
                         f"{results.path}; columns: {', '.join(known)}")
    return cols
