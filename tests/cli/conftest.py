"""Fixtures for end-to-end tests of the `resqunn` binary."""
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
