"""read_idx / parse_idx / load_dataset against IDX files built by hand."""

from __future__ import annotations

import gzip
import re
import struct
from pathlib import Path

import numpy as np
import pytest
from conftest import idx_bytes, synthetic_images, write_dataset, write_file

from resqunn_analysis import DataError, UsageError, default_data_dir, load_dataset, read_idx
from resqunn_analysis.idx import parse_idx

# (type byte, struct format, numpy dtype, values)
TYPES = [
    (0x08, "B", np.uint8, [0, 1, 127, 128, 255, 42]),
    (0x09, "b", np.int8, [-128, -1, 0, 1, 127, -42]),
    (0x0B, "h", np.int16, [-32768, -2, 0, 258, 32767, 1000]),
    (0x0C, "i", np.int32, [-(2**31), -1, 0, 16909060, 2**31 - 1, 7]),
    (0x0D, "f", np.float32, [-1.5, 0.0, 0.25, 3.0e38, -1.0e-3, 1.0]),
    (0x0E, "d", np.float64, [-1.5, 0.0, 0.1, 1.0e300, -2.0e-300, 1.0 / 3.0]),
]


@pytest.mark.parametrize("gz", [False, True], ids=["raw", "gzip"])
@pytest.mark.parametrize("type_code,fmt,dtype,values", TYPES,
                         ids=[f"0x{t[0]:02x}" for t in TYPES])
def test_reads_every_type_big_endian(tmp_path, gz, type_code, fmt, dtype, values):
    body = struct.pack(f">{len(values)}{fmt}", *values)
    path = write_file(tmp_path / "a.idx", idx_bytes(type_code, (2, 3), body), gz)
    a = read_idx(path)
    assert a.dtype == np.dtype(dtype)
    assert a.dtype.isnative
    assert a.shape == (2, 3)
    expected = np.array(values, dtype=dtype).reshape(2, 3)
    np.testing.assert_array_equal(a, expected)
    assert a.flags.writeable and a.flags.c_contiguous


def test_gzip_is_detected_by_content_not_name(tmp_path):
    body = bytes([1, 2, 3, 4])
    raw_named_gz = write_file(tmp_path / "raw.gz", idx_bytes(0x08, (4,), body), gz=False)
    gz_named_raw = write_file(tmp_path / "packed.idx", idx_bytes(0x08, (4,), body), gz=True)
    np.testing.assert_array_equal(read_idx(raw_named_gz), [1, 2, 3, 4])
    np.testing.assert_array_equal(read_idx(gz_named_raw), [1, 2, 3, 4])


def test_rank3_row_major_order(tmp_path):
    # 2 images of 2x3: element (n, r, c) = 100n + 10r + c.
    values = [100 * n + 10 * r + c for n in range(2) for r in range(2) for c in range(3)]
    path = write_file(tmp_path / "x", idx_bytes(0x0B, (2, 2, 3), struct.pack(">12h", *values)),
                      gz=True)
    a = read_idx(path)
    assert a.shape == (2, 2, 3)
    assert a[1, 0, 2] == 102
    assert a[0, 1, 1] == 11
    assert a[1, 1, 0] == 110


def test_rank0_and_empty_dimension(tmp_path):
    scalar = write_file(tmp_path / "s", idx_bytes(0x0C, (), struct.pack(">i", -5)), gz=False)
    a = read_idx(scalar)
    assert a.shape == () and a == -5
    empty = write_file(tmp_path / "e", idx_bytes(0x08, (0, 28, 28), b""), gz=True)
    assert read_idx(empty).shape == (0, 28, 28)


def test_accepts_str_and_path(tmp_path):
    path = write_file(tmp_path / "a", idx_bytes(0x08, (1,), b"\x07"), gz=False)
    assert read_idx(str(path))[0] == 7
    assert read_idx(path)[0] == 7


def test_parse_idx_in_memory():
    a = parse_idx(idx_bytes(0x0D, (2,), struct.pack(">2f", 0.5, -2.0)), "mem")
    np.testing.assert_array_equal(a, np.array([0.5, -2.0], dtype=np.float32))


# Every malformed file must raise a ValueError naming the file and the problem.
MALFORMED = {
    "empty": (b"", r"truncated IDX file \(0 bytes"),
    "shorter than magic": (b"\x00\x00\x08", r"truncated IDX file \(3 bytes"),
    "text file": (b"hello world\n", r"not an IDX file \(magic bytes 68 65 6c 6c"),
    "nonzero second byte": (b"\x00\x01\x08\x01" + struct.pack(">I", 1) + b"\x00",
                            r"not an IDX file \(magic bytes 00 01 08 01"),
    "unknown type 0x0a": (idx_bytes(0x0A, (1,), b"\x00"), r"not an IDX file \(magic bytes 00 00 0a 01"),
    "unknown type 0x07": (idx_bytes(0x07, (1,), b"\x00"), r"magic bytes 00 00 07 01"),
    "truncated header": (bytes([0, 0, 0x08, 3]) + struct.pack(">2I", 2, 2),
                         r"truncated IDX header \(rank 3 needs 16 bytes, file has 12\)"),
    "truncated data": (idx_bytes(0x08, (2, 3), bytes(5)),
                       r"truncated IDX data \(shape 2x3 .* needs 6 bytes, the file has 5\)"),
    "truncated wide data": (idx_bytes(0x0E, (2,), bytes(15)),
                            r"truncated IDX data \(shape 2 of 8-byte elements needs 16 bytes"),
    "absurd dimensions": (idx_bytes(0x0C, (2**32 - 1, 2**32 - 1, 2**32 - 1), bytes(8)),
                          r"truncated IDX data"),
    "trailing bytes": (idx_bytes(0x08, (2, 2), bytes(7)), r"3 unexpected trailing bytes"),
    "trailing bytes wide": (idx_bytes(0x0B, (1,), bytes(3)), r"1 unexpected trailing bytes"),
}


@pytest.mark.parametrize("gz", [False, True], ids=["raw", "gzip"])
@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_files_raise_value_error_naming_file(tmp_path, case, gz):
    data, message = MALFORMED[case]
    path = write_file(tmp_path / "bad-file.idx", data, gz)
    with pytest.raises(ValueError, match=message) as info:
        read_idx(path)
    assert isinstance(info.value, DataError)
    assert str(info.value).startswith(str(path) + ": ")


@pytest.mark.parametrize("damage", ["truncated", "corrupted", "garbage after"])
def test_damaged_gzip_raises_value_error_naming_file(tmp_path, damage):
    packed = gzip.compress(idx_bytes(0x08, (64,), bytes(range(64))))
    if damage == "truncated":
        packed = packed[: len(packed) // 2]
    elif damage == "corrupted":
        packed = packed[:10] + bytes(b ^ 0xFF for b in packed[10:-8]) + packed[-8:]
    else:
        packed = packed + b"not gzip"
    path = tmp_path / "broken.gz"
    path.write_bytes(packed)
    with pytest.raises(ValueError, match=re.escape(str(path)) + r": damaged gzip stream"):
        read_idx(path)


def test_missing_file_is_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "nope")


# --- load_dataset ---------------------------------------------------------------------------


def test_load_dataset_reads_images_and_labels(tmp_path):
    labels = [3, 1, 4, 1, 5, 9, 2, 6]
    root = write_dataset(tmp_path, "mnist", "train", synthetic_images(labels), labels)
    images, got = load_dataset("mnist", "train", root)
    assert images.dtype == np.uint8 and images.shape == (8, 28, 28)
    assert got.dtype == np.uint8 and got.tolist() == labels
    assert images[0, 0, 0] == 0
    assert images[2, 5, 3] == (7 * 2 + 5 + 2 * 3) % 256
    assert images[7, 27, 27] == (7 * 7 + 27 + 54) % 256


def test_load_dataset_default_directory(tmp_path, monkeypatch):
    labels = [0, 1]
    monkeypatch.delenv("RESQUNN_DATA", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_data_dir() == tmp_path / "home" / ".cache" / "resqunn" / "data"
    write_dataset(default_data_dir(), "mnist", "train", synthetic_images(labels), labels)
    assert load_dataset("mnist", "train")[1].tolist() == labels

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_data_dir() == tmp_path / "xdg" / "resqunn" / "data"
    monkeypatch.setenv("RESQUNN_DATA", "")  # empty counts as unset, as in the C++ binary
    assert default_data_dir() == tmp_path / "xdg" / "resqunn" / "data"
    monkeypatch.setenv("RESQUNN_DATA", str(tmp_path / "explicit"))
    assert default_data_dir() == tmp_path / "explicit"
    write_dataset(tmp_path / "explicit", "fashion-mnist", "test", synthetic_images([9]), [9])
    assert load_dataset("fashion-mnist", "test")[1].tolist() == [9]


def test_load_dataset_rejects_unknown_name_and_split(tmp_path):
    with pytest.raises(UsageError, match=r"unknown dataset 'cifar'; use one of: mnist, fashion-mnist"):
        load_dataset("cifar", "train", tmp_path)
    with pytest.raises(ValueError, match=r"dataset mnist has no split 'test'; use one of: train"):
        load_dataset("mnist", "test", tmp_path)


def test_load_dataset_missing_files_hint_at_fetch(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"run `resqunn data fetch fashion-mnist "
                       + re.escape(f"--data-dir {tmp_path}`")) as info:
        load_dataset("fashion-mnist", "test", tmp_path)
    assert info.value.filename == str(tmp_path / "fashion-mnist" / "test-images-idx3-ubyte.gz")


def _corrupt(root: Path, which: str, data: bytes) -> Path:
    return write_file(root / "mnist" / f"train-{which}-ubyte.gz", data, gz=True)


def test_load_dataset_rejects_inconsistent_files(tmp_path):
    labels = [0, 1, 2]
    root = write_dataset(tmp_path, "mnist", "train", synthetic_images(labels), labels)

    path = _corrupt(root, "labels-idx1", idx_bytes(0x08, (2,), bytes([0, 1])))
    with pytest.raises(DataError, match=r"holds 3 images but .*train-labels-idx1-ubyte.gz holds 2"):
        load_dataset("mnist", "train", root)

    _corrupt(root, "labels-idx1", idx_bytes(0x08, (3,), bytes([0, 10, 1])))
    with pytest.raises(DataError, match=re.escape(str(path)) + r": label 10 of image 1 is not a class \(0..9\)"):
        load_dataset("mnist", "train", root)

    _corrupt(root, "labels-idx1", idx_bytes(0x0C, (3,), struct.pack(">3i", 0, 1, 2)))
    with pytest.raises(DataError, match=r"expected unsigned-byte labels of rank 1, found int32"):
        load_dataset("mnist", "train", root)

    _corrupt(root, "labels-idx1", idx_bytes(0x08, (3,), bytes([0, 1, 2])))
    ipath = _corrupt(root, "images-idx3", idx_bytes(0x08, (3, 4), bytes(12)))
    with pytest.raises(DataError, match=re.escape(str(ipath)) + r": expected unsigned-byte images of rank 3"):
        load_dataset("mnist", "train", root)

    _corrupt(root, "images-idx3", idx_bytes(0x08, (3, 28, 28), bytes(3 * 784 - 1)))
    with pytest.raises(DataError, match=r"truncated IDX data"):
        load_dataset("mnist", "train", root)


def test_fetched_fashion_mnist(fashion_mnist_dir):
    images, labels = load_dataset("fashion-mnist", "train", fashion_mnist_dir)
    assert images.shape == (60000, 28, 28) and images.dtype == np.uint8
    assert np.bincount(labels, minlength=10).tolist() == [6000] * 10
    assert images.max() == 255 and images.min() == 0
    test_images, test_labels = load_dataset("fashion-mnist", "test", fashion_mnist_dir)
    assert test_images.shape == (10000, 28, 28)
    assert np.bincount(test_labels, minlength=10).tolist() == [1000] * 10
