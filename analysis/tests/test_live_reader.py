"""load() on a file that a running sweep is writing (docs/hdf5-schema.md, "Reading a file
during a run")."""

from __future__ import annotations

import subprocess
import time

import numpy as np
from conftest import mpi_command, mpi_env

from resqunn_analysis import load

#: About 3-6 s of training on two ranks: long enough to be read many times while it runs.
#: On the state vector, whose cost grows with depth: the time must not shrink as the
#: evaluators get faster (the compiled one would finish this in about a second).
BACKGROUND_SWEEP = """\
[sweep]
name = "analysis_background"

[base]
data.dataset = "mnist"
data.image_size = 28
data.train = 1000
data.validation = 100
train.epochs = 3
model.depths = [2, 2]
model.quanv.evaluator = "statevector"

[axes]
"model.residual" = ["none", "(X+O1)+O2"]
train.seed = [1, 2, 3]
"""


def test_load_while_a_sweep_writes(resqunn_bin, mnist_ready, tmp_path):
    spec = tmp_path / "sweep.toml"
    spec.write_text(BACKGROUND_SWEEP)
    out = tmp_path / "live.h5"
    proc = subprocess.Popen(mpi_command(resqunn_bin, "sweep", "run", str(spec), "-o", str(out)),
                            cwd=tmp_path, env=mpi_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    snapshots = []  # (done points, done epochs, done traces, all points, all epochs, all traces)
    done_values = []  # val_acc of the done points, as each snapshot saw them
    try:
        deadline = time.monotonic() + 240
        while proc.poll() is None:
            assert time.monotonic() < deadline, "the background sweep did not finish"
            if not out.exists():
                time.sleep(0.02)
                continue
            done = load(out)
            everything = load(out, include_running=True)
            snapshots.append((len(done.points), len(done.epochs), len(done.traces),
                              len(everything.points), len(everything.epochs),
                              len(everything.traces)))
            done_values.append(done.epochs.set_index(["point", "epoch"])["val_acc"])
            # A done point is complete in every snapshot.
            assert (done.points["epochs_done"] == 3).all()
            assert set(done.epochs.groupby("point").size()) <= {3}
            assert set(done.confusion) == set(done.points["point"])
    finally:
        if proc.poll() is None:
            proc.kill()
        stderr = proc.communicate(timeout=60)[1]
    assert proc.returncode == 0, stderr[-3000:]

    final = load(out)
    assert len(final.points) == 6 and len(final.epochs) == 18
    assert len(snapshots) >= 3, f"only {len(snapshots)} reads while the sweep ran"
    # Row counts only grow (with and without the points in progress).
    for column in range(6):
        counts = [s[column] for s in snapshots]
        assert counts == sorted(counts), (column, counts)
    assert all(s[3] in (0, 6) for s in snapshots)  # the points' rows exist from the start
    # Partial results were seen: some read caught points in progress.
    assert any(s[4] > s[1] for s in snapshots), snapshots
    # What a snapshot saw of a done point is what the finished file holds.
    final_values = final.epochs.set_index(["point", "epoch"])["val_acc"]
    for seen in done_values:
        np.testing.assert_array_equal(seen.to_numpy(), final_values.loc[seen.index].to_numpy())


BACKGROUND_TRAIN = """\
[data]
dataset = "mnist"
image_size = 28
train = 600
validation = 100

[model]
depths = [2, 2]
residual = "(X+O1)+O2"

[train]
epochs = 3
"""


def test_load_while_train_writes(resqunn_bin, mnist_ready, tmp_path):
    """`resqunn train` writes serially and holds HDF5's exclusive file lock while it runs."""
    config = tmp_path / "run.toml"
    config.write_text(BACKGROUND_TRAIN)
    out = tmp_path / "live-train.h5"
    proc = subprocess.Popen([str(resqunn_bin), "--threads", "1", "train", str(config), "-o",
                             str(out)], cwd=tmp_path, env=mpi_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    epochs_seen = []
    try:
        deadline = time.monotonic() + 240
        while proc.poll() is None:
            assert time.monotonic() < deadline, "the background training did not finish"
            if not out.exists():
                time.sleep(0.02)
                continue
            r = load(out, include_running=True)
            assert len(r.points) == 1
            assert r.points["state"].item() in ("pending", "running", "done")
            epochs_seen.append(len(r.epochs))
            if r.points["state"].item() == "done":
                assert len(r.epochs) == 3
    finally:
        if proc.poll() is None:
            proc.kill()
        stderr = proc.communicate(timeout=60)[1]
    assert proc.returncode == 0, stderr[-3000:]
    assert epochs_seen and epochs_seen == sorted(epochs_seen)
    final = load(out)
    assert final.points["state"].item() == "done" and len(final.epochs) == 3
