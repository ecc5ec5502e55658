"""The job scripts in jobs/ on a real (single-node, local) Slurm cluster.

Run through tests/slurm/harness.sh, which starts the cluster and sets
SLURM_CONF; ctest does that (`ctest -L slurm`). Every job runs the binary
under test (RESQUNN_BIN) on small sweeps of MNIST (from the default data
dir, where scripts/test.sh fetches it; else Fashion-MNIST from Debian's
package).

  * jobs/sweep.sbatch completes a sweep; all points done, one MPI job of
    2 ranks (srun + PMIx), the Slurm job id recorded;
  * jobs/sweep.sbatch with multi-node settings (--ntasks-per-node, squeezed
    onto the one node), other group size and threads gives the same results;
  * jobs/sweep.sbatch with MAX_RESTARTS, signalled like the time-limit
    warning (scancel --signal=USR1 --batch), checkpoints, requeues itself
    and finishes with results identical to an uninterrupted run;
  * scancel of jobs/sweep.sbatch leaves a resumable file: the same command
    submitted again completes it, identical;
  * jobs/submit.sh refuses an invalid spec (exit 2, nothing submitted) and
    submits a valid one.
"""
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import h5py
import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
JOBS = REPO / "jobs"
sys.path.insert(0, str(HERE))
from compare_results import differences  # noqa: E402

FASHION_SOURCE = Path("/usr/share/datasets/fashion-mnist")
TERMINAL = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY",
            "BOOT_FAIL", "DEADLINE", "PREEMPTED"}

# 3 points of 2 epochs on 200/50 images: a few seconds.
TINY_SPEC = """\
[sweep]
name = "slurm_tiny"

[base]
data.dataset = "{dataset}"
data.image_size = 14
data.train = 200
data.validation = 50
model.depths = [1, 1]
train.epochs = 2
train.batch_size = 32

[axes]
"model.residual" = ["none", "X+O1", "(X+O1)+O2"]
"""

# 2 points of 4 epochs of 9-qubit circuits: long enough (5-20 s) to be
# interrupted after its first epoch and before its end.
RESUME_SPEC = """\
[sweep]
name = "slurm_resume"

[base]
data.dataset = "{dataset}"
data.image_size = 14
data.train = 500
data.validation = 100
model.quanv.kernel = 3
model.depths = [4, 4]
train.epochs = 4
train.batch_size = 32

[axes]
"model.residual" = ["X+O1", "(X+O1)+O2"]
"""

INVALID_SPEC = """\
[sweep]
name = "slurm_invalid"

[axes]
"model.residul" = ["none", "X+O1"]
"""


# --- plumbing -----------------------------------------------------------------


def run(cmd, env, cwd, timeout=60, check=True):
    r = subprocess.run([str(c) for c in cmd], env=env, cwd=cwd, capture_output=True, text=True,
                       timeout=timeout)
    if check and r.returncode != 0:
        pytest.fail(f"{' '.join(map(str, cmd))} exited {r.returncode}\n"
                    f"stdout:\n{r.stdout}\nstderr:\n{r.stderr}")
    return r


class Cluster:
    """sbatch/scontrol/scancel against the harness's cluster, from one directory."""

    def __init__(self, env):
        self.env = env

    def sbatch(self, cwd, script, *args, options=(), env=None):
        r = run(["sbatch", "--parsable", *options, script, *args], dict(self.env, **(env or {})), cwd)
        return r.stdout.strip().split(";")[0]

    def show(self, job):
        """scontrol's fields of the job (a dict), {} once it is gone."""
        r = run(["scontrol", "show", "job", "-o", job], self.env, None, check=False)
        if r.returncode != 0:
            return {}
        return dict(re.findall(r"(\w+)=(\S*)", r.stdout))

    def job_ids(self):
        r = run(["scontrol", "show", "job", "-o"], self.env, None, check=False)
        return set(re.findall(r"JobId=(\d+)", r.stdout))

    def wait_for(self, job, done, what, timeout):
        """Polls scontrol until done(fields) is true; fails with the log after timeout."""
        deadline = time.monotonic() + timeout
        fields = {}
        while time.monotonic() < deadline:
            fields = self.show(job)
            if done(fields):
                return fields
            time.sleep(0.5)
        pytest.fail(f"job {job}: not {what} after {timeout} s; last state: "
                    f"{fields.get('JobState')} {fields.get('Reason')}\n{self.log_text(fields)}")

    def wait_end(self, job, timeout=240):
        return self.wait_for(job, lambda f: f.get("JobState") in TERMINAL, "finished", timeout)

    def log_text(self, fields):
        path = fields.get("StdOut")
        if path and Path(path).is_file():
            return f"--- {path}:\n{Path(path).read_text(errors='replace')}"
        return "(no log)"

    def scancel(self, *args):
        run(["scancel", *args], self.env, None)


def wait_for_text(path, pattern, cluster, job, timeout=180):
    """Waits until the job's log matches pattern (a regex); fails if the job ends first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.is_file() and re.search(pattern, path.read_text(errors="replace")):
            return
        fields = cluster.show(job)
        if fields.get("JobState") in TERMINAL:
            pytest.fail(f"job {job} ended ({fields.get('JobState')}) before its log showed "
                        f"/{pattern}/\n{cluster.log_text(fields)}")
        time.sleep(0.2)
    pytest.fail(f"job {job}: its log did not show /{pattern}/ within {timeout} s\n"
                f"{cluster.log_text(cluster.show(job))}")


def status(resqunn, env, results):
    r = run([resqunn, "status", "--json", results], env, None)
    return json.loads(r.stdout)


def assert_all_done(resqunn, env, results, points):
    s = status(resqunn, env, results)
    states = [row["state"] for row in s["rows"]]
    assert states == ["done"] * points, f"{results}: states {states}"


def assert_same_results(a, b):
    diffs = differences(str(a), str(b))
    assert not diffs, f"{a} and {b} differ:\n" + "\n".join(diffs)


# --- fixtures -----------------------------------------------------------------


@pytest.fixture(scope="session")
def base_env():
    if not os.environ.get("SLURM_CONF"):
        pytest.fail("SLURM_CONF is not set: run these tests through tests/slurm/harness.sh "
                    "(ctest -L slurm does)")
    binary = os.environ.get("RESQUNN_BIN")
    if not binary or not Path(binary).is_file():
        pytest.fail("RESQUNN_BIN must point at the built resqunn binary (ctest sets it)")
    env = dict(os.environ)
    env.update({
        "RESQUNN_BIN": str(Path(binary).resolve()),
        # The jobs inherit this environment (sbatch exports it).
        "OMPI_ALLOW_RUN_AS_ROOT": "1",
        "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
        "OMPI_MCA_btl": "self,vader,tcp",
        "OMPI_MCA_btl_tcp_if_include": "lo",
        "OMPI_MCA_oob_tcp_if_include": "lo",
        "OMPI_MCA_mpi_yield_when_idle": "1",
        # The test cluster has no task binding (TaskPlugin=task/none): bound
        # threads of different ranks would all land on the first core.
        "OMP_PROC_BIND": "false",
        "OMP_WAIT_POLICY": "passive",
    })
    env.pop("RESQUNN_GROUP_SIZE", None)
    env.pop("MAX_RESTARTS", None)
    return env


@pytest.fixture(scope="session")
def workdir(tmp_path_factory):
    root = os.environ.get("RESQUNN_SLURM_DIR")
    if root and Path(root, "work").is_dir():
        return Path(root, "work")
    return tmp_path_factory.mktemp("slurm-work")


@pytest.fixture(scope="session")
def env(base_env, workdir):
    """The environment for jobs, with a data dir that holds the dataset used."""
    resqunn = base_env["RESQUNN_BIN"]
    if run([resqunn, "data", "info", "mnist"], base_env, None, check=False).returncode == 0:
        base_env["TEST_DATASET"] = "mnist"
        return base_env
    if not FASHION_SOURCE.is_dir():
        pytest.fail("MNIST is not in the default data dir and Fashion-MNIST is not installed: "
                    "run `resqunn data fetch mnist` (scripts/test.sh does)")
    data = workdir / "data"
    run([resqunn, "data", "fetch", "fashion-mnist", "--data-dir", data], base_env, None, timeout=300)
    base_env["RESQUNN_DATA"] = str(data)
    base_env["TEST_DATASET"] = "fashion-mnist"
    return base_env


@pytest.fixture(scope="session")
def cluster(env):
    return Cluster(env)


@pytest.fixture(scope="session")
def resqunn(env):
    return env["RESQUNN_BIN"]


def make_dir(workdir, name, specs):
    d = workdir / name
    d.mkdir()
    for file, text in specs.items():
        (d / file).write_text(text)
    return d


@pytest.fixture(scope="session")
def tiny_done(env, workdir, cluster, resqunn):
    """(dir, job id): jobs/sweep.sbatch run on the tiny sweep, as it is."""
    d = make_dir(workdir, "tiny", {"tiny.toml": TINY_SPEC.format(dataset=env["TEST_DATASET"])})
    job = cluster.sbatch(d, JOBS / "sweep.sbatch", "tiny.toml", "results.h5")
    fields = cluster.wait_end(job)
    assert fields["JobState"] == "COMPLETED", cluster.log_text(fields)
    return d, job


@pytest.fixture(scope="session")
def reference(env, workdir, cluster):
    """The resume sweep, run without interruption by jobs/sweep.sbatch."""
    d = make_dir(workdir, "reference", {"resume.toml": RESUME_SPEC.format(dataset=env["TEST_DATASET"])})
    job = cluster.sbatch(d, JOBS / "sweep.sbatch", "resume.toml", "results.h5")
    fields = cluster.wait_end(job)
    assert fields["JobState"] == "COMPLETED", cluster.log_text(fields)
    return d / "results.h5"


# --- (i) a whole sweep in one job -----------------------------------------------


def test_sweep_job_completes(tiny_done, env, cluster, resqunn):
    d, job = tiny_done
    log = (d / f"resqunn-sweep-{job}.out").read_text()
    assert "sweep.sbatch: sweep complete" in log, log
    assert "2 ranks x 1 threads" in log, log
    assert_all_done(resqunn, env, d / "results.h5", 3)
    with h5py.File(d / "results.h5", "r", locking=False) as f:
        prov = f["provenance"].attrs
        # srun started one MPI job of both ranks (not two singletons).
        assert prov["mpi_size"] == 2
        assert prov["slurm_job_id"] == job


def test_multinode_settings_on_one_node(tiny_done, env, workdir, cluster, resqunn):
    """The sweep script with multi-node settings, squeezed onto the test's single
    node, with groups of 2 ranks of 2 threads: the same results as 2 groups of 1 rank."""
    tiny_dir, _ = tiny_done
    d = make_dir(workdir, "multinode", {"tiny.toml": (tiny_dir / "tiny.toml").read_text()})
    job = cluster.sbatch(d, JOBS / "sweep.sbatch", "tiny.toml", "results.h5",
                         options=["--nodes=1", "--ntasks-per-node=2", "--cpus-per-task=2"],
                         env={"RESQUNN_GROUP_SIZE": "2"})
    fields = cluster.wait_end(job)
    log = cluster.log_text(fields)
    assert fields["JobState"] == "COMPLETED", log
    assert "2 ranks x 2 threads, groups of 2" in log, log
    assert_all_done(resqunn, env, d / "results.h5", 3)
    assert_same_results(tiny_dir / "results.h5", d / "results.h5")


# --- (ii) checkpoint and requeue before the time limit ----------------------------


def test_requeue_on_usr1_resumes_identically(reference, env, workdir, cluster, resqunn):
    d = make_dir(workdir, "requeue", {"resume.toml": (reference.parent / "resume.toml").read_text()})
    job = cluster.sbatch(d, JOBS / "sweep.sbatch", "resume.toml", "results.h5",
                         env={"MAX_RESTARTS": "2"})
    log = d / f"resqunn-sweep-{job}.out"
    # Once a point has finished an epoch, warn the batch script as Slurm's
    # --signal=B:USR1@margin would (it delivers the same signal, only later).
    wait_for_text(log, r"epoch 1/4", cluster, job)
    cluster.scancel("--signal=USR1", "--batch", job)
    wait_for_text(log, r"requeued job", cluster, job, timeout=120)
    # Between the two runs: a resumable file, checkpointed, not complete.
    s = status(resqunn, env, d / "results.h5")
    assert any(row["state"] != "done" for row in s["rows"]), s
    assert any(row["epochs_done"] >= 1 for row in s["rows"]), s

    fields = cluster.wait_for(job, lambda f: f.get("JobState") in TERMINAL and f.get("Restarts") != "0",
                              "finished after a restart", timeout=240)
    text = log.read_text()
    assert fields["JobState"] == "COMPLETED", text
    assert fields["ExitCode"] == "0:0", text
    assert fields["Restarts"] == "1", text
    assert "SIGUSR1" in text and "stopped by a signal" in text, text
    assert "run 2 (restart 1 of at most 2)" in text, text
    assert "resuming from its checkpoint" in text, text
    assert "sweep complete after 2 run(s)" in text, text
    assert_all_done(resqunn, env, d / "results.h5", 2)
    assert_same_results(reference, d / "results.h5")


# --- (iii) scancel leaves a resumable file ---------------------------------------------


def test_scancel_leaves_resumable_file(reference, env, workdir, cluster, resqunn):
    d = make_dir(workdir, "scancel", {"resume.toml": (reference.parent / "resume.toml").read_text()})
    command = (JOBS / "sweep.sbatch", "resume.toml", "results.h5")
    job = cluster.sbatch(d, *command)
    log = d / f"resqunn-sweep-{job}.out"
    wait_for_text(log, r"epoch 1/4", cluster, job)
    cluster.scancel(job)
    fields = cluster.wait_end(job, timeout=120)
    text = log.read_text()
    assert fields["JobState"] == "CANCELLED", text
    # SIGTERM reached the ranks, which checkpointed and exited 3 within KillWait.
    assert "everything checkpointed: submit the same command again" in text, text
    assert fields["ExitCode"] == "3:0", text
    s = status(resqunn, env, d / "results.h5")
    assert any(row["state"] != "done" for row in s["rows"]), s
    assert any(row["epochs_done"] >= 1 for row in s["rows"]), s

    # The same command again: resumes and completes.
    again = cluster.sbatch(d, *command)
    fields = cluster.wait_end(again)
    text = (d / f"resqunn-sweep-{again}.out").read_text()
    assert fields["JobState"] == "COMPLETED", text
    assert "resuming from its checkpoint" in text and "sweep complete" in text, text
    assert_all_done(resqunn, env, d / "results.h5", 2)
    assert_same_results(reference, d / "results.h5")


# --- (iv) jobs/submit.sh ----------------------------------------------------------------


def test_submit_refuses_invalid_spec(env, workdir, cluster):
    d = make_dir(workdir, "submit-invalid", {"bad.toml": INVALID_SPEC})
    before = cluster.job_ids()
    r = run([JOBS / "submit.sh", "bad.toml"], env, d, check=False)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "did you mean 'residual'" in r.stderr, r.stderr
    assert "nothing submitted" in r.stderr, r.stderr
    assert cluster.job_ids() == before
    assert not list(d.glob("*.out"))


def test_submit_submits_valid_spec(tiny_done, env, workdir, cluster, resqunn):
    tiny_dir, _ = tiny_done
    d = make_dir(workdir, "submit", {"tiny.toml": (tiny_dir / "tiny.toml").read_text()})
    r = run([JOBS / "submit.sh", "-o", "out.h5", "tiny.toml", "--job-name=submit-test"], env, d)
    m = re.search(r"submitted job (\d+)", r.stdout)
    assert m, r.stdout + r.stderr
    job = m.group(1)
    assert "3 points" in r.stdout, r.stdout
    assert re.search(rf"tail -f /\S*/resqunn-sweep-{job}\.out\n", r.stdout), r.stdout
    assert re.search(r"status /\S*/out\.h5\n", r.stdout), r.stdout
    fields = cluster.wait_end(job)
    assert fields["JobState"] == "COMPLETED", cluster.log_text(fields)
    assert fields["JobName"] == "submit-test"
    assert_all_done(resqunn, env, d / "out.h5", 3)
    assert_same_results(tiny_dir / "results.h5", d / "out.h5")
