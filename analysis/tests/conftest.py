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
