"""Results files that are incomplete, or not results files at all (issue 18).

Every command that reads a results file (report, compare, studies) must answer
a file with a missing dataset or group, an HDF5 file of something else, a file
that is not HDF5 and a path that does not exist with exit status 1 and two
lines -- ``error: FILE: ...`` naming what is missing, and ``fix: ...`` -- never a
traceback, and must leave the file as it was.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import h5py
import numpy as np
import pytest
from conftest import copy_results, run_cli

from resqunn_analysis import DataError, MissingDataError, load

COMMANDS = ("report", "compare", "studies")


def argv(command: str, bad: Path, good: Path, out: Path) -> list[str]:
    """`command` reading `bad` (and, where it takes two files, the valid `good`)."""
    if command == "report":
        return ["report", str(bad), "-o", str(out)]
    if command == "compare":
        return ["compare", str(bad), str(good)]
    return ["studies", "--paper", str(bad), "--depth", str(good), "-o", str(out)]


def digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def run_on(command: str, bad: Path, good: Path, tmp_path: Path):
    """Runs `command` on `bad`; checks exit 1, no traceback, `bad` unchanged; returns stderr."""
    before = digest(bad)
    proc = run_cli(*argv(command, bad, good, tmp_path / "out"))
    assert proc.returncode == 1, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert digest(bad) == before, "the input file was changed"
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 2, proc.stderr
    assert lines[0].startswith(f"resqunn-analysis {command}: error: {bad}: "), proc.stderr
    assert lines[1].startswith("  fix: check the path"), proc.stderr
    return proc.stderr


def without(src: Path, dst: Path, *names: str) -> Path:
    """A copy of results file `src` with the objects `names` deleted."""
    copy_results(src, dst)
    with h5py.File(dst, "r+") as f:
        for name in names:
            del f[name]
    return dst


# --- the command line ---------------------------------------------------------------------------


# Each command with a few of the objects (test_every_object_the_reader_needs_is_named
# deletes every one, through load(), which every command reads with).
@pytest.mark.parametrize("command,dataset", [
    ("report", "points/state"), ("report", "points/params/model.residual"),
    ("compare", "metrics/val_acc"), ("studies", "traces/loss")])
def test_missing_dataset_is_named_with_a_fix(train_h5, tmp_path, command, dataset):
    bad = without(train_h5, tmp_path / "no dataset.h5", dataset)
    err = run_on(command, bad, train_h5, tmp_path)
    assert f"not a complete resqunn results file: dataset /{dataset} is missing" in err, err
    assert "--overwrite" in err, err


@pytest.mark.parametrize("command,group", [
    ("report", "points"), ("compare", "metrics"), ("studies", "traces"), ("report", "weights")])
def test_missing_group_is_named_with_a_fix(train_h5, tmp_path, command, group):
    bad = without(train_h5, tmp_path / "no group.h5", group)
    err = run_on(command, bad, train_h5, tmp_path)
    assert f"not a complete resqunn results file: group /{group} is missing" in err, err


@pytest.mark.parametrize("command", COMMANDS)
def test_results_attributes_but_no_groups(tmp_path, command):
    """An HDF5 file that says it is a results file and holds nothing (no binary needed)."""
    bad = tmp_path / "empty.h5"
    with h5py.File(bad, "w") as f:
        f.attrs["schema"] = "resqunn-results"
        f.attrs["schema_version"] = np.int64(1)
    err = run_on(command, bad, bad, tmp_path)
    assert "group /points is missing" in err, err


@pytest.mark.parametrize("command", COMMANDS)
def test_hdf5_file_that_is_not_a_results_file(tmp_path, command):
    bad = tmp_path / "other.h5"
    with h5py.File(bad, "w"):
        pass  # no groups, no attributes
    err = run_on(command, bad, bad, tmp_path)
    assert "not a resqunn results file (has no root attribute 'schema'" in err, err
    assert "`resqunn sweep run` wrote" in err, err


@pytest.mark.parametrize("command", COMMANDS)
def test_file_that_is_not_hdf5(tmp_path, command):
    bad = tmp_path / "notes.h5"
    bad.write_text("not hdf5 at all\n")
    err = run_on(command, bad, bad, tmp_path)
    assert "not an HDF5 file, so not a resqunn results file" in err, err


@pytest.mark.parametrize("command", COMMANDS)
def test_path_that_does_not_exist(tmp_path, command):
    bad = tmp_path / "missing.h5"
    err = run_on(command, bad, bad, tmp_path)
    assert "No such file or directory" in err, err
    assert not bad.exists()


@pytest.mark.parametrize("args", [["report", "-o", "out"], ["compare", "a.h5"]])
def test_missing_path_argument_is_a_usage_error(tmp_path, args):
    proc = run_cli(*args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "the following arguments are required" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


# --- the library --------------------------------------------------------------------------------


def test_load_raises_missing_data_error(train_h5, tmp_path):
    bad = without(train_h5, tmp_path / "damaged.h5", "metrics/val_acc")
    with pytest.raises(MissingDataError) as info:
        load(bad, retries=0)
    e = info.value
    assert isinstance(e, DataError) and isinstance(e, ValueError)
    assert (e.path, e.missing, e.kind) == (str(bad), "/metrics/val_acc", "dataset")
    assert str(e).startswith(f"{bad}: not a complete resqunn results file: dataset "
                             "/metrics/val_acc is missing")
    assert re.search(r"\n  fix: check the path", str(e))


def test_every_object_the_reader_needs_is_named(train_h5, tmp_path):
    """Deleting any one object of a real file: load() still works, or names exactly it."""
    with h5py.File(train_h5, "r", locking=False) as f:
        names = []
        f.visit(names.append)
    needed = set()
    for k, name in enumerate(names):
        bad = without(train_h5, tmp_path / f"d{k}.h5", name)
        before = digest(bad)
        try:
            load(bad, retries=0, weights=True)
        except MissingDataError as e:
            # A deleted group takes its members along: the first missing component is named.
            assert e.missing == "/" + name, (name, str(e))
            needed.add(name)
        assert digest(bad) == before
        bad.unlink()
    for name in ("points", "points/state", "points/params", "metrics/val_acc",
                 "metrics/class_names", "traces/layer_names", "weights/final"):
        assert name in needed, name
