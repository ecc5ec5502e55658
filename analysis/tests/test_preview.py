"""average_pool, examples_per_class and the `preview` command end to end."""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import ANALYSIS_DIR, idx_bytes, run_cli, write_file

from resqunn_analysis import UsageError, average_pool, examples_per_class
from resqunn_analysis.cli import main

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# --- pooling, checked by hand -----------------------------------------------------------------

FOUR_BY_FOUR = np.array([[0, 1, 2, 3],
                         [4, 5, 6, 7],
                         [8, 9, 10, 11],
                         [12, 13, 14, 15]], dtype=np.uint8)


def test_average_pool_by_hand_4x4():
    # Factor 2: means of the four 2x2 blocks.
    #   top-left (0+1+4+5)/4 = 2.5      top-right (2+3+6+7)/4 = 4.5
    #   bottom-left (8+9+12+13)/4 = 10.5  bottom-right (10+11+14+15)/4 = 12.5
    np.testing.assert_array_equal(average_pool(FOUR_BY_FOUR, 2), [[2.5, 4.5], [10.5, 12.5]])
    # Factor 4: the mean of all 16 values, (0+...+15)/16 = 7.5.
    np.testing.assert_array_equal(average_pool(FOUR_BY_FOUR, 4), [[7.5]])
    # Factor 1: unchanged, as float.
    out = average_pool(FOUR_BY_FOUR, 1)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, FOUR_BY_FOUR)


def test_average_pool_stack_and_composition():
    stack = np.stack([FOUR_BY_FOUR, 15 - FOUR_BY_FOUR, np.full((4, 4), 255, np.uint8)])
    pooled = average_pool(stack, 2)
    assert pooled.shape == (3, 2, 2)
    np.testing.assert_array_equal(pooled[1], [[12.5, 10.5], [4.5, 2.5]])
    np.testing.assert_array_equal(pooled[2], np.full((2, 2), 255.0))
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(5, 28, 28)).astype(np.float64) / 255
    np.testing.assert_allclose(average_pool(average_pool(images, 2), 2), average_pool(images, 4))
    assert average_pool(images, 4).shape == (5, 7, 7)


@pytest.mark.parametrize("factor", [3, 0, -2, 2.0, True])
def test_average_pool_rejects_bad_factor(factor):
    with pytest.raises(UsageError, match=r"cannot average-pool 4x4 images by"):
        average_pool(FOUR_BY_FOUR, factor)


def test_average_pool_rejects_non_divisor_of_28():
    with pytest.raises(ValueError, match=r"cannot average-pool 28x28 images by 3"):
        average_pool(np.zeros((1, 28, 28)), 3)


def test_examples_per_class_takes_first_in_file_order():
    labels = np.array([2, 0, 2, 1, 2, 0, 2])
    picks = examples_per_class(labels, 4, 2)
    assert [p.tolist() for p in picks] == [[1, 5], [3], [0, 2], []]
    with pytest.raises(UsageError):
        examples_per_class(labels, 4, 0)


# --- the CLI ------------------------------------------------------------------------------------


def assert_png(path):
    assert path.is_file()
    data = path.read_bytes()
    assert len(data) > len(PNG_SIGNATURE)
    assert data.startswith(PNG_SIGNATURE)


@pytest.mark.parametrize("pool", ["1", "2", "4"])
def test_preview_writes_png(small_dataset, tmp_path, pool):
    out = tmp_path / f"grid-{pool}.png"
    proc = run_cli("preview", "fashion-mnist", "--data-dir", str(small_dataset), "--per-class", "3",
                   "--pool", pool, "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(out)
    assert_png(out)


def test_preview_png_is_decodable(small_dataset, tmp_path):
    import matplotlib.image

    out = tmp_path / "grid.png"
    assert main(["preview", "fashion-mnist", "--data-dir", str(small_dataset), "-o", str(out)]) == 0
    pixels = matplotlib.image.imread(out)
    assert pixels.ndim == 3 and pixels.shape[0] > 100 and pixels.shape[1] > 100


def test_preview_uses_resqunn_data_env(small_dataset, tmp_path):
    out = tmp_path / "env.png"
    proc = run_cli("preview", "fashion-mnist", "-o", str(out),
                   env={"RESQUNN_DATA": str(small_dataset)})
    assert proc.returncode == 0, proc.stderr
    assert_png(out)


@pytest.mark.parametrize("args", [[], ["preview"]])
def test_help(args):
    proc = run_cli(*args, "--help")
    assert proc.returncode == 0
    assert "usage: resqunn-analysis" in proc.stdout
    if args:
        for option in ("--split", "--data-dir", "--per-class", "--pool", "-o"):
            assert option in proc.stdout
    else:
        assert "preview" in proc.stdout


@pytest.mark.parametrize("args,message", [
    ([], r"required: SUBCOMMAND"),
    (["frobnicate"], r"invalid choice: 'frobnicate'"),
    (["preview", "fashion-mnist"], r"required: -o"),
    (["preview", "cifar", "-o", "x.png"], r"invalid choice: 'cifar'"),
    (["preview", "mnist", "--pool", "3", "-o", "x.png"], r"invalid choice: 3"),
    (["preview", "mnist", "--per-class", "0", "-o", "x.png"], r"must be positive"),
    (["preview", "mnist", "--per-class", "many", "-o", "x.png"], r"invalid integer"),
    (["preview", "mnist", "--split", "test", "-o", "x.png"],
     r"dataset mnist has no split 'test'; use one of: train"),
])
def test_usage_errors_exit_2(tmp_path, args, message):
    proc = run_cli(*args, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert re.search(message, proc.stderr), proc.stderr
    assert not (tmp_path / "x.png").exists()


def test_missing_dataset_exits_1(tmp_path):
    out = tmp_path / "x.png"
    proc = run_cli("preview", "mnist", "--data-dir", str(tmp_path / "empty"), "-o", str(out))
    assert proc.returncode == 1
    assert "resqunn-analysis preview: error:" in proc.stderr
    assert "train-images-idx3-ubyte.gz" in proc.stderr
    assert "resqunn data fetch mnist" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_malformed_dataset_exits_1(small_dataset, tmp_path):
    bad = write_file(small_dataset / "fashion-mnist" / "train-labels-idx1-ubyte.gz",
                     idx_bytes(0x08, (23,), bytes(22)), gz=True)
    out = tmp_path / "x.png"
    proc = run_cli("preview", "fashion-mnist", "--data-dir", str(small_dataset), "-o", str(out))
    assert proc.returncode == 1
    assert f"{bad}: truncated IDX data" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_unwritable_output_exits_1(small_dataset, tmp_path):
    out = tmp_path / "no-such-dir" / "x.png"
    proc = run_cli("preview", "fashion-mnist", "--data-dir", str(small_dataset), "-o", str(out))
    assert proc.returncode == 1
    assert "no-such-dir" in proc.stderr and "Traceback" not in proc.stderr


def test_pool_must_divide_image_size(tmp_path):
    # A 6x6 dataset: --pool 4 is a valid choice but does not divide 6.
    root = tmp_path / "data"
    write_file(root / "mnist" / "train-images-idx3-ubyte.gz", idx_bytes(0x08, (2, 6, 6), bytes(72)),
               gz=True)
    write_file(root / "mnist" / "train-labels-idx1-ubyte.gz", idx_bytes(0x08, (2,), bytes([0, 1])),
               gz=True)
    proc = run_cli("preview", "mnist", "--data-dir", str(root), "--pool", "4", "-o",
                   str(tmp_path / "x.png"))
    assert proc.returncode == 2
    assert "--pool 4 does not divide the 6x6 images of mnist" in proc.stderr
    proc = run_cli("preview", "mnist", "--data-dir", str(root), "--pool", "2", "-o",
                   str(tmp_path / "x.png"))
    assert proc.returncode == 0, proc.stderr
    assert_png(tmp_path / "x.png")


def test_runs_from_analysis_dir_without_pythonpath(small_dataset, tmp_path):
    out = tmp_path / "cwd.png"
    proc = run_cli("preview", "fashion-mnist", "--data-dir", str(small_dataset), "-o", str(out),
                   cwd=ANALYSIS_DIR, env={"PYTHONPATH": ""})
    assert proc.returncode == 0, proc.stderr
    assert_png(out)


def test_preview_fetched_fashion_mnist(fashion_mnist_dir, tmp_path):
    for split, pool in (("train", "2"), ("test", "4")):
        out = tmp_path / f"fashion-{split}.png"
        proc = run_cli("preview", "fashion-mnist", "--split", split, "--data-dir",
                       str(fashion_mnist_dir), "--pool", pool, "-o", str(out))
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() == str(out)
        assert_png(out)
