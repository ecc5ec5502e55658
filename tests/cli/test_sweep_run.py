"""`resqunn sweep run` and `resqunn status` end to end (docs/sweeps.md, the
semantics in src/resqunn/sweep/engine.hpp), checked through the results file
(docs/hdf5-schema.md) with h5py:

* results are bitwise identical for any rank count and group size, and to
  `resqunn train` on the same point;
* a sweep stopped by a signal (exit code 3) or killed with `kill -9` resumes
  to exactly the results of an uninterrupted run, and never touches a point
  that was done;
* `status` reads a file while a sweep writes it;
* a results file of another sweep is refused; bad input fails before any work.
"""
import json
import math
import os
import random
import re
import shutil
import signal
import subprocess
import time
import tomllib

import pytest

os.environ.setdefault("HDF5_USE_FILE_LOCKING", "FALSE")
import h5py  # noqa: E402  (after the locking switch, which HDF5 reads once)
import numpy as np  # noqa: E402

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_RESUBMIT = 3
PENDING, RUNNING, DONE, FAILED = 0, 1, 2, 3

RESIDUALS = ["none", "X+O1", "O1+O2", "(X+O1)+O2"]
BATCH = 16

# Two sweeps of the same four points (one axis: the residual wiring).
# TINY (200 training images, 2 epochs) for everything but the fault tests.
# FAULT trains longer (800 images: 50 steps an epoch, 3 epochs), which gives
# a signal more places to land: mid-epoch, at an epoch's end, between points.
TINY = {"train": 200, "validation": 50, "epochs": 2}
FAULT = {"train": 800, "validation": 100, "epochs": 3}

# Wall-clock values differ between any two runs; everything else is compared
# bit for bit. (Provenance is attributes, not datasets: never compared.)
WALL_CLOCK = {"metrics/wall_s", "metrics/images_per_s", "points/wall_s"}
# checkpoint/values columns: epoch_loss_sum, best_val_acc, wall_s.
CHECKPOINT_WALL_COLUMN = 2
# Datasets that are not indexed by point.
NOT_PER_POINT = {"spec", "points/param_names", "metrics/class_names", "traces/layer_names"}


# --- spec files ------------------------------------------------------------------

def write_sweep(directory, dataset, train, validation, epochs, residuals=RESIDUALS,
                name="e2e", model_extra=""):
    directory.mkdir(parents=True, exist_ok=True)
    base = directory / "base.toml"
    base.write_text(f"""\
[data]
dataset = "{dataset}"
image_size = 14
train = {train}
validation = {validation}
seed = 3

[model]
depths = [1, 1]
residual = "none"
gradient_mode = "barrier"
{model_extra}
[train]
batch_size = {BATCH}
micro_batch = 4
epochs = {epochs}
lr = 0.02
""")
    spec = directory / f"{name}.toml"
    values = ", ".join(json.dumps(r) for r in residuals)
    spec.write_text(f"""\
[sweep]
name = "{name}"
base = "{base.resolve()}"

[axes]
"model.residual" = [{values}]
""")
    return spec


# The points of write_grid_sweep's spec: the grid each comes from ("" for the
# [[points]] entry), its residual wiring and its seed.
GRID_LABELS = ["wiring", "wiring", "seeded", ""]
GRID_RESIDUALS = ["none", "X+O1", "O1+O2", "(X+O1)+O2"]
GRID_SEEDS = ["1", "1", "5", "1"]


def write_grid_sweep(directory, dataset, train, validation, epochs):
    """A sweep over write_sweep's base built of two [[grids]] (the second with
    a [grids.base] of its own) and a [[points]] entry."""
    write_sweep(directory, dataset, train, validation, epochs)
    spec = directory / "grids.toml"
    spec.write_text(f"""\
[sweep]
name = "grids"
base = "{(directory / 'base.toml').resolve()}"

[[grids]]
name = "wiring"
[grids.axes]
"model.residual" = ["none", "X+O1"]

[[grids]]
name = "seeded"
combine = "zip"
[grids.base]
train.seed = 5
[grids.axes]
"model.residual" = ["O1+O2"]

[[points]]
"model.residual" = "(X+O1)+O2"
""")
    return spec


class Sweep:
    """A sweep spec and how to run it."""

    def __init__(self, resqunn, spec, data_dir, dataset, epochs):
        self.resqunn = resqunn
        self.spec = spec
        self.data_dir = data_dir
        self.dataset = dataset
        self.dir = spec.parent
        self.epochs = epochs

    def args(self, out, group, extra, log_all_ranks):
        args = ["sweep", "run", self.spec, "-o", out, "-g", group, "--data-dir", self.data_dir,
                *extra]
        return (["--log-all-ranks"] if log_all_ranks else []) + args

    def run(self, out, ranks=1, group=1, *extra, log_all_ranks=False, timeout=300):
        return self.resqunn(*self.args(out, group, extra, log_all_ranks), mpi_ranks=ranks,
                            timeout=timeout)

    def start(self, out, ranks=1, group=1, *extra, log_all_ranks=False):
        return self.resqunn.start(*self.args(out, group, extra, log_all_ranks), mpi_ranks=ranks)


# --- reading results files ---------------------------------------------------------

def snapshot(path):
    """Every dataset of a results file: numbers as numpy arrays, strings as
    nested lists of str."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                if h5py.check_string_dtype(obj.dtype):
                    out[name] = np.asarray(obj.asstr()[()], dtype=object).tolist()
                else:
                    out[name] = obj[()]
        f.visititems(visit)
    return out


def deterministic(snap):
    """What must be identical between uninterrupted runs: everything but the
    wall-clock fields (checkpoints included: the same slots, in the same
    order)."""
    out = {k: v for k, v in snap.items() if k not in WALL_CLOCK}
    values = snap["checkpoint/values"].copy()
    values[..., CHECKPOINT_WALL_COLUMN] = np.nan
    out["checkpoint/values"] = values
    return out


def final_results(snap):
    """What must be identical between an interrupted-and-resumed run and an
    uninterrupted one: like deterministic(), but of the checkpoints only the
    current slot's content (an interruption writes extra checkpoints, which
    moves the slot that is current)."""
    out = {k: v for k, v in snap.items()
           if k not in WALL_CLOCK and not k.startswith("checkpoint/")}
    current = snap["checkpoint/current"]
    for name in ("params", "moment1", "moment2", "counters", "sizes", "values"):
        data = snap[f"checkpoint/{name}"]
        rows = []
        for p, slot in enumerate(current):
            row = data[p, slot].copy() if slot >= 0 else np.full(data.shape[2:], -1, data.dtype)
            if name == "values":
                row[CHECKPOINT_WALL_COLUMN] = np.nan
            rows.append(row)
        out[f"checkpoint/current {name}"] = np.stack(rows)
    return out


def same_value(x, y):
    if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
        x, y = np.asarray(x), np.asarray(y)
        # Bit-identical, NaNs included (bytes compare NaN payloads too).
        return x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes()
    return x == y


def assert_same(expected, actual, what):
    assert sorted(expected) == sorted(actual), f"{what}: the datasets differ"
    differ = [name for name in expected if not same_value(expected[name], actual[name])]
    assert not differ, f"{what}: differ from the reference: {differ}"


def point_rows(snap, points):
    """The rows of `points` in every per-point dataset (wall times included)."""
    return {name: (np.asarray(v)[points] if isinstance(v, np.ndarray)
                   else [v[p] for p in points])
            for name, v in snap.items() if name not in NOT_PER_POINT}


def states(path):
    with h5py.File(path, "r") as f:
        return f["points/state"][...]


# --- fixtures ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny(tmp_path_factory, resqunn, training_data):
    data_dir, dataset = training_data
    d = tmp_path_factory.mktemp("tiny-sweep")
    return Sweep(resqunn, write_sweep(d, dataset, **TINY), data_dir, dataset, TINY["epochs"])


@pytest.fixture(scope="module")
def reference(tiny):
    """The tiny sweep on one rank: the results every other run must match."""
    out = tiny.dir / "reference.h5"
    r = tiny.run(out, 1, 1)
    assert r.returncode == 0, r.stderr
    return out


@pytest.fixture(scope="module")
def fault(tmp_path_factory, resqunn, training_data):
    data_dir, dataset = training_data
    d = tmp_path_factory.mktemp("fault-sweep")
    return Sweep(resqunn, write_sweep(d, dataset, **FAULT), data_dir, dataset, FAULT["epochs"])


@pytest.fixture(scope="module")
def fault_reference(fault):
    """The fault sweep on one rank: its final results, and how long an epoch
    takes (the fault tests aim their signals inside epochs)."""
    out = fault.dir / "reference.h5"
    r = fault.run(out, 1, 1)
    assert r.returncode == 0, r.stderr
    snap = snapshot(out)
    return {"results": final_results(snap), "epoch_s": float(np.mean(snap["metrics/wall_s"]))}


def wait_for_handlers(run, ranks):
    """The rank processes, once all of them have installed the sweep's signal
    handlers (the results file is then created and described: the engine's
    set-up is over). A signal before that kills a rank that has no handler
    yet, which is not what these tests are about."""
    pids = run.wait_until_catching(signal.SIGTERM, ranks)
    assert pids is not None, run.finish().stderr
    return pids


EPOCH_LINE = re.compile(r"point (\d+) \([0-9a-f]+\): epoch (\d+)/")


def wait_for_epochs(run, count, timeout=120):
    """Waits until the run (started with --log-all-ranks) has logged `count`
    distinct finished epochs, or has ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if run.proc.poll() is not None:
            return
        if len(set(EPOCH_LINE.findall(run.stderr_so_far()))) >= count:
            return
        time.sleep(0.002)
    raise TimeoutError(f"{count} epochs not reached:\n{run.stderr_so_far()}")


# --- reproducibility -------------------------------------------------------------------

def test_reference_holds_every_point_of_the_plan(resqunn, tiny, reference):
    r = resqunn("sweep", "plan", tiny.spec, "--json")
    assert r.returncode == 0, r.stderr
    plan = json.loads(r.stdout)
    e = tiny.epochs
    steps = e * math.ceil(TINY["train"] / BATCH)
    with h5py.File(reference, "r") as f:
        assert f.attrs["schema"] == "resqunn-results"
        assert list(f["points/id"].asstr()[...]) == [p["id"] for p in plan["points"]]
        assert list(f["points/params/model.residual"].asstr()[...]) == RESIDUALS
        assert f["points/state"][...].tolist() == [DONE] * len(RESIDUALS)
        assert f["points/epochs_done"][...].tolist() == [e] * len(RESIDUALS)
        assert f["metrics/val_acc"].shape == (len(RESIDUALS), e)
        assert f["traces/loss"].shape == (len(RESIDUALS), steps)
        assert np.all(np.isfinite(f["metrics/val_acc"][...]))
        assert np.all(np.isfinite(f["traces/loss"][...]))
        best = f["metrics/val_acc"][...].max(axis=1)
        assert f["points/best_val_acc"][...].tolist() == best.tolist()
        assert f["checkpoint/current"][...].min() >= 0
        assert f["provenance"].attrs["mpi_size"] == 1
        assert f["provenance"].attrs["end_time_utc"] != ""
        assert tomllib.loads(f["spec"].asstr()[()])["sweep"]["name"] == "e2e"


@pytest.mark.parametrize("ranks, group", [(2, 1), (2, 2), (4, 1), (4, 2)],
                         ids=lambda v: str(v))
def test_results_do_not_depend_on_ranks_or_group_size(tiny, reference, tmp_path, ranks, group):
    out = tmp_path / "out.h5"
    r = tiny.run(out, ranks, group, timeout=180)
    assert r.returncode == 0, r.stderr
    assert f"on {ranks // group} group(s) of {group} rank(s)" in r.stderr
    assert "4/4 points done" in r.stderr
    assert_same(deterministic(snapshot(reference)), deterministic(snapshot(out)),
                f"{ranks} ranks, groups of {group}")
    with h5py.File(out, "r") as f:
        assert f["provenance"].attrs["mpi_size"] == ranks


@pytest.fixture(scope="module")
def tiny_compiled(tmp_path_factory, resqunn, training_data):
    """The tiny sweep with every circuit on the compiled evaluator, whose
    weight-gradient pass runs once per step on moments summed over the
    step's micro-batches (docs/quantum.md)."""
    data_dir, dataset = training_data
    d = tmp_path_factory.mktemp("tiny-compiled")
    extra = '[model.quanv]\nevaluator = "compiled"\n'
    return Sweep(resqunn, write_sweep(d, dataset, **TINY, name="e2e-compiled", model_extra=extra),
                 data_dir, dataset, TINY["epochs"])


def test_compiled_results_do_not_depend_on_ranks(tiny_compiled, tmp_path):
    runs = {}
    for ranks in (1, 2, 3):
        out = tmp_path / f"compiled-{ranks}.h5"
        r = tiny_compiled.run(out, ranks, ranks, timeout=180)  # one group: data-parallel
        assert r.returncode == 0, r.stderr
        runs[ranks] = deterministic(snapshot(out))
    assert_same(runs[1], runs[2], "compiled, 1 vs 2 ranks in one group")
    assert_same(runs[1], runs[3], "compiled, 1 vs 3 ranks in one group")


@pytest.mark.parametrize("point", [0, 3])
def test_a_point_equals_resqunn_train_on_its_config(resqunn, tiny, reference, tmp_path, point):
    with h5py.File(reference, "r") as f:
        config = f["points/config"].asstr()[point]
        point_id = f["points/id"].asstr()[point]
    path = tmp_path / "point.toml"
    path.write_text(config)
    out = tmp_path / "train.h5"
    r = resqunn("train", path, "-o", out, "--data-dir", tiny.data_dir)
    assert r.returncode == 0, r.stderr
    sweep, train = snapshot(reference), snapshot(out)
    assert train["points/id"] == [point_id]  # same config, same id
    for name in ("points/config", "points/config_sha256"):
        assert train[name] == [sweep[name][point]], name
    assert train["points/param_names"] == sweep["points/param_names"]
    for name in train["points/param_names"]:
        key = f"points/params/{name}"
        assert train[key] == [sweep[key][point]], key
    weights = int(train["points/weight_count"][0])
    assert weights == sweep["points/weight_count"][point]
    compared = 0
    for name, mine in train.items():
        if name in WALL_CLOCK or name in NOT_PER_POINT or name.startswith("checkpoint/") \
                or not isinstance(mine, np.ndarray):
            continue
        row, theirs = sweep[name][point], mine[0]
        if name in ("weights/final",):
            # The sweep's file is as wide as its widest point: NaN beyond.
            assert np.all(np.isnan(row[weights:])), name
            row = row[:weights]
        assert row.dtype == theirs.dtype and row.shape == theirs.shape, name
        assert row.tobytes() == theirs.tobytes(), f"{name}: sweep point {point} != train"
        compared += 1
    assert compared >= 15


# --- faults: signals and kill -9, then resume ---------------------------------------------

FAULT_CONFIGS = [(2, 1), (2, 2)]
# A fault trial's moment: once k epochs (of the run's 12) are logged, plus a
# random fraction of an epoch. k = 0 is as soon as the ranks catch signals,
# while the groups load their data; k stops short of the end, where most
# signals would come after the work. Progress, not wall time, places them:
# the start-up (MPI, MNIST) takes longer than training this sweep, and far
# longer on a loaded machine.
FAULT_EPOCHS = len(RESIDUALS) * FAULT["epochs"]
_rng = random.Random(1234)


def _trial(last):
    config = _rng.choice(FAULT_CONFIGS)
    return (config, _rng.randrange(FAULT_EPOCHS - 2), round(_rng.random(), 2), last(config))


SIGTERM_TRIALS = [_trial(lambda config: _rng.choice(FAULT_CONFIGS)) for _ in range(6)]
KILL_TRIALS = [_trial(lambda config: _rng.randrange(config[0])) for _ in range(5)]


def trial_id(value):
    if isinstance(value, tuple):
        return f"{value[0]}x{value[1]}"
    return str(value)


def interrupt(fault, reference, out, config, epochs, fraction, action):
    """Starts the fault sweep, waits until `epochs` epochs are done and
    `fraction` of another, then calls action(run, rank pids); returns the
    finished CompletedProcess."""
    ranks, group = config
    run = fault.start(out, ranks, group, log_all_ranks=True)
    try:
        pids = wait_for_handlers(run, ranks)
        wait_for_epochs(run, epochs)
        time.sleep(fraction * reference["epoch_s"])
        action(run, pids)
        return run.finish(timeout=180)
    finally:
        run.kill()


def check_resume(fault, fault_reference, out, config, before_rc, before_err):
    """Reruns the sweep on `out` and checks it: it completes, resumes every
    started point from its checkpoint, leaves every done point as it was, and
    ends with the reference's results."""
    before = snapshot(out)
    state = before["points/state"]
    assert not np.any(state == FAILED), state
    if before_rc == EXIT_RESUBMIT:
        assert np.count_nonzero(state == DONE) < len(state), "exit 3 with every point done"
    done = [int(p) for p in np.flatnonzero(state == DONE)]
    started = (state != DONE) & (before["checkpoint/current"] >= 0)
    resumable = [int(p) for p in np.flatnonzero(started)]
    r = fault.run(out, *config, log_all_ranks=True, timeout=180)
    assert r.returncode == 0, f"rerun failed\n--- first run:\n{before_err}\n--- rerun:\n{r.stderr}"
    assert f"{len(done)} already done" in r.stderr
    for p in resumable:
        assert f"point {p} ({before['points/id'][p]}): resuming from its checkpoint" in r.stderr, \
            r.stderr
    after = snapshot(out)
    assert_same(point_rows(before, done), point_rows(after, done), "points done before the rerun")
    assert_same(fault_reference["results"], final_results(after), "resumed sweep")
    return r


def finished_before_the_signal(r, out):
    """A signal that arrives after a rank has taken its handlers down (the run
    is over, only MPI_Finalize is left) kills it: fine, if the sweep was
    complete."""
    return "sweep e2e complete" in r.stderr and np.all(states(out) == DONE)


@pytest.mark.parametrize("config, epochs, fraction, rerun_config", SIGTERM_TRIALS, ids=trial_id)
def test_sigterm_to_the_ranks_checkpoints_and_resumes(fault, fault_reference, tmp_path, config,
                                                      epochs, fraction, rerun_config):
    out = tmp_path / "out.h5"

    def terminate(run, pids):
        for pid in pids:
            if run.catches(pid, signal.SIGTERM):  # not after it took its handler down
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass

    r = interrupt(fault, fault_reference, out, config, epochs, fraction, terminate)
    if r.returncode == EXIT_RESUBMIT:
        assert "stopped by a signal" in r.stderr
        assert "Run the same command again to resume" in r.stderr
    elif r.returncode != 0:
        assert finished_before_the_signal(r, out), r.stderr
    # Resumed with another rank layout, which must not matter either.
    check_resume(fault, fault_reference, out, rerun_config, r.returncode, r.stderr)


@pytest.mark.parametrize("config, epochs, fraction, victim", KILL_TRIALS, ids=trial_id)
def test_kill_9_of_a_rank_then_rerun_completes(fault, fault_reference, tmp_path, config, epochs,
                                              fraction, victim):
    out = tmp_path / "out.h5"

    def kill(run, pids):
        try:
            os.kill(sorted(pids)[victim], signal.SIGKILL)
        except ProcessLookupError:
            pass

    r = interrupt(fault, fault_reference, out, config, epochs, fraction, kill)
    if r.returncode == 0:  # it had finished already
        assert np.all(states(out) == DONE)
    check_resume(fault, fault_reference, out, config, r.returncode, r.stderr)


def test_sigterm_to_one_rank_stops_every_group(fault, fault_reference, tmp_path):
    """A group that got a signal tells the others (the board's stop flag):
    the other group stops after its step instead of claiming the points
    left, which stay pending."""
    out = tmp_path / "out.h5"
    config = (2, 1)
    r = interrupt(fault, fault_reference, out, config, 1, 0.5,
                  lambda run, pids: os.kill(pids[0], signal.SIGTERM))
    assert r.returncode == EXIT_RESUBMIT, r.stderr
    assert np.any(states(out) == PENDING), states(out)
    check_resume(fault, fault_reference, out, config, r.returncode, r.stderr)


def launcher_is_hydra():
    """Whether MPIEXEC is MPICH's Hydra (scripts/check-mpich.sh), not Open MPI's."""
    mpiexec = os.environ.get("MPIEXEC") or shutil.which("mpiexec")
    out = subprocess.run([mpiexec, "--version"], capture_output=True, text=True, timeout=30)
    return "HYDRA" in out.stdout + out.stderr


def test_sigusr1_to_mpirun_is_forwarded_and_resumable(fault, fault_reference, tmp_path):
    """SLURM's `--signal=USR1@margin` signals the job step's launcher: Open
    MPI's mpirun and MPICH's Hydra mpiexec forward SIGUSR1 to the ranks,
    which checkpoint and stop. Open MPI's mpirun then exits 3 like the ranks;
    Hydra 4.0.2 (Debian) exits 0 in about half the runs although every rank
    stopped with 3 (measured 2 of 5 and 4 of 6): under Hydra the stop and the
    resume are checked, not the launcher's code (jobs/README.md)."""
    out = tmp_path / "out.h5"
    config = (2, 1)
    r = interrupt(fault, fault_reference, out, config, 2, 0.5,
                  lambda run, pids: os.kill(run.pid, signal.SIGUSR1))
    if launcher_is_hydra():
        assert r.returncode in (0, EXIT_RESUBMIT), r.stderr
        r = subprocess.CompletedProcess(r.args, EXIT_RESUBMIT, r.stdout, r.stderr)
    assert r.returncode == EXIT_RESUBMIT, r.stderr
    assert "stopped by a signal" in r.stderr
    with h5py.File(out, "r") as f:
        assert f["provenance"].attrs["end_time_utc"] == ""  # not complete
    check_resume(fault, fault_reference, out, config, r.returncode, r.stderr)
    with h5py.File(out, "r") as f:
        assert f["provenance"].attrs["end_time_utc"] != ""


# --- status ------------------------------------------------------------------------------

def test_status_of_a_finished_sweep(resqunn, tiny, reference):
    e = tiny.epochs
    snap = snapshot(reference)
    r = resqunn("status", reference)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == f"{reference}: 4 points: 4 done, 0 running, 0 pending, 0 failed"
    header = lines[1].split()
    assert header[:3] == ["#", "id", "model.residual"]  # the only column that varies
    assert "train.lr" not in header and "data.train" not in header
    assert len(lines) == 2 + len(RESIDUALS)
    for p, residual in enumerate(RESIDUALS):
        pattern = (rf"{p}\s+{snap['points/id'][p]}\s+{re.escape(residual)}\s+done\s+{e}/{e}"
                   rf"\s+\d+\.\d%\s+\S+")
        assert re.fullmatch(pattern, lines[2 + p]), lines[2 + p]

    r = resqunn("status", reference, "--json")
    assert r.returncode == 0, r.stderr
    status = json.loads(r.stdout)
    assert status["points"] == len(RESIDUALS) and status["epochs"] == e
    for p, row in enumerate(status["rows"]):
        assert row["id"] == snap["points/id"][p]
        assert row["state"] == "done" and row["epochs_done"] == e
        assert row["params"] == {"model.residual": RESIDUALS[p]}
        assert row["best_val_acc"] == snap["points/best_val_acc"][p]
        assert row["wall_s"] == snap["points/wall_s"][p]


def test_status_under_mpirun_prints_once(resqunn, reference):
    r = resqunn("status", reference, "--json", mpi_ranks=2, timeout=60)
    assert r.returncode == 0, r.stderr
    assert len(json.loads(r.stdout)["rows"]) == len(RESIDUALS)


def test_status_while_a_sweep_writes(resqunn, fault, fault_reference, tmp_path):
    """Readers never lock: status succeeds at any moment of a run, and what it
    shows only moves forward."""
    out = tmp_path / "out.h5"
    run = fault.start(out, 2, 2)  # the slower layout: more polls while it runs
    polls = []
    try:
        wait_for_handlers(run, 2)
        # Alternately the table and JSON (a call takes about a second: MPI's
        # singleton start-up), at least twice to compare.
        while run.proc.poll() is None or len(polls) < 2:
            if len(polls) % 2:
                t = resqunn("status", out, timeout=60)
                assert t.returncode == 0, t.stderr
                assert "model.residual" in t.stdout
            s = resqunn("status", out, "--json", timeout=60)
            assert s.returncode == 0, s.stderr
            polls.append(json.loads(s.stdout)["rows"])
        r = run.finish(timeout=180)
    finally:
        run.kill()
    assert r.returncode == 0, r.stderr
    rank = {"pending": 0, "running": 1, "done": 2}
    for earlier, later in zip(polls, polls[1:]):
        for a, b in zip(earlier, later):
            assert rank[a["state"]] <= rank[b["state"]], (a, b)
            assert a["epochs_done"] <= b["epochs_done"], (a, b)
    final = resqunn("status", out, "--json")
    assert [row["state"] for row in json.loads(final.stdout)["rows"]] == ["done"] * 4
    assert_same(fault_reference["results"], final_results(snapshot(out)),
                "sweep read while it ran")


# --- [[grids]]: the sweep.grid column ------------------------------------------------------

def test_grid_sweep_labels_each_point_with_its_grid(resqunn, training_data, tmp_path):
    data_dir, dataset = training_data
    spec = write_grid_sweep(tmp_path / "grids", dataset, **TINY)
    sweep = Sweep(resqunn, spec, data_dir, dataset, TINY["epochs"])
    r = resqunn("sweep", "plan", spec, "--json")
    assert r.returncode == 0, r.stderr
    plan = json.loads(r.stdout)
    assert [p["grid"] for p in plan["points"]] == GRID_LABELS
    out = tmp_path / "out.h5"
    r = sweep.run(out, 2, 1, timeout=180)
    assert r.returncode == 0, r.stderr
    assert "4/4 points done" in r.stderr
    with h5py.File(out, "r") as f:
        names = list(f["points/param_names"].asstr()[...])
        assert names[0] == "sweep.grid"
        assert names.count("sweep.grid") == 1
        assert "model.residual" in names and "train.seed" in names
        assert list(f["points/id"].asstr()[...]) == [p["id"] for p in plan["points"]]
        assert list(f["points/params/sweep.grid"].asstr()[...]) == GRID_LABELS
        assert list(f["points/params/model.residual"].asstr()[...]) == GRID_RESIDUALS
        assert list(f["points/params/train.seed"].asstr()[...]) == GRID_SEEDS
        assert f["points/state"][...].tolist() == [DONE] * len(GRID_LABELS)

    # status shows the grid as a column that varies.
    r = resqunn("status", out)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[1].split()[:3] == ["#", "id", "sweep.grid"]
    r = resqunn("status", out, "--json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)["rows"]
    assert [row["params"]["sweep.grid"] for row in rows] == GRID_LABELS

    # The file's layout (the grid column included) is the sweep's: a rerun
    # finds every point done.
    r = sweep.run(out, 2, 1, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "4 already done, 0 to train" in r.stderr


def test_a_sweep_without_grids_has_no_grid_column(reference):
    with h5py.File(reference, "r") as f:
        names = list(f["points/param_names"].asstr()[...])
        assert "model.residual" in names
        assert "sweep.grid" not in names
        assert "sweep.grid" not in f["points/params"]

# --- resuming and refusing existing files ---------------------------------------------

def test_rerunning_a_complete_sweep_trains_nothing(tiny, reference, tmp_path):
    out = tmp_path / "copy.h5"
    shutil.copy(reference, out)
    r = tiny.run(out, 2, 1, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "4 already done, 0 to train" in r.stderr
    assert "epoch 1/" not in r.stderr
    before, after = snapshot(reference), snapshot(out)
    assert_same(before, after, "a complete sweep run again")  # wall times included


def test_a_different_sweep_on_an_existing_file_is_refused(resqunn, tiny, reference, tmp_path):
    out = tmp_path / "copy.h5"
    shutil.copy(reference, out)
    original = out.read_bytes()
    # The same base, one point fewer.
    spec = write_sweep(tmp_path / "other", tiny.dataset, **TINY, residuals=RESIDUALS[:3])
    other = Sweep(resqunn, spec, tiny.data_dir, tiny.dataset, TINY["epochs"])
    r = other.run(out, 2, 1, timeout=60)
    assert r.returncode == EXIT_USAGE, r.stderr
    assert "different sweep" in r.stderr and "--overwrite" in r.stderr
    assert str(out) in r.stderr
    assert r.stderr.count("different sweep") == 1  # one message, from rank 0
    assert out.read_bytes() == original

    r = other.run(out, 2, 1, "--overwrite", timeout=120)
    assert r.returncode == 0, r.stderr
    assert states(out).tolist() == [DONE] * 3
    with h5py.File(out, "r") as f:
        assert list(f["points/params/model.residual"].asstr()[...]) == RESIDUALS[:3]


# --- bad input: one message, before any work, no hang ----------------------------------------

def h5files(directory):
    return sorted(p.name for p in directory.rglob("*.h5"))


def test_invalid_spec_is_a_usage_error(tiny, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(tiny.spec.read_text().replace('"model.residual"', '"model.residul"'))
    sweep = Sweep(tiny.resqunn, bad, tiny.data_dir, tiny.dataset, TINY["epochs"])
    r = sweep.run(tmp_path / "out.h5", 2, 1, timeout=60)
    assert r.returncode == EXIT_USAGE, r.stderr
    assert r.stderr.count("model.residul: unknown key (did you mean 'residual'?)") == 1
    assert re.search(r"bad\.toml:\d+:\d+: point 0 \(model\.residul=none\)", r.stderr)
    assert h5files(tmp_path) == []


def test_group_size_that_does_not_divide_the_ranks(tiny, tmp_path):
    r = tiny.run(tmp_path / "out.h5", 2, 3, timeout=60)
    assert r.returncode == EXIT_USAGE, r.stderr
    assert r.stderr.count("--group-size 3 does not divide the 2 MPI ranks") == 1
    assert "group size" in r.stderr
    assert h5files(tmp_path) == []


@pytest.mark.parametrize("what, rank1_args, message", [
    ("group size", ["-g", "2"], "another -g/--group-size"),
    ("output", ["-o", "other.h5"], "another -o/--output"),
    ("spec", ["SPEC2"], "another sweep spec"),
])
def test_ranks_started_differently_all_exit_2_and_write_nothing(tiny, tmp_path, what,
                                                                  rank1_args, message):
    # An MPMD launch (one command per rank): rank 1 differs in one argument.
    other = tmp_path / "other_spec.toml"
    text = tiny.spec.read_text()
    other.write_text(re.sub(r'(?m)^name = "[^"]*"', 'name = "another"', text, count=1))
    assert other.read_text() != text
    out = tmp_path / "out.h5"
    base = {"spec": str(tiny.spec), "-o": str(out), "-g": "1"}
    changed = dict(base)
    if rank1_args == ["SPEC2"]:
        changed["spec"] = str(other)
    else:
        changed[rank1_args[0]] = str(tmp_path / rank1_args[1]) if rank1_args[0] == "-o" \
            else rank1_args[1]

    def command(a):
        return [tiny.resqunn.binary, "sweep", "run", a["spec"], "-o", a["-o"], "-g", a["-g"],
                "--data-dir", str(tiny.data_dir)]

    mpiexec = os.environ.get("MPIEXEC") or shutil.which("mpiexec")
    cmd = [mpiexec, "-n", "1", *command(base), ":", "-n", "1",
           *command(changed)]
    r = subprocess.run(cmd, capture_output=True, text=True, env=tiny.resqunn.env, timeout=60)
    assert r.returncode == EXIT_USAGE, (what, r.stderr)
    assert r.stderr.count(f"rank 1 was started with {message}") == 1, r.stderr
    assert h5files(tmp_path) == []


@pytest.mark.parametrize("where", ["/proc/nonexistent/x.h5", "a-file/x.h5"])
def test_unwritable_output(tiny, tmp_path, where):
    (tmp_path / "a-file").write_text("not a directory\n")
    out = where if where.startswith("/") else tmp_path / where
    r = tiny.run(out, 2, 1, timeout=60)
    assert r.returncode == EXIT_FAILURE, r.stderr
    assert r.stderr.count(f"{out}: cannot create") == 1, r.stderr
    assert "epoch 1/" not in r.stderr
    assert h5files(tmp_path) == []


def test_missing_data_names_the_fetch_command(tiny, tmp_path):
    empty = tmp_path / "no-data"
    empty.mkdir()
    sweep = Sweep(tiny.resqunn, tiny.spec, empty, tiny.dataset, TINY["epochs"])
    r = sweep.run(tmp_path / "out.h5", 2, 1, timeout=60)
    assert r.returncode == EXIT_FAILURE, r.stderr
    assert r.stderr.count(f"resqunn data fetch {tiny.dataset}") == 1
    assert h5files(tmp_path) == []


# --- a point that fails mid-sweep -------------------------------------------------------

def test_a_point_failing_mid_sweep_aborts_the_job_naming_it(tiny, reference, tmp_path):
    """A checkpoint that does not fit its point (here: damaged by hand) makes
    that point's trainer throw on one group while the other works: the job
    ends (no hang) with a message naming the point, and the points done
    before are left as they were."""
    out = tmp_path / "damaged.h5"
    shutil.copy(reference, out)
    victim = 2
    with h5py.File(out, "r+") as f:
        f["points/state"][victim] = RUNNING
        slot = f["checkpoint/current"][victim]
        counters = f["checkpoint/counters"]
        row = counters[victim, slot]
        row[1] = 10**6  # steps_done
        counters[victim, slot] = row
        point_id = f["points/id"].asstr()[victim]
    before = snapshot(out)
    r = tiny.run(out, 2, 1, timeout=60)
    assert r.returncode not in (0, EXIT_RESUBMIT), r.stderr
    assert f"point {victim} ({point_id}) (model.residual={RESIDUALS[victim]}) failed:" in r.stderr
    assert "does not fit this run" in r.stderr
    done = [p for p in range(len(RESIDUALS)) if p != victim]
    assert_same(point_rows(before, done), point_rows(snapshot(out), done), "other points")
    # The failing group's leader marks the point failed for `resqunn status`.
    with h5py.File(out, "r") as f:
        assert f["points/state"][victim] == 3
