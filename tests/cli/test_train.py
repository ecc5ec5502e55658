"""`resqunn train CONFIG -o OUT`: tiny training runs end to end, checked
through the results file (docs/hdf5-schema.md) with h5py."""
import hashlib
import json
import math
import os
import re
import tomllib

import pytest

os.environ.setdefault("HDF5_USE_FILE_LOCKING", "FALSE")
import h5py  # noqa: E402  (after the locking switch, which HDF5 reads once)
import numpy as np  # noqa: E402

EXIT_FAILURE = 1
EXIT_USAGE = 2
STATE_DONE = 2

TRAIN, VALIDATION, BATCH, EPOCHS = 200, 50, 32, 2
STEPS = EPOCHS * math.ceil(TRAIN / BATCH)  # 14: the last batch of an epoch has 8 images
CLASSES = 10

# Weights of the base model, by hand: 14x14 input, two paper-ansatz layers of
# depth 1 on 2x2 windows with stride 2 (4 qubits, 2 * 4 * 1 = 8 weights each):
# QCL1 1x14x14 -> 4x7x7, QCL2 reads X+O1 (4x7x7) -> 4x3x3, the dense head
# reads X+O1+O2 (4x3x3 = 36 features): 10 * 36 + 10 = 370 weights.
QCL_WEIGHTS = 2 * 4 * 1
HEAD_WEIGHTS = CLASSES * 36 + CLASSES
WEIGHTS = 2 * QCL_WEIGHTS + HEAD_WEIGHTS
LAYER_NAMES = ["QCL1", "QCL2", "head"]

# Every value must be identical between runs; wall times and throughputs
# (metrics/wall_s, metrics/images_per_s, points/wall_s) are not.
DETERMINISTIC = [
    "metrics/train_loss", "metrics/train_acc", "metrics/val_loss", "metrics/val_acc",
    "metrics/val_class_acc", "metrics/confusion", "traces/grad_norm",
    "traces/grad_mean_abs", "traces/grad_max_abs", "traces/loss", "weights/final",
    "weights/layer_offsets", "points/best_val_acc", "points/epochs_done", "points/state",
    "points/weight_count",
]


# --- helpers -----------------------------------------------------------------

def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v)  # a JSON string of ASCII text is a TOML basic string
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return repr(v)


def base_config(dataset):
    return {
        "data": {"dataset": dataset, "image_size": 14, "train": TRAIN,
                 "validation": VALIDATION, "seed": 3},
        "model": {"depths": [1, 1], "residual": "(X+O1)+O2", "gradient_mode": "barrier"},
        "train": {"batch_size": BATCH, "micro_batch": 8, "epochs": EPOCHS, "lr": 0.02},
        "output": {"path": "unused.h5"},
    }


def write_config(path, dataset, **overrides):
    """Writes the base config with overrides given as section__key=value
    (e.g. model__residual="none", trace__full=True)."""
    tables = base_config(dataset)
    for dotted, value in overrides.items():
        section, key = dotted.rsplit("__", 1)
        tables.setdefault(section.replace("__", "."), {})[key] = value
    lines = []
    for section, keys in tables.items():
        lines.append(f"[{section}]")
        lines += [f"{k} = {toml_value(v)}" for k, v in keys.items()]
        lines.append("")
    path.write_text("\n".join(lines))
    return path


def train(resqunn, config, out, data_dir, *extra, **kwargs):
    args = ["train", config, "--data-dir", data_dir, *extra]
    if out is not None:
        args[2:2] = ["-o", out]
    return resqunn(*args, **kwargs)


def h5files(directory):
    return sorted(p.name for p in directory.iterdir() if p.suffix == ".h5")


def read(path, names):
    """Datasets as numpy arrays; string datasets as nested lists of str."""
    out = {}
    with h5py.File(path, "r") as f:
        for name in names:
            d = f[name]
            out[name] = (np.asarray(d.asstr()[()]).tolist() if h5py.check_string_dtype(d.dtype)
                         else d[()])
    return out


def assert_same(a, b, names):
    for name in names:
        x, y = a[name], b[name]
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and x.shape == y.shape, name
            # Bit-identical, NaNs included (bytes compare NaN payloads too).
            assert x.tobytes() == y.tobytes(), f"{name} differs between identical runs"
        else:
            assert x == y, f"{name} differs between identical runs"


@pytest.fixture(scope="module")
def run(tmp_path_factory, resqunn, training_data):
    """The base config trained once; its results file, stderr and dataset."""
    data_dir, dataset = training_data
    d = tmp_path_factory.mktemp("train")
    config = write_config(d / "tiny.toml", dataset)
    out = d / "tiny.h5"
    r = train(resqunn, config, out, data_dir, env={"RESQUNN_LOG_LEVEL": "info"})
    assert r.returncode == 0, r.stderr
    return {"path": out, "stderr": r.stderr, "config": config, "dataset": dataset,
            "data_dir": data_dir}


# --- the results file of one run ---------------------------------------------

def test_schema_and_spec(run):
    with h5py.File(run["path"], "r") as f:
        assert f.attrs["schema"] == "resqunn-results"
        assert f.attrs["schema_version"] == 1
        spec = f["spec"].asstr()[()]
        config = f["points/config"].asstr()[...]
        assert config.shape == (1,)
        assert spec == config[0]
        assert f["points/config_sha256"].asstr()[0] == hashlib.sha256(spec.encode()).hexdigest()
        assert re.fullmatch(r"[0-9a-f]{16}", f["points/id"].asstr()[0])
        assert [d.label for d in f["metrics/val_acc"].dims] == ["point", "epoch"]
        class_names = list(f["metrics/class_names"].asstr()[...])
        assert len(class_names) == CLASSES
        if run["dataset"] == "mnist":
            assert class_names == [str(k) for k in range(CLASSES)]
        names = list(f["points/param_names"].asstr()[...])
        params = {n: f["points/params"][n].asstr()[0] for n in names}
    parsed = tomllib.loads(spec)  # the canonical config: every key, defaults included
    assert parsed["data"]["dataset"] == run["dataset"]
    assert parsed["data"]["train"] == TRAIN and parsed["data"]["validation"] == VALIDATION
    assert parsed["model"]["residual"] == "(X+O1)+O2"
    assert parsed["model"]["depths"] == [1, 1]
    assert len(parsed["model"]["layers"]) == 2
    assert parsed["train"]["epochs"] == EPOCHS and parsed["train"]["batch_size"] == BATCH
    assert parsed["train"]["optimizer"] == "adam"  # a default, written out
    assert parsed["trace"]["full"] is False
    assert "model.residual" in names and "train.lr" in names
    assert params["train.epochs"] == str(EPOCHS)
    assert "X+O1" in params["model.residual"]


def test_point_state_and_summary(run):
    with h5py.File(run["path"], "r") as f:
        assert f["points/state"][...].tolist() == [STATE_DONE]
        assert f["points/epochs_done"][...].tolist() == [EPOCHS]
        assert f["points/weight_count"][...].tolist() == [WEIGHTS]
        val_acc = f["metrics/val_acc"][0]
        assert f["points/best_val_acc"][0] == val_acc.max()
        assert f["points/wall_s"][0] > 0


def test_metrics(run):
    with h5py.File(run["path"], "r") as f:
        m = {k: f["metrics"][k][...] for k in
             ("train_loss", "train_acc", "val_loss", "val_acc", "wall_s", "images_per_s")}
        class_acc = f["metrics/val_class_acc"][...]
        confusion = f["metrics/confusion"][...]
    for name, values in m.items():
        assert values.shape == (1, EPOCHS), name
        assert np.all(np.isfinite(values)), name
    for name in ("train_acc", "val_acc"):
        assert np.all((m[name] >= 0) & (m[name] <= 1)), name
    for name in ("train_loss", "val_loss", "wall_s", "images_per_s"):
        assert np.all(m[name] > 0), name
    assert class_acc.shape == (1, EPOCHS, CLASSES)
    assert np.all((class_acc >= 0) & (class_acc <= 1))

    # The confusion matrix is the last epoch's validation, [true][predicted].
    assert confusion.shape == (1, CLASSES, CLASSES)
    c = confusion[0]
    assert np.all(c >= 0)
    assert c.sum() == VALIDATION
    assert np.trace(c) / VALIDATION == pytest.approx(m["val_acc"][0, -1], abs=1e-12)
    rows = c.sum(axis=1)
    assert np.all(rows > 0)  # a stratified sample has every class
    assert np.diag(c) / rows == pytest.approx(class_acc[0, -1], abs=1e-12)


def test_traces(run):
    with h5py.File(run["path"], "r") as f:
        assert list(f["traces/layer_names"].asstr()[...]) == LAYER_NAMES
        loss = f["traces/loss"][...]
        stats = {k: f["traces"][k][...] for k in ("grad_norm", "grad_mean_abs", "grad_max_abs")}
        assert "grad_full" not in f["traces"]  # trace.full is off
        offsets = f["weights/layer_offsets"][...]
    assert loss.shape == (1, STEPS)
    assert np.all(np.isfinite(loss)) and np.all(loss > 0)
    for name, s in stats.items():
        assert s.shape == (1, STEPS, len(LAYER_NAMES)), name
        assert np.all(np.isfinite(s)) and np.all(s >= 0), name
    norm, mean_abs, max_abs = stats["grad_norm"], stats["grad_mean_abs"], stats["grad_max_abs"]
    assert np.all(mean_abs <= max_abs) and np.all(max_abs <= norm)
    assert offsets.tolist() == [[0, QCL_WEIGHTS, 2 * QCL_WEIGHTS, WEIGHTS]]


def test_final_weights(run):
    with h5py.File(run["path"], "r") as f:
        w = f["weights/final"][...]
    assert w.shape == (1, WEIGHTS)
    assert np.all(np.isfinite(w))
    # Quanvolution weights start uniform in [0, 2 pi); after a few small steps
    # they cannot all be zero, nor can the head's (Glorot-initialised).
    assert np.any(w[0, :2 * QCL_WEIGHTS] != 0) and np.any(w[0, 2 * QCL_WEIGHTS:] != 0)


def test_provenance(run):
    with h5py.File(run["path"], "r") as f:
        p = dict(f["provenance"].attrs)
    for key in ("resqunn_version", "git_sha", "compiler", "build_type", "hdf5_version",
                "kokkos_version", "kokkos_backends", "mpi_version", "host", "start_time_utc",
                "end_time_utc"):
        assert isinstance(p[key], str) and p[key], key
    assert "Serial" in p["kokkos_backends"].split(",") or "OpenMP" in p["kokkos_backends"]
    assert p["hdf5_version"].startswith("1.")
    assert p["mpi_size"] == 1
    assert p["git_dirty"] in (0, 1)
    for key in ("start_time_utc", "end_time_utc"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", p[key]), key
    assert p["start_time_utc"] <= p["end_time_utc"]


def test_progress_is_logged_per_epoch(run):
    err = run["stderr"]
    for e in range(1, EPOCHS + 1):
        lines = [line for line in err.splitlines() if f"epoch {e}/{EPOCHS}:" in line]
        assert len(lines) == 1, err
        assert "train loss" in lines[0] and "val loss" in lines[0] and "img/s" in lines[0]
    assert f"{TRAIN} train / {VALIDATION} validation images" in err
    assert "best validation accuracy" in err
    assert str(run["path"]) in err


# --- determinism ---------------------------------------------------------------

def test_same_config_gives_bit_identical_results(run, resqunn, tmp_path):
    out = tmp_path / "again.h5"
    r = train(resqunn, run["config"], out, run["data_dir"])
    assert r.returncode == 0, r.stderr
    names = DETERMINISTIC + ["points/id", "points/config", "spec"]
    assert_same(read(run["path"], names), read(out, names), names)


def test_results_do_not_depend_on_threads(run, resqunn, tmp_path):
    # micro-batches fix the summation order (docs/config.md, train.micro_batch)
    out = tmp_path / "threads.h5"
    r = resqunn("--threads", "2", "train", run["config"], "-o", out,
                "--data-dir", run["data_dir"])
    assert r.returncode == 0, r.stderr
    assert_same(read(run["path"], DETERMINISTIC), read(out, DETERMINISTIC), DETERMINISTIC)


def test_output_defaults_to_the_config_output_path(resqunn, training_data, tmp_path):
    data_dir, dataset = training_data
    out = tmp_path / "from-config.h5"
    config = write_config(tmp_path / "c.toml", dataset, output__path=str(out),
                          data__train=40, data__validation=20, train__epochs=1)
    r = train(resqunn, config, None, data_dir)
    assert r.returncode == 0, r.stderr
    assert h5files(tmp_path) == [out.name]
    with h5py.File(out, "r") as f:
        assert f["points/state"][0] == STATE_DONE


# --- overwriting -----------------------------------------------------------------

def test_existing_output_is_refused_without_overwrite(run, resqunn, tmp_path):
    out = tmp_path / "precious.h5"
    precious = b"results of last week, not to be lost\n" * 10
    out.write_bytes(precious)
    r = train(resqunn, run["config"], out, run["data_dir"])
    assert r.returncode == EXIT_USAGE, r.stderr
    assert "--overwrite" in r.stderr
    assert str(out) in r.stderr
    assert out.read_bytes() == precious

    r = train(resqunn, run["config"], out, run["data_dir"], "--overwrite")
    assert r.returncode == 0, r.stderr
    with h5py.File(out, "r") as f:
        assert f.attrs["schema"] == "resqunn-results"
        assert f["points/state"][0] == STATE_DONE
    names = ["weights/final", "metrics/val_acc"]
    assert_same(read(run["path"], names), read(out, names), names)


def test_missing_data_with_overwrite_keeps_the_existing_file(run, resqunn, tmp_path):
    out = tmp_path / "keep.h5"
    out.write_bytes(b"keep me")
    empty = tmp_path / "no-data"
    empty.mkdir()
    r = train(resqunn, run["config"], out, empty, "--overwrite")
    assert r.returncode == EXIT_FAILURE
    assert out.read_bytes() == b"keep me"


# --- errors: nothing is written ------------------------------------------------------

BAD_KEY = """\
[data]
dataset = "{dataset}"
train = 40

[model.quanv]
kernal = 2
"""

BAD_RESIDUAL = """\
[data]
dataset = "{dataset}"

[model]
depths = [1, 1]
residual = "X+O3"
"""


@pytest.mark.parametrize("text, line, expected", [
    (BAD_KEY, 6, ["model.quanv.kernal", "unknown key", "did you mean 'kernel'"]),
    (BAD_RESIDUAL, 6, ["model.residual", "O3", "column 3"]),
])
def test_bad_config_is_a_usage_error_with_its_position(resqunn, training_data, tmp_path,
                                                       text, line, expected):
    data_dir, dataset = training_data
    config = tmp_path / "bad.toml"
    config.write_text(text.format(dataset=dataset))
    out = tmp_path / "out.h5"
    r = train(resqunn, config, out, data_dir)
    assert r.returncode == EXIT_USAGE, r.stderr
    assert re.search(rf"bad\.toml:{line}:\d+: ", r.stderr), r.stderr
    for word in expected:
        assert word in r.stderr
    assert h5files(tmp_path) == []


def test_missing_config_is_a_usage_error(resqunn, training_data, tmp_path):
    r = train(resqunn, tmp_path / "nope.toml", tmp_path / "out.h5", training_data[0])
    assert r.returncode == EXIT_USAGE
    assert "nope.toml" in r.stderr
    assert h5files(tmp_path) == []


def test_missing_dataset_says_how_to_fetch(run, resqunn, tmp_path):
    empty = tmp_path / "no-data"
    empty.mkdir()
    out = tmp_path / "out.h5"
    r = train(resqunn, run["config"], out, empty)
    assert r.returncode == EXIT_FAILURE, r.stderr
    assert f"resqunn data fetch {run['dataset']}" in r.stderr
    assert h5files(tmp_path) == []


def test_too_many_images_is_reported_before_any_file(resqunn, training_data, tmp_path):
    data_dir, dataset = training_data
    config = write_config(tmp_path / "huge.toml", dataset, data__train=1_000_000)
    r = train(resqunn, config, tmp_path / "out.h5", data_dir)
    assert r.returncode == EXIT_USAGE, r.stderr
    assert "asked for 1000000 training" in r.stderr
    assert h5files(tmp_path) == []


def test_missing_dataset_under_mpirun_is_reported_once(run, resqunn, tmp_path):
    empty = tmp_path / "no-data"
    empty.mkdir()
    r = train(resqunn, run["config"], tmp_path / "out.h5", empty, mpi_ranks=2, timeout=120)
    assert r.returncode == EXIT_FAILURE, r.stderr
    assert r.stderr.count(f"resqunn data fetch {run['dataset']}") == 1
    assert h5files(tmp_path) == []


# --- traces ------------------------------------------------------------------------

def test_full_traces_store_every_gradient(resqunn, training_data, tmp_path):
    data_dir, dataset = training_data
    config = write_config(tmp_path / "full.toml", dataset, trace__full=True)
    out = tmp_path / "full.h5"
    r = train(resqunn, config, out, data_dir)
    assert r.returncode == 0, r.stderr
    with h5py.File(out, "r") as f:
        full = f["traces/grad_full"][...]
        norm = f["traces/grad_norm"][...]
        max_abs = f["traces/grad_max_abs"][...]
        offsets = f["weights/layer_offsets"][0]
        assert [d.label for d in f["traces/grad_full"].dims] == ["point", "step", "weight"]
    assert full.shape == (1, STEPS, WEIGHTS)
    assert np.all(np.isfinite(full))
    # The per-layer statistics are those of the stored gradient's slices.
    for layer in range(len(LAYER_NAMES)):
        g = full[0, :, offsets[layer]:offsets[layer + 1]]
        assert np.linalg.norm(g, axis=1) == pytest.approx(norm[0, :, layer], rel=1e-12, abs=0)
        assert np.abs(g).max(axis=1) == pytest.approx(max_abs[0, :, layer], rel=1e-12, abs=0)


@pytest.mark.parametrize("residual, mode, qcl1_trains", [
    ("none", "barrier", False),       # QCL1 -> encoding of QCL2 -> head: cut
    ("X+O1", "barrier", False),       # the sum feeds QCL2's encoding: still cut
    ("O1+O2", "barrier", True),       # O1 reaches the head directly
    ("(X+O1)+O2", "barrier", True),   # the paper's recommended wiring
    ("none", "full", True),           # exact gradients cross encodings
])
def test_barrier_gradient_table(resqunn, training_data, tmp_path, residual, mode, qcl1_trains):
    """docs/model.md, gradient modes: the paper's table, read from the file."""
    data_dir, dataset = training_data
    config = write_config(tmp_path / "c.toml", dataset, model__residual=residual,
                          model__gradient_mode=mode, data__train=64, train__epochs=1)
    out = tmp_path / "c.h5"
    r = train(resqunn, config, out, data_dir)
    assert r.returncode == 0, r.stderr
    with h5py.File(out, "r") as f:
        layers = list(f["traces/layer_names"].asstr()[...])
        norm = f["traces/grad_norm"][0]
        mean_abs = f["traces/grad_mean_abs"][0]
    assert layers == LAYER_NAMES
    assert norm.shape == (2, 3)  # ceil(64 / 32) steps
    qcl1 = norm[:, layers.index("QCL1")]
    if qcl1_trains:
        assert np.all(qcl1 > 0)
    else:
        assert np.all(qcl1 == 0.0) and np.all(mean_abs[:, 0] == 0.0)
    # The head's input always passes gradients, so the last layer always trains.
    assert np.all(norm[:, layers.index("QCL2")] > 0)
    assert np.all(norm[:, layers.index("head")] > 0)


# --- MPI ---------------------------------------------------------------------------

def test_under_mpirun_rank0_trains_and_writes_one_file(run, resqunn, tmp_path):
    out = tmp_path / "mpi.h5"
    r = train(resqunn, run["config"], out, run["data_dir"], mpi_ranks=2)
    assert r.returncode == 0, r.stderr
    assert h5files(tmp_path) == ["mpi.h5"]
    assert "other 1 ranks idle" in r.stderr
    assert r.stderr.count(f"epoch {EPOCHS}/{EPOCHS}:") == 1  # one trainer, one log
    with h5py.File(out, "r") as f:
        assert f["points/state"][0] == STATE_DONE
        assert f["provenance"].attrs["mpi_size"] == 2
    # Same config, same results as the single-process run.
    assert_same(read(run["path"], DETERMINISTIC), read(out, DETERMINISTIC), DETERMINISTIC)
