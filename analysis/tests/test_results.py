"""resqunn_analysis.load against results files written by the real binary.

Every value the loader returns is checked against the file's raw contents,
read independently here with h5py (docs/hdf5-schema.md).
"""

from __future__ import annotations

import json
import math
import os
import re

import h5py
import numpy as np
import pandas as pd
import pytest
from conftest import copy_results

from resqunn_analysis import DataError, load
from resqunn_analysis.results import convert_param, parse_value


def raw(path):
    """The file's arrays and strings, read with plain h5py (no resqunn_analysis code)."""
    with h5py.File(path, "r", locking=False) as f:
        names = list(f["points/param_names"].asstr()[...])
        return {
            "state": f["points/state"][...],
            "states": [str(s) for s in f["points/state"].attrs["states"]],
            "id": list(f["points/id"].asstr()[...]),
            "config": list(f["points/config"].asstr()[...]),
            "epochs_done": f["points/epochs_done"][...],
            "best_val_acc": f["points/best_val_acc"][...],
            "point_wall_s": f["points/wall_s"][...],
            "weight_count": f["points/weight_count"][...],
            "param_names": names,
            "params": {n: list(f["points/params"][n].asstr()[...]) for n in names},
            **{m: f["metrics/" + m][...] for m in ("train_loss", "train_acc", "val_loss",
                                                   "val_acc", "images_per_s")},
            "metric_wall_s": f["metrics/wall_s"][...],
            "class_names": list(f["metrics/class_names"].asstr()[...]),
            "val_class_acc": f["metrics/val_class_acc"][...],
            "confusion": f["metrics/confusion"][...],
            "layer_names": list(f["traces/layer_names"].asstr()[...]),
            **{s: f["traces/" + s][...] for s in ("grad_norm", "grad_mean_abs",
                                                  "grad_max_abs", "loss")},
            "final": f["weights/final"][...],
            "provenance": dict(f["provenance"].attrs),
            "spec": f["spec"].asstr()[()],
            "schema_version": int(f.attrs["schema_version"]),
        }


# --- hyperparameter parsing (no binary needed) --------------------------------------------------


@pytest.mark.parametrize("text,value", [
    ("", None), ("true", True), ("false", False), ("14", 14), ("-3", -3),
    ("0.005", 0.005), ("1e-8", 1e-8), ("3.141592653589793", math.pi), ("0.0", 0.0),
    ("mnist", "mnist"), ("(X+O1)+O2", "(X+O1)+O2"), ('"adam"', "adam"), ("[1, 1]", "[1, 1]"),
    ("[]", "[]"), ("nan", "nan"), ("inf", "inf"), ("1.2.3", "1.2.3"),
])
def test_parse_value(text, value):
    assert parse_value(text) == value
    assert type(parse_value(text)) is type(value)


def test_convert_param_column_kinds():
    assert convert_param(["1", "2"]).dtype == np.int64
    ints = convert_param(["1", ""])
    assert str(ints.dtype) == "Int64" and ints.isna().tolist() == [False, True]
    assert convert_param(["1", "0.5"]).tolist() == [1.0, 0.5]
    assert convert_param(["true", "false"]).dtype == bool
    assert str(convert_param(["true", ""]).dtype) == "boolean"
    mixed = convert_param(["1", "none", ""])  # not all numbers: strings, as written
    assert mixed.tolist() == ["1", "none", None]
    assert convert_param(["[1, 1]", "[2, 1]"]).tolist() == ["[1, 1]", "[2, 1]"]
    assert convert_param(["", ""]).isna().all()
    assert convert_param([str(2**63 - 1)]).tolist() == [2**63 - 1]


# --- the real sweep ----------------------------------------------------------------------------


def test_points_match_raw_file(sweep_h5):
    r = load(sweep_h5)
    f = raw(sweep_h5)
    n = len(f["state"])
    assert n == 12 and r.n_points == 12
    assert (f["state"] == 2).all()  # the sweep finished
    assert list(r.points["point"]) == list(range(n))
    assert list(r.points["id"]) == f["id"]
    assert set(r.points["state"]) == {"done"}
    assert r.state_counts == {"pending": 0, "running": 0, "done": 12, "failed": 0}
    np.testing.assert_array_equal(r.points["epochs_done"], f["epochs_done"])
    np.testing.assert_array_equal(r.points["best_val_acc"], f["best_val_acc"])
    np.testing.assert_array_equal(r.points["wall_s"], f["point_wall_s"])
    np.testing.assert_array_equal(r.points["weight_count"], f["weight_count"])
    assert r.param_names == f["param_names"]
    assert r.configs == dict(enumerate(f["config"]))
    assert r.spec == f["spec"] and "analysis_tiny" in r.spec
    assert r.provenance.keys() == f["provenance"].keys()
    for key, value in f["provenance"].items():
        got = r.provenance[key]
        assert got == (value.item() if isinstance(value, np.generic) else value), key
    assert r.provenance["mpi_size"] == 2
    assert r.class_names == [str(d) for d in range(10)] == f["class_names"]
    assert r.layer_names == f["layer_names"] == ["QCL1", "QCL2", "QCL3", "head"]
    assert (r.n_epochs, r.n_steps) == (f["val_acc"].shape[1], f["loss"].shape[1]) == (2, 14)

    # Every hyperparameter column: the raw strings, converted.
    for name in f["param_names"]:
        assert (r.params_raw[name] == f["params"][name]).all(), name
        for got, text in zip(r.points[name], f["params"][name]):
            if text == "":
                assert pd.isna(got), name
            elif text in ("true", "false"):
                assert got == (text == "true"), name
            elif re.fullmatch(r"-?\d+", text):
                assert got == int(text) and not isinstance(got, float), name
            elif re.fullmatch(r"-?[\d.]+(e-?\d+)?", text):
                assert got == float(text), name
            else:
                assert got == text, name
    assert r.points["train.seed"].dtype == np.int64
    assert r.points["train.lr"].dtype == np.float64
    assert r.points["model.layers[0].trainable"].dtype == bool
    assert str(r.points["model.layers[2].kernel"].dtype) == "Int64"  # unset for 2 layers

    # Derived from model.depths.
    for _, row in r.points.iterrows():
        depths = json.loads(row["model.depths"])
        assert row["layers"] == len(depths)
        for k in range(3):
            value = row[f"depth_QCL{k + 1}"]
            assert (pd.isna(value) if k >= len(depths) else value == depths[k])
    assert sorted(r.points["model.depths"].unique()) == ["[1, 1, 1]", "[1, 1]", "[2, 1]"]
    # Weights per trace layer: the paper ansatz has 2 * 4 qubits * depth weights per layer
    # (0 for a layer the model lacks); the head has the rest.
    for _, row in r.points.iterrows():
        depths = json.loads(row["model.depths"])
        for k in range(3):
            expected = 8 * depths[k] if k < len(depths) else 0
            assert row[f"weights_QCL{k + 1}"] == expected
        assert row["weights_head"] == row["weight_count"] - 8 * sum(depths)
    assert r.derived_columns == ["layers", "depth_QCL1", "depth_QCL2", "depth_QCL3",
                                 "weights_QCL1", "weights_QCL2", "weights_QCL3", "weights_head"]
    assert r.varying() == ["model.depths", "model.residual", "train.seed"]
    assert r.varying(exclude_seeds=True) == ["model.depths", "model.residual"]
    assert r.seed_params == ["data.seed", "model.seed", "train.seed"]


def test_epochs_match_raw_file(sweep_h5):
    r = load(sweep_h5)
    f = raw(sweep_h5)
    e = r.epochs
    assert list(e.columns) == ["point", "epoch", "train_loss", "train_acc", "val_loss",
                               "val_acc", "wall_s", "images_per_s"]
    # Exactly the written (p, e): every done point wrote epochs_done epochs.
    written = ~np.isnan(f["val_acc"])
    assert len(e) == written.sum() == f["epochs_done"].sum() == 24
    p, ep = e["point"].to_numpy(), e["epoch"].to_numpy()
    for m in ("train_loss", "train_acc", "val_loss", "val_acc", "images_per_s"):
        np.testing.assert_array_equal(e[m].to_numpy(), f[m][p, ep], err_msg=m)
    np.testing.assert_array_equal(e["wall_s"].to_numpy(), f["metric_wall_s"][p, ep])
    assert not e.isna().any().any()
    # best_val_acc is the best of the epochs' val_acc.
    np.testing.assert_array_equal(e.groupby("point")["val_acc"].max().to_numpy(),
                                  r.points["best_val_acc"].to_numpy())

    c = r.class_acc
    assert len(c) == 24 * 10
    np.testing.assert_array_equal(c["val_acc"].to_numpy(),
                                  f["val_class_acc"][c["point"], c["epoch"], c["class"]])
    assert (c["class_name"] == c["class"].astype(str)).all()

    assert sorted(r.confusion) == list(range(12))
    for point, matrix in r.confusion.items():
        np.testing.assert_array_equal(matrix, f["confusion"][point])
        assert matrix.sum() == 50  # every validation image, once
    # The confusion matrix's diagonal is the last epoch's validation accuracy.
    last = e[e["epoch"] == 1].set_index("point")["val_acc"]
    for point, matrix in r.confusion.items():
        assert np.trace(matrix) / 50 == pytest.approx(last[point])


def test_traces_match_raw_file(sweep_h5):
    r = load(sweep_h5)
    f = raw(sweep_h5)
    t = r.traces
    assert list(t.columns) == ["point", "step", "epoch", "layer", "grad_norm", "grad_mean_abs",
                               "grad_max_abs", "loss"]
    layer_index = t["layer"].map({n: i for i, n in enumerate(f["layer_names"])}).to_numpy()
    p, s = t["point"].to_numpy(), t["step"].to_numpy()
    for stat in ("grad_norm", "grad_mean_abs", "grad_max_abs"):
        np.testing.assert_array_equal(t[stat].to_numpy(), f[stat][p, s, layer_index])
    np.testing.assert_array_equal(t["loss"].to_numpy(), f["loss"][p, s])
    # Rows: exactly the written (point, step, layer) cells; 2-layer models have no QCL3.
    assert len(t) == (~np.isnan(f["grad_norm"])).sum()
    layers = t.groupby("point")["layer"].unique().map(sorted)
    for _, row in r.points.iterrows():
        expected = [f"QCL{k + 1}" for k in range(row["layers"])] + ["head"]
        assert layers[row["point"]] == sorted(expected)
    # 200 images in batches of 32: 7 steps per epoch, 14 in all.
    assert sorted(t["step"].unique()) == list(range(14))
    assert (t["epoch"] == t["step"] // 7).all()


def test_barrier_mode_qcl1_gets_no_gradient_without_a_skip(sweep_h5):
    """docs/model.md: with 2 layers in barrier mode, QCL1's gradient is exactly 0 for 'none'."""
    r = load(sweep_h5)
    t = r.with_params(r.traces, ["model.residual", "layers"])
    qcl1 = t[(t["layer"] == "QCL1") & (t["layers"] == 2)]
    assert (qcl1.loc[qcl1["model.residual"] == "none", "grad_norm"] == 0).all()
    assert (qcl1.loc[qcl1["model.residual"] == "(X+O1)+O2", "grad_norm"] > 0).all()
    head = t[t["layer"] == "head"]
    assert (head["grad_norm"] > 0).all()


def test_weights_and_no_traces(sweep_h5):
    f = raw(sweep_h5)
    r = load(sweep_h5, traces=False, weights=True)
    assert r.traces.empty and list(r.traces.columns)[:2] == ["point", "step"]
    assert sorted(r.weights) == list(range(12))
    for point, w in r.weights.items():
        assert len(w) == f["weight_count"][point]
        np.testing.assert_array_equal(w, f["final"][point, :len(w)])
    assert load(sweep_h5).weights == {}


def test_with_params(sweep_h5):
    r = load(sweep_h5)
    merged = r.with_params(r.epochs, ["model.residual", "train.seed"])
    assert len(merged) == len(r.epochs)
    assert list(merged.columns[-2:]) == ["model.residual", "train.seed"]
    assert set(merged["model.residual"]) == {"none", "(X+O1)+O2"}


def test_train_file(train_h5):
    r = load(train_h5)
    assert r.n_points == 1 and len(r.points) == 1
    assert r.varying() == []
    assert r.points.loc[0, "layers"] == 2 and r.points.loc[0, "model.residual"] == "none"
    assert len(r.epochs) == 2 and r.spec.startswith("[data]")


# --- states: only done points by default ---------------------------------------------------------


def test_only_done_points_unless_include_running(sweep_h5, tmp_path):
    path = copy_results(sweep_h5, tmp_path / "states.h5")
    with h5py.File(path, "r+") as f:
        state = f["points/state"]
        state[3] = 1   # running
        state[5] = 0   # pending
        state[7] = 3   # failed
    r = load(path)
    assert sorted(r.points["point"]) == [0, 1, 2, 4, 6, 8, 9, 10, 11]
    assert set(r.epochs["point"]) == set(r.points["point"])
    assert set(r.traces["point"]) == set(r.points["point"])
    assert set(r.class_acc["point"]) == set(r.points["point"])
    assert sorted(r.confusion) == sorted(r.points["point"])
    assert r.state_counts == {"pending": 1, "running": 1, "done": 9, "failed": 1}
    assert "9 done, 1 running, 1 pending, 1 failed" in r.summary()

    everything = load(path, include_running=True)
    assert list(everything.points["point"]) == list(range(12))
    assert everything.points.set_index("point")["state"][[3, 5, 7]].tolist() == \
        ["running", "pending", "failed"]
    assert len(everything.epochs) == 24


def test_unwritten_rows_are_left_out(sweep_h5, tmp_path):
    """A point in progress: only what it wrote appears (NaN = never written)."""
    path = copy_results(sweep_h5, tmp_path / "partial.h5")
    with h5py.File(path, "r+") as f:
        f["points/state"][2] = 1
        for m in ("train_loss", "train_acc", "val_loss", "val_acc", "wall_s", "images_per_s"):
            f["metrics/" + m][2, 1] = np.nan
        f["metrics/val_class_acc"][2, 1, :] = np.nan
        f["metrics/confusion"][2] = -1
        for s in ("grad_norm", "grad_mean_abs", "grad_max_abs"):
            f["traces/" + s][2, 7:, :] = np.nan
        f["traces/loss"][2, 7:] = np.nan
    r = load(path, include_running=True)
    assert r.epochs.loc[r.epochs["point"] == 2, "epoch"].tolist() == [0]
    assert sorted(r.traces.loc[r.traces["point"] == 2, "step"].unique()) == list(range(7))
    assert 2 not in r.confusion and len(r.confusion) == 11
    assert len(r.class_acc[r.class_acc["point"] == 2]) == 10


# --- errors ------------------------------------------------------------------------------------


def test_missing_file(tmp_path):
    path = tmp_path / "nope.h5"
    with pytest.raises(FileNotFoundError, match=re.escape(str(path))) as info:
        load(path)
    assert info.value.filename == str(path)
    with pytest.raises(IsADirectoryError):
        load(tmp_path)


def test_not_hdf5(tmp_path):
    path = tmp_path / "text.h5"
    path.write_text("not hdf5 at all\n")
    with pytest.raises(DataError, match=re.escape(str(path)) + r": not an HDF5 file"):
        load(path, retries=0)


def test_hdf5_but_not_results(tmp_path):
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as f:
        f["x"] = np.arange(3)
    with pytest.raises(DataError, match=re.escape(str(path)) + r": not a resqunn results file "
                       r"\(has no root attribute 'schema'"):
        load(path, retries=0)
    with h5py.File(path, "a") as f:
        f.attrs["schema"] = "something-else"
    with pytest.raises(ValueError, match=r"its root attribute 'schema' is 'something-else', "
                       r"expected 'resqunn-results'"):
        load(path, retries=0)


def test_newer_schema_version_refused(sweep_h5, tmp_path):
    path = copy_results(sweep_h5, tmp_path / "v2.h5")
    with h5py.File(path, "r+") as f:
        f.attrs["schema_version"] = np.int64(2)
    with pytest.raises(DataError, match=re.escape(str(path)) + r": schema_version 2 is newer"):
        load(path)


def test_damaged_results_file(sweep_h5, tmp_path):
    path = copy_results(sweep_h5, tmp_path / "damaged.h5")
    with h5py.File(path, "r+") as f:
        del f["metrics/val_acc"]
    with pytest.raises(DataError, match=re.escape(str(path)) + r": not a complete resqunn "
                       r"results file: dataset /metrics/val_acc is missing"):
        load(path, retries=1, retry_delay=0.01)


def test_locking_env_is_not_needed(sweep_h5, monkeypatch):
    """load() turns HDF5's lock off itself (h5py's locking=False)."""
    monkeypatch.setenv("HDF5_USE_FILE_LOCKING", "TRUE")
    assert len(load(sweep_h5).points) == 12
    assert os.environ["HDF5_USE_FILE_LOCKING"] == "TRUE"
