"""`resqunn sweep run` under every Open MPI one-sided transport, over TCP as
between nodes (docs/sweeps.md, "Groups and scheduling"): the engine needs no
asynchronous progress from a busy rank, so it neither hangs nor stalls
under `osc pt2pt`, `ucx` or `rdma`, and its results are bitwise equal to the
default run's for 1, 2 and 3 ranks and groups of 2; a signal still stops it
with exit code 3, and a kill -9 still resumes to the same results.

The wall times of bench/bench_sweep.py --transports go to docs/benchmarks.md
(no timed assertions here; the timeouts only catch a hang).
"""
import os
import signal

import pytest

from test_sweep_run import (EXIT_RESUBMIT, Sweep, assert_same, deterministic, final_results,
                            snapshot, wait_for_epochs, wait_for_handlers)
# The sweeps and their one-rank references, shared with test_sweep_run
# (module-scoped fixtures: each module makes its own).
from test_sweep_run import fault, fault_reference, reference, tiny  # noqa: F401

# Open MPI's one-sided components, forced, with TCP between the ranks (no
# shared-memory byte transfer layer: what a job across nodes gets). None
# leaves Open MPI's choice (shared memory on one node).
TRANSPORTS = {
    "default": {},
    "tcp-pt2pt": {"OMPI_MCA_btl": "self,tcp", "OMPI_MCA_osc": "pt2pt"},
    "tcp-not-sm": {"OMPI_MCA_btl": "self,tcp", "OMPI_MCA_osc": "^sm"},
    "tcp-ucx": {"OMPI_MCA_btl": "self,tcp", "OMPI_MCA_osc": "ucx"},
    "tcp-rdma": {"OMPI_MCA_btl": "self,tcp", "OMPI_MCA_osc": "rdma"},
}


class TransportSweep(Sweep):
    """A Sweep whose runs force one transport."""

    def __init__(self, sweep, env):
        super().__init__(sweep.resqunn, sweep.spec, sweep.data_dir, sweep.dataset, sweep.epochs)
        self.env = env

    def run(self, out, ranks=1, group=1, *extra, timeout=120):
        return self.resqunn(*self.args(out, group, extra, False), mpi_ranks=ranks, env=self.env,
                            timeout=timeout)

    def start(self, out, ranks=1, group=1, *extra, log_all_ranks=False):
        return self.resqunn.start(*self.args(out, group, extra, log_all_ranks), mpi_ranks=ranks,
                                  env=self.env)


@pytest.mark.parametrize("transport", list(TRANSPORTS))
@pytest.mark.parametrize("ranks,group", [(2, 1), (3, 1), (4, 2)])
def test_results_are_bitwise_equal_under_every_transport(tiny, reference, tmp_path, transport,
                                                         ranks, group):
    sweep = TransportSweep(tiny, TRANSPORTS[transport])
    out = tmp_path / "t.h5"
    r = sweep.run(out, ranks, group)
    assert r.returncode == 0, r.stderr
    assert_same(deterministic(snapshot(reference)), deterministic(snapshot(out)), f"{transport}, {ranks} ranks, g{group}")


@pytest.mark.parametrize("transport", [t for t in TRANSPORTS if t != "default"])
def test_a_signal_stops_and_a_rerun_resumes_under_every_transport(fault, fault_reference,
                                                                  tmp_path, transport):
    sweep = TransportSweep(fault, TRANSPORTS[transport])
    out = tmp_path / "s.h5"
    run = sweep.start(out, 2, 1, log_all_ranks=True)
    pids = wait_for_handlers(run, 2)
    wait_for_epochs(run, 2)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    stopped = run.finish()
    if stopped.returncode == 0:
        pytest.skip("the sweep finished before the signal landed")
    assert stopped.returncode == EXIT_RESUBMIT, stopped.stderr
    r = sweep.run(out, 2, 1)
    assert r.returncode == 0, r.stderr
    assert_same(fault_reference["results"], final_results(snapshot(out)), f"{transport}: resumed")


@pytest.mark.parametrize("transport", [t for t in TRANSPORTS if t != "default"])
def test_kill_9_then_rerun_completes_under_every_transport(fault, fault_reference, tmp_path,
                                                           transport):
    sweep = TransportSweep(fault, TRANSPORTS[transport])
    out = tmp_path / "k.h5"
    run = sweep.start(out, 2, 1, log_all_ranks=True)
    wait_for_handlers(run, 2)
    wait_for_epochs(run, 1)
    run.kill()
    run.finish()
    r = sweep.run(out, 2, 1)
    assert r.returncode == 0, r.stderr
    assert_same(fault_reference["results"], final_results(snapshot(out)), f"{transport}: after kill -9")
