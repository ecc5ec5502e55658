#!/usr/bin/python3
"""Sweep-engine scaling on this machine, printed as a markdown table.

  /usr/bin/python3 bench/bench_sweep.py [--bin build/bin/resqunn] [--repeat 3]
  /usr/bin/python3 bench/bench_sweep.py --transports [--repeat 3]
  /usr/bin/python3 bench/bench_sweep.py --scale [--points 10000] [--ranks 64]

Measures, each in one run of this script (so that ratios compare like with like):
  * load-balance efficiency: a sweep over QCL1 depth 1..8 on 2 ranks (group
    size 1): sum of the points' training times / (2 x sweep wall time);
  * data-parallel speed-up of one point: 1 rank vs a group of 2 ranks;
  * HDF5 write overhead: time spent writing results / rank time, as the
    engine reports it.
With --transports instead: examples/sweep_quickstart.toml on 2 ranks under each
Open MPI one-sided transport over TCP (as between nodes), the wall time of the
whole mpirun against the default transport's, and a check that every run's
results equal the default run's bit for bit.
With --scale instead (issue 19, "scale by simulation"): a sweep of --points tiny points
(default 10^4: one 7x7 image batch, one epoch, different seeds) on --ranks
oversubscribed ranks (default 64) in groups of 1 and of 4: that every point was
done exactly once (the results file says done, with one epoch, and rank 0 logged
each point's completion once), the engine's overhead per point in core time (the
cores x the engine's wall time over the points, less one point's training time
measured alone) and the load balance (training's share of that core time).
Uses MNIST from the default data dir (`resqunn data fetch mnist`).
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np

REPO = Path(__file__).resolve().parent.parent

BASE = """
[data]
dataset = "mnist"
image_size = 14
train = {train}
validation = 200
[model]
depths = [1, 1]
residual = "(X+O1)+O2"
[[model.layers]]
stride = 2
[[model.layers]]
stride = 1
padding = "same"
[train]
epochs = {epochs}
batch_size = 32
"""


def run(cmd, env):
    start = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if r.returncode != 0:
        sys.exit(f"failed ({r.returncode}): {' '.join(map(str, cmd))}\n{r.stderr[-3000:]}")
    return wall, r.stderr


def sweep(binary, env, spec, out, ranks, group):
    cmd = ["mpirun", "-n", str(ranks), "--oversubscribe", "--bind-to", "core", binary, "sweep",
           "run", spec, "-o", out, "-g", str(group), "--overwrite"]
    wall, log = run(cmd, env)
    m = re.search(r"done in ([0-9.]+) s \(writing results: ([0-9.]+) s, ([0-9.]+)% of rank time\)", log)
    if not m:
        sys.exit("no summary line in the sweep's log:\n" + log[-2000:])
    with h5py.File(out, "r") as f:
        point_s = np.array(f["points/wall_s"][()])
        epoch_s = np.array(f["metrics/wall_s"][()])
    return float(m.group(1)), float(m.group(3)), point_s, epoch_s


TRANSPORTS = {
    "default (osc sm, shared memory)": {},
    "btl self,tcp + osc pt2pt": {"OMPI_MCA_btl": "self,tcp", "OMPI_MCA_osc": "pt2pt"},
    "btl self,tcp + osc ^sm": {"OMPI_MCA_btl": "self,tcp", "OMPI_MCA_osc": "^sm"},
    "btl self,tcp + osc ucx": {"OMPI_MCA_btl": "self,tcp", "OMPI_MCA_osc": "ucx"},
    "btl self,tcp + osc rdma": {"OMPI_MCA_btl": "self,tcp", "OMPI_MCA_osc": "rdma"},
}


def transports(binary, env, repeat):
    spec = REPO / "examples" / "sweep_quickstart.toml"
    walls, reference = {}, None
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeat):  # interleaved, so that drift hits every transport alike
            for name, extra in TRANSPORTS.items():
                out = Path(tmp) / "t.h5"
                cmd = ["mpirun", "-n", "2", "--oversubscribe", binary, "sweep", "run", spec,
                       "-o", out, "--overwrite"]
                wall, _ = run(cmd, dict(env, **extra))
                walls.setdefault(name, []).append(wall)
                with h5py.File(out, "r") as f:
                    weights = f["weights/final"][()]
                if reference is None:
                    reference = weights
                elif weights.tobytes() != reference.tobytes():
                    sys.exit(f"{name}: results differ from the default transport's")
    base = statistics.median(walls[next(iter(TRANSPORTS))])
    print(f"| transport | mpirun wall s, median of {repeat} (min, max) | / default |")
    print("|---|---|---|")
    for name, v in walls.items():
        print(f"| {name} | {statistics.median(v):.2f} ({min(v):.2f}, {max(v):.2f}) | "
              f"{statistics.median(v) / base:.2f} |")


SCALE_BASE = """
[data]
dataset = "mnist"
image_size = 7
train = 8
validation = 8
[model]
depths = [1]
residual = "none"
[train]
epochs = 1
batch_size = 8
"""


def scale(binary, env, points, ranks, groups):
    """One row per group size: points done once, engine cost per point, balance.

    With many more ranks than cores, a point's own wall time mostly measures
    waiting for a core, so costs are counted in core time: the cores times the
    engine's wall time, over the points, against the training time of one
    such point measured alone (one rank, CALIBRATION points). The difference
    is what the engine costs per point beyond training (claims, results
    writes, bookkeeping, and idle ranks' polling); the ratio is the load
    balance (training's share of the machine)."""
    env = dict(env, OMPI_MCA_mpi_yield_when_idle="1", OMPI_MCA_btl="self,vader,tcp")
    cores = os.cpu_count()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "base.toml").write_text(SCALE_BASE)

        def spec(name, n):
            path = tmp / f"{name}.toml"
            path.write_text(f'[sweep]\nname = "{name}"\nbase = "base.toml"\n[axes]\n'
                            '"train.seed" = [' + ", ".join(str(i) for i in range(1, n + 1)) +
                            "]\n")
            return path

        def sweep_run(spec_path, out, n_ranks, g):
            cmd = ["mpirun", "-n", str(n_ranks), "--oversubscribe", binary, "sweep", "run",
                   spec_path, "-o", out, "-g", str(g)]
            mpirun_s, log = run(cmd, env)
            m = re.search(r"complete: (\d+)/(\d+) points done in ([0-9.]+) s", log)
            if not m or m.group(1) != m.group(2):
                sys.exit(f"{spec_path.name} -g {g}: the sweep did not complete:\n" + log[-2000:])
            with h5py.File(out, "r") as f:
                return (mpirun_s, float(m.group(3)), log, f["points/state"][()],
                        f["points/epochs_done"][()], np.array(f["points/wall_s"][()]))

        calibration = min(points, 1000)
        _, _, _, _, _, alone_s = sweep_run(spec("alone", calibration), tmp / "alone.h5", 1, 1)
        train_s = float(np.median(alone_s))  # one point's training, on a core of its own
        big = spec("scale", points)
        for g in groups:
            mpirun_s, engine_s, log, state, epochs, _ = sweep_run(big, tmp / f"g{g}.h5", ranks, g)
            logged = [int(i) for i in re.findall(r"\] point (\d+) \([0-9a-f]{16}\) done", log)]
            done = int((state == 2).sum())  # 2 = done (docs/hdf5-schema.md)
            if not (sorted(logged) == list(range(points)) and done == points and
                    (epochs == 1).all()):
                sys.exit(f"-g {g}: not every point was done exactly once "
                         f"({len(logged)} completions logged, {len(set(logged))} distinct, "
                         f"{done} done in the file)")
            core_ms = 1e3 * cores * engine_s / points
            rows.append((g, ranks // g, mpirun_s, engine_s, done, core_ms,
                         core_ms - 1e3 * train_s, 1e3 * train_s / core_ms))
    print(f"{points} points on {ranks} ranks, oversubscribed on {cores} cores; one point's "
          f"training alone (1 rank, median of {calibration}): {1e3 * train_s:.3f} ms\n")
    print("| group size | groups | mpirun wall s | engine wall s | points done once | "
          "core time per point, ms | engine overhead per point, ms | load balance |")
    print("|---|---|---|---|---|---|---|---|")
    for g, n, mpirun_s, engine_s, done, core_ms, overhead, balance in rows:
        print(f"| {g} | {n} | {mpirun_s:.1f} | {engine_s:.2f} | {done} | {core_ms:.3f} | "
              f"{overhead:.3f} | {balance:.2f} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=str(REPO / "build" / "bin" / "resqunn"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--transports", action="store_true",
                    help="time sweep_quickstart under each one-sided transport instead")
    ap.add_argument("--scale", action="store_true",
                    help="many tiny points on many oversubscribed ranks instead")
    ap.add_argument("--points", type=int, default=10000)
    ap.add_argument("--ranks", type=int, default=64)
    a = ap.parse_args()
    env = dict(os.environ, OMP_NUM_THREADS="1", OMP_PROC_BIND="false", OMPI_ALLOW_RUN_AS_ROOT="1",
               OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    if a.transports:
        transports(a.bin, env, a.repeat)
        return
    if a.scale:
        scale(a.bin, env, a.points, a.ranks, [1, 4])
        return
    # Not oversubscribed (one rank per core): ranks must not yield the core
    # while they wait in MPI (OMPI_MCA_mpi_yield_when_idle=1 halves the
    # data-parallel speed-up here).
    env.pop("OMPI_MCA_mpi_yield_when_idle", None)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "base.toml").write_text(BASE.format(train=2000, epochs=2))
        (tmp / "depths.toml").write_text(
            '[sweep]\nname = "depths"\nbase = "base.toml"\n[axes]\n'
            '"model.depths" = [' + ", ".join(f"[{d}, 1]" for d in range(1, 9)) + "]\n")
        (tmp / "big.toml").write_text(BASE.format(train=8000, epochs=4))
        (tmp / "one.toml").write_text('[sweep]\nname = "one"\nbase = "big.toml"\n')

        eff, io = [], []
        for _ in range(a.repeat):
            wall, io_pct, point_s, _ = sweep(a.bin, env, tmp / "depths.toml", tmp / "d.h5", 2, 1)
            eff.append(point_s.sum() / (2 * wall))
            io.append(io_pct)
        speedup, steady = [], []
        for _ in range(a.repeat):
            _, _, one, e1 = sweep(a.bin, env, tmp / "one.toml", tmp / "o1.h5", 1, 1)
            _, _, two, e2 = sweep(a.bin, env, tmp / "one.toml", tmp / "o2.h5", 2, 2)
            speedup.append(one[0] / two[0])
            # Epochs after the first: without the one-time start-up of the
            # group (first collective, first touches).
            steady.append(e1[0, 1:].sum() / e2[0, 1:].sum())
            with h5py.File(tmp / "o1.h5") as f1, h5py.File(tmp / "o2.h5") as f2:
                same = np.array_equal(f1["weights/final"][()], f2["weights/final"][()])
            if not same:
                sys.exit("1-rank and 2-rank weights differ: reproducibility is broken")

    def fmt(v):
        return f"{statistics.median(v):.3f} (min {min(v):.3f}, max {max(v):.3f})"

    print(f"| measure | median of {a.repeat} (min, max) | target |")
    print("|---|---|---|")
    print(f"| load-balance efficiency, depths 1..8, 2 ranks | {fmt(eff)} | >= 0.9 |")
    print(f"| data-parallel speed-up of one point, 1 -> 2 ranks (whole point) | {fmt(speedup)} | >= 1.7 |")
    print(f"| data-parallel speed-up, epochs 2-4 (steady state) | {fmt(steady)} | |")
    print(f"| HDF5 write time, % of rank time (depth sweep) | {fmt(io)} | < 5 |")


if __name__ == "__main__":
    main()
