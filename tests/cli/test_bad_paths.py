"""Paths that cannot be right, said plainly (docs/bad-input.md): results
paths (`-o`) that are empty, a directory, the input itself or not an HDF5
name; data directories that are a file or cannot be read; results files that
are damaged or read-only; and errors under `mpirun` printed once, attributed
once. Each exits 2 (usage) or 1 (run time) and writes nothing."""
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from test_sweep_run import EXIT_FAILURE, EXIT_USAGE, Sweep, write_sweep
from test_sweep_run import reference, tiny  # noqa: F401  (module-scoped fixtures)

NOBODY = 65534


def listing(directory):
    return sorted(p.name for p in Path(directory).iterdir())


def assert_plain(r):
    """No internals: HDF5's argument dumps, MPI error classes, tracebacks."""
    for leak in ("tent_flags", "o_flags", "MPI_ERR_", "HDF5: unable to open file", "Traceback",
                 "rank 0: rank", "[rank 0/2] rank 0:"):
        assert leak not in r.stderr, r.stderr


# --- -o -----------------------------------------------------------------------------------

@pytest.mark.parametrize("output, expected, fix", [
    ("results.txt", "results.txt: not an HDF5 file name", "results.h5"),
    ("SPEC", "that is the file this command reads", ".h5"),
    ("BASE", "that is the file this command reads", "base.h5"),
    ("DIR", "that is a directory, not a results file", "name a file in it, e.g. -o "),
])
@pytest.mark.parametrize("ranks", [1, 2])
def test_a_results_path_that_cannot_be_right_is_refused(tiny, output, expected, fix, ranks):
    out = {"SPEC": str(tiny.spec), "BASE": str(tiny.dir / "base.toml"),
           "DIR": str(tiny.dir)}.get(output, str(tiny.dir / output))
    before = listing(tiny.dir)
    texts = {p: p.read_bytes() for p in tiny.dir.iterdir() if p.is_file()}
    r = tiny.run(out, ranks, 1, timeout=120)
    assert r.returncode == EXIT_USAGE, r.stderr
    assert expected in r.stderr and fix in r.stderr, r.stderr
    assert r.stderr.count(expected) == 1, r.stderr  # once, by rank 0
    assert_plain(r)
    assert listing(tiny.dir) == before
    assert {p: p.read_bytes() for p in tiny.dir.iterdir() if p.is_file()} == texts


def test_an_empty_results_path_is_refused(resqunn, tiny):
    r = resqunn("sweep", "run", tiny.spec, "-o", "", "--data-dir", tiny.data_dir)
    assert r.returncode == EXIT_USAGE, r.stderr
    assert "an empty path; name the results file, e.g. -o results.h5" in r.stderr
    assert not (Path.cwd() / "e2e.h5").exists()


def test_train_refuses_the_same_paths(resqunn, tiny):
    base = tiny.dir / "base.toml"
    for out, expected in [("run.txt", "not an HDF5 file name"),
                          (base, "that is the file this command reads"),
                          (tiny.dir, "that is a directory")]:
        r = resqunn("train", base, "-o", out, "--data-dir", tiny.data_dir)
        assert r.returncode == EXIT_USAGE, r.stderr
        assert expected in r.stderr, r.stderr
    r = resqunn("train", base, "-o", "", "--data-dir", tiny.data_dir)
    assert r.returncode == EXIT_USAGE and "an empty path" in r.stderr, r.stderr


# --- --data-dir ----------------------------------------------------------------------------

def test_a_data_dir_that_is_a_file_is_not_called_unfetched(tiny, tmp_path):
    r = tiny.resqunn("sweep", "run", tiny.spec, "-o", tmp_path / "r.h5", "--data-dir",
                     tiny.spec)
    assert r.returncode == EXIT_USAGE, r.stderr
    assert f"{tiny.spec} is not a directory" in r.stderr, r.stderr
    assert "data fetch" not in r.stderr
    assert listing(tmp_path) == []


def test_an_unfetched_data_dir_says_how_to_fetch_into_it(tiny, tmp_path):
    empty = tmp_path / "data"
    r = tiny.resqunn("sweep", "run", tiny.spec, "-o", tmp_path / "r.h5", "--data-dir", empty)
    assert r.returncode == EXIT_FAILURE, r.stderr
    assert f"resqunn data fetch {tiny.dataset} --data-dir {empty}" in r.stderr, r.stderr
    assert listing(tmp_path) == []


@pytest.fixture
def unprivileged(tmp_path):
    """(command prefix, a directory everyone may use) to run the binary as a
    user without rights to what root made: root here (and in CI) ignores
    permissions, so it becomes `nobody` through setpriv."""
    if os.geteuid() != 0:
        yield [], tmp_path
        return
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: permissions cannot be tested")
    shared = Path(tempfile.mkdtemp(prefix="resqunn-unprivileged-"))  # outside root's 0700 tmp
    shared.chmod(0o777)
    try:
        yield ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"], shared
    finally:
        shutil.rmtree(shared, ignore_errors=True)


def run_as(prefix, resqunn, *args, cwd):
    env = dict(resqunn.env, HOME=str(cwd))
    return subprocess.run([*prefix, resqunn.binary, *map(str, args)], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=120)


def readable_copy(tiny, directory):
    """The tiny sweep and its data where the unprivileged user can read them."""
    data = directory / "data"
    shutil.copytree(Path(tiny.data_dir) / tiny.dataset, data / tiny.dataset)
    sweep_dir = directory / "sweep"
    shutil.copytree(tiny.dir, sweep_dir, ignore=shutil.ignore_patterns("*.h5", "*.lock"))
    spec = sweep_dir / tiny.spec.name
    spec.write_text(spec.read_text().replace(str((tiny.dir / "base.toml").resolve()),
                                             str(sweep_dir / "base.toml")))
    for p in [directory, *directory.rglob("*")]:
        p.chmod(0o777 if p.is_dir() else 0o644)
    return spec, data


def test_an_unreadable_data_dir_says_so(tiny, unprivileged):
    prefix, shared = unprivileged
    spec, data = readable_copy(tiny, shared)
    data.chmod(0o700 if prefix else 0o000)
    try:
        r = run_as(prefix, tiny.resqunn, "sweep", "run", spec, "-o", shared / "r.h5",
                   "--data-dir", data, cwd=shared)
    finally:
        data.chmod(0o777)
    assert r.returncode == EXIT_FAILURE, r.stderr
    assert f"cannot read the data directory {data}" in r.stderr, r.stderr
    assert "data fetch" not in r.stderr
    assert not (shared / "r.h5").exists()


def test_a_read_only_results_file_is_called_read_only(tiny, reference, unprivileged):
    prefix, shared = unprivileged
    spec, data = readable_copy(tiny, shared)
    out = shared / "done.h5"
    shutil.copyfile(reference, out)
    out.chmod(0o444)
    before = out.read_bytes()
    r = run_as(prefix, tiny.resqunn, "sweep", "run", spec, "-o", out, "--data-dir", data,
               cwd=shared)
    assert r.returncode == EXIT_FAILURE, r.stderr
    assert "permission denied: the file or its file system is read-only" in r.stderr, r.stderr
    assert f"chmod u+w {out}" in r.stderr
    assert_plain(r)
    assert out.read_bytes() == before


# --- empty and unreadable inputs ------------------------------------------------------------

def test_an_empty_config_is_the_defaults_and_an_empty_spec_says_what_it_lacks(resqunn, tmp_path):
    empty = tmp_path / "empty.toml"
    empty.write_bytes(b"")
    r = resqunn("model", "describe", empty)
    assert r.returncode == 0, r.stderr  # docs/config.md: an empty file is every default
    assert "permissions" not in r.stderr
    r = resqunn("sweep", "plan", empty)
    assert r.returncode == EXIT_USAGE, r.stderr
    assert "missing [sweep] table" in r.stderr and "fix: start the spec with [sweep]" in r.stderr


def test_an_unreadable_config_says_why(resqunn, unprivileged):
    prefix, shared = unprivileged
    config = shared / "secret.toml"
    config.write_text("[train]\nepochs = 1\n")
    config.chmod(0o000 if not prefix else 0o600)  # root's 0600 file: unreadable to nobody
    r = run_as(prefix, resqunn, "model", "describe", config, cwd=shared)
    assert r.returncode == EXIT_USAGE, r.stderr
    assert f"cannot read config file '{config}': Permission denied" in r.stderr, r.stderr
    assert "fix: check its permissions (and its directory's)" in r.stderr


# --- damaged results files -------------------------------------------------------------------

def test_resuming_a_damaged_file_points_to_overwrite(tiny, reference, tmp_path):
    out = tmp_path / "cut.h5"
    out.write_bytes(reference.read_bytes()[:5000])
    before = out.read_bytes()
    r = tiny.run(out, 1, 1)
    assert r.returncode == EXIT_FAILURE, r.stderr
    assert "the file is truncated" in r.stderr
    assert "run the same command with --overwrite" in r.stderr, r.stderr
    assert_plain(r)
    assert out.read_bytes() == before
    r = tiny.run(out, 1, 1, "--overwrite")
    assert r.returncode == 0, r.stderr


# --- under mpirun --------------------------------------------------------------------------

def test_a_command_line_error_under_mpirun_is_printed_once(resqunn, tiny):
    r = resqunn("sweep", "run", tiny.spec, "--no-such-option", mpi_ranks=3, timeout=120)
    assert r.returncode == EXIT_USAGE, r.stderr
    assert r.stderr.count("The following argument was not expected: --no-such-option") == 1, \
        r.stderr


def test_an_error_of_another_rank_is_attributed_once(resqunn, tmp_path):
    # An MPMD launch in which rank 1 alone reads an invalid spec: every
    # rank exits 2, rank 0 reports rank 1's error once, attributed once.
    good = tmp_path / "s.toml"
    good.write_text('[sweep]\nname = "s"\n')
    bad = tmp_path / "bad.toml"
    bad.write_text('[sweep]\nname = 3\n')
    mpiexec = os.environ.get("MPIEXEC") or shutil.which("mpiexec")
    run = ["sweep", "run", "-o", tmp_path / "s.h5"]
    cmd = [mpiexec, "-n", "1", resqunn.binary, *run, good, ":",
           "-n", "1", resqunn.binary, *run, bad]
    r = subprocess.run(list(map(str, cmd)), capture_output=True, text=True, env=resqunn.env,
                       timeout=120)
    assert r.returncode == EXIT_USAGE, r.stderr
    assert r.stderr.count("on rank 1: ") == 1, r.stderr
    assert f"on rank 1: {bad}:2:8: sweep.name" in r.stderr, r.stderr
    assert_plain(r)
    assert listing(tmp_path) == ["bad.toml", "s.toml"]
