"""The results file's safety under `resqunn sweep run` (docs/sweeps.md, "One
writer, atomic creation"):

* one run per results file: a second run on a file another run holds exits 2
  within seconds and changes nothing; after a `kill -9` of the holder the
  next run takes the stale lock over and resumes;
* a kill at every phase of the file's creation (RESQUNN_KILL_AT names the
  phase) is followed by the same command finishing with results bitwise
  equal to an uninterrupted run, and nothing left behind;
* a results file that does not fit the disk fails with exit 1 and a clear
  error (no crash in MPI_Finalize), and leaves an existing file untouched.
"""
import gzip
import hashlib
import os
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path

import h5py
import pytest

from test_sweep_run import (EXIT_FAILURE, EXIT_USAGE, FAULT, Sweep, assert_same, deterministic,
                            final_results, snapshot, wait_for_handlers, write_sweep)
# The sweeps and their one-rank references, shared with test_sweep_run
# (module-scoped fixtures: each module makes its own).
from test_sweep_run import fault, fault_reference, reference, tiny  # noqa: F401

# The phases of a results file's creation, in order (src/resqunn/sweep/
# engine.cpp, src/resqunn/io/results.cpp).
CREATION_PHASES = ["create:locked", "create:empty", "create:staged", "create:described",
                   "create:published"]


# Long enough (a few seconds) that the first run is still working when the
# test stops it to start a second run.
SLOW = dict(FAULT, epochs=30)


@pytest.fixture(scope="module")
def slow(tmp_path_factory, resqunn, training_data):
    data_dir, dataset = training_data
    d = tmp_path_factory.mktemp("slow-sweep")
    return Sweep(resqunn, write_sweep(d, dataset, **SLOW), data_dir, dataset, SLOW["epochs"])


def leftovers(directory, name):
    """Files beside the results file that a run may make: its lock, the
    lock's link-into-place temporary, the staging file."""
    return sorted(p.name for p in Path(directory).iterdir()
                  if p.name.startswith(name + ".") and p.name != name)


# --- one writer ------------------------------------------------------------------------

def test_a_second_run_on_a_held_file_is_refused_and_changes_nothing(slow, tmp_path):
    alone = tmp_path / "alone.h5"
    r = slow.run(alone, 1, 1)
    assert r.returncode == 0, r.stderr
    out = tmp_path / "held.h5"
    first = slow.start(out, 1, 1)
    try:
        pids = wait_for_handlers(first, 1)  # the file exists and is held
        # Held for sure: the first run's rank is stopped until the second
        # one is refused (a fast machine would otherwise finish it first).
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        try:
            lock = Path(str(out) + ".lock")
            assert lock.exists()
            started = time.monotonic()
            second = slow.run(out, 2, 1, timeout=60)
            took = time.monotonic() - started
            still_running = first.proc.poll() is None
        finally:
            for pid in pids:
                os.kill(pid, signal.SIGCONT)
    finally:
        r = first.finish()
    assert still_running, "the first run ended before the second one was refused"
    assert second.returncode == EXIT_USAGE, second.stderr
    assert took < 20, took
    assert "is being written by another run" in second.stderr
    assert f"lock file {lock}" in second.stderr
    assert "Segmentation" not in second.stderr
    # The first run went on as if alone.
    assert r.returncode == 0, r.stderr
    assert_same(deterministic(snapshot(alone)), deterministic(snapshot(out)), "the first run")
    assert leftovers(tmp_path, "held.h5") == []


def test_after_kill_9_of_the_holder_the_next_run_takes_the_lock_over(fault, fault_reference,
                                                                      tmp_path):
    out = tmp_path / "stale.h5"
    first = fault.start(out, 2, 1)
    wait_for_handlers(first, 2)
    first.kill()  # kill -9 of every rank and of mpiexec
    first.finish()
    assert Path(str(out) + ".lock").exists()  # nobody released it
    r = fault.run(out, 2, 1)
    assert r.returncode == 0, r.stderr
    assert "took over the stale lock" in r.stderr
    assert_same(fault_reference["results"], final_results(snapshot(out)), "resumed after kill -9")
    assert leftovers(tmp_path, "stale.h5") == []


def test_status_names_the_writer_of_a_held_file(resqunn, slow, tmp_path):
    out = tmp_path / "watched.h5"
    first = slow.start(out, 1, 1)  # long enough to be watched
    try:
        rank = wait_for_handlers(first, 1)[0]
        r = resqunn("status", out)
    finally:
        first.kill()
        first.finish()
    assert r.returncode == 0, r.stderr
    assert f"written by pid {rank} on " in r.stdout, r.stdout


# --- atomic creation ------------------------------------------------------------------------

@pytest.mark.parametrize("phase", CREATION_PHASES)
@pytest.mark.parametrize("ranks", [1, 2])
def test_a_kill_while_the_file_is_created_then_the_same_command_completes(
        tiny, reference, tmp_path, phase, ranks):
    out = tmp_path / "created.h5"
    killed = tiny.resqunn(*tiny.args(out, 1, (), False), mpi_ranks=ranks,
                          env={"RESQUNN_KILL_AT": phase})
    assert killed.returncode != 0, f"{phase}: the run was not killed\n{killed.stderr}"
    # A file appears only complete: after publication, never before.
    assert out.exists() == (phase == "create:published"), (phase, leftovers(tmp_path, out.name))
    r = tiny.run(out, ranks, 1)
    assert r.returncode == 0, f"{phase}:\n{r.stderr}"
    assert_same(deterministic(snapshot(reference)), deterministic(snapshot(out)), f"rerun after a kill at {phase}")
    assert leftovers(tmp_path, out.name) == []


def test_overwrite_keeps_the_old_file_until_the_new_one_is_complete(tiny, reference, tmp_path):
    out = tmp_path / "kept.h5"
    assert tiny.run(out, 1, 1).returncode == 0
    before = out.read_bytes()
    killed = tiny.resqunn(*tiny.args(out, 1, ("--overwrite",), False),
                          env={"RESQUNN_KILL_AT": "create:described"})
    assert killed.returncode != 0
    assert out.read_bytes() == before
    r = tiny.run(out, 1, 1, "--overwrite")
    assert r.returncode == 0, r.stderr
    assert_same(deterministic(snapshot(reference)), deterministic(snapshot(out)), "overwritten")
    assert leftovers(tmp_path, out.name) == []


# --- the data's identity -----------------------------------------------------------------------

def test_resuming_onto_other_data_is_refused(tiny, tmp_path):
    """A copy of the data with one pixel changed and its manifest regenerated
    is valid and of the right shape, and not the data the results were
    trained on: a resume onto it is refused, the file untouched."""
    data = tmp_path / "data"
    shutil.copytree(f"{tiny.data_dir}/{tiny.dataset}", data / tiny.dataset)
    sweep = Sweep(tiny.resqunn, tiny.spec, data, tiny.dataset, tiny.epochs)
    out = tmp_path / "data.h5"
    r = sweep.run(out, 1, 1)
    assert r.returncode == 0, r.stderr
    with h5py.File(out, "r") as f:
        recorded = f["provenance"].attrs["data_manifests"]
    recorded = recorded.decode() if isinstance(recorded, bytes) else str(recorded)
    manifest = data / tiny.dataset / "SHA256SUMS"
    assert recorded == f"{tiny.dataset}=" + hashlib.sha256(manifest.read_bytes()).hexdigest()

    images = next(p for p in (data / tiny.dataset).iterdir() if "train-images" in p.name)
    packed = images.name.endswith(".gz")
    raw = bytearray(gzip.decompress(images.read_bytes()) if packed else images.read_bytes())
    raw[16 + 300] ^= 0xFF  # one pixel of the first image
    images.write_bytes(gzip.compress(bytes(raw)) if packed else bytes(raw))
    lines = []
    for line in manifest.read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        if name.strip() == images.name:
            digest = hashlib.sha256(images.read_bytes()).hexdigest()
        lines.append(f"{digest}  {name.strip()}")
    manifest.write_text("\n".join(lines) + "\n")

    before = out.read_bytes()
    r = sweep.run(out, 1, 1)
    assert r.returncode == EXIT_USAGE, r.stderr
    assert "holds results trained on other data" in r.stderr
    assert "fix: resume with the data the sweep started with" in r.stderr
    assert out.read_bytes() == before
    assert leftovers(tmp_path, out.name) == []


# --- a full disk ------------------------------------------------------------------------------

def mount_small_disk(tmp_path, size):
    """A tmpfs of `size` (needs the right to mount: root in CI and here)."""
    mount = tmp_path / f"small-{uuid.uuid4().hex[:8]}"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {made.stderr.strip()}")
    return mount


@pytest.fixture
def small_disk(tmp_path):
    mounts = []

    def make(size):
        mounts.append(mount_small_disk(tmp_path, size))
        return mounts[-1]
    yield make
    for mount in mounts:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def assert_no_space_error(r):
    assert r.returncode == EXIT_FAILURE, r.stderr
    assert "no space left on the device" in r.stderr, r.stderr
    assert "fix: free some space or write somewhere else" in r.stderr
    for crash in ("Segmentation fault", "Signal:", "core dumped"):
        assert crash not in r.stderr, r.stderr


@pytest.mark.parametrize("ranks", [1, 2])
def test_a_results_file_that_does_not_fit_the_disk_fails_cleanly(tiny, small_disk, ranks):
    disk = small_disk("192k")
    r = tiny.run(disk / "full.h5", ranks, 1, timeout=120)
    assert_no_space_error(r)
    assert "MiB free" in r.stderr  # refused before it was begun: how much it needs, how much is free
    assert os.listdir(disk) == []


def test_a_full_disk_leaves_an_existing_file_untouched(tiny, small_disk, tmp_path):
    # A results file that fits (one point, written elsewhere and copied in),
    # then --overwrite with a sweep that does not fit beside it.
    one = Sweep(tiny.resqunn, write_sweep(tmp_path / "one", tiny.dataset, train=16, validation=16,
                                          epochs=1, residuals=["none"], name="one"),
                tiny.data_dir, tiny.dataset, 1)
    made = one.run(tmp_path / "one.h5", 1, 1)
    assert made.returncode == 0, made.stderr
    before = (tmp_path / "one.h5").read_bytes()
    disk = small_disk(f"{len(before) // 1024 + 256}k")
    out = disk / "kept.h5"
    out.write_bytes(before)
    r = tiny.run(out, 1, 1, "--overwrite", timeout=120)
    assert_no_space_error(r)
    assert out.read_bytes() == before
    assert os.listdir(disk) == ["kept.h5"]
