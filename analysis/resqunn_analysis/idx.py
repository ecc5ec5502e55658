"""IDX files (the MNIST container format) and the datasets stored in them.

An IDX file is a 4-byte magic ``00 00 <type> <rank>``, then `rank` big-endian
uint32 dimensions, then the elements in big-endian row-major order. Files may
be gzip-compressed; that is detected from the content (magic ``1f 8b``), not
from the file name. This is the Python twin of src/resqunn/data/idx.cpp and
rejects the same malformed files.
"""

from __future__ import annotations

import errno
import gzip
import os
import zlib
from pathlib import Path
from typing import Union

import numpy as np

from .catalog import dataset_spec, default_data_dir
from .errors import DataError, UsageError

PathLike = Union[str, "os.PathLike[str]"]

#: IDX element type byte -> big-endian numpy dtype.
IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

_GZIP_MAGIC = b"\x1f\x8b"
_MAX_RANK = 32  # numpy's (1.x) limit on array dimensions


def parse_idx(data: bytes, source: str = "<bytes>") -> np.ndarray:
    """Decodes an uncompressed IDX image held in memory.

    `source` names the origin in error messages. Returns a new, writable
    array in native byte order. Raises DataError (a ValueError) on a bad
    magic, an unknown element type, a truncated header or body, or trailing
    bytes.
    """
    size = len(data)
    if size < 4:
        raise DataError(
            f"{source}: truncated IDX file ({size} bytes, shorter than the 4-byte magic)"
        )
    if data[0] != 0 or data[1] != 0 or data[2] not in IDX_DTYPES:
        magic = " ".join(f"{b:02x}" for b in data[:4])
        raise DataError(
            f"{source}: not an IDX file (magic bytes {magic}; "
            "expected 00 00 <type 08 09 0b 0c 0d 0e> <rank>)"
        )
    dtype = IDX_DTYPES[data[2]]
    rank = data[3]
    header = 4 + 4 * rank
    if size < header:
        raise DataError(
            f"{source}: truncated IDX header (rank {rank} needs {header} bytes, "
            f"file has {size})"
        )
    dims = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(rank))
    expected = dtype.itemsize
    for d in dims:
        expected *= d  # Python ints: absurd shapes read as "truncated", never wrap
    body = size - header
    shape = "x".join(str(d) for d in dims) or "scalar"
    if body < expected:
        raise DataError(
            f"{source}: truncated IDX data (shape {shape} of {dtype.itemsize}-byte elements "
            f"needs {expected} bytes, the file has {body})"
        )
    if body > expected:
        raise DataError(
            f"{source}: IDX file has {body - expected} unexpected trailing bytes after the data "
            f"(shape {shape})"
        )
    if rank > _MAX_RANK:
        raise DataError(f"{source}: IDX rank {rank} exceeds numpy's limit of {_MAX_RANK}")
    flat = np.frombuffer(data, dtype=dtype, count=expected // dtype.itemsize, offset=header)
    return flat.astype(dtype.newbyteorder("="), copy=True).reshape(dims)


def read_idx(path: PathLike) -> np.ndarray:
    """Reads an IDX file, gzip-compressed or not, into a numpy array.

    Raises OSError if the file cannot be read and DataError (a ValueError
    whose message names the file) if it is not a well-formed IDX file.
    """
    source = os.fspath(path)
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == _GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as e:
            raise DataError(f"{source}: damaged gzip stream ({e})") from e
    return parse_idx(data, source)


def images_file(split: str) -> str:
    return f"{split}-images-idx3-ubyte.gz"


def labels_file(split: str) -> str:
    return f"{split}-labels-idx1-ubyte.gz"


def load_dataset(
    name: str, split: str = "train", data_dir: PathLike | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Loads one split of a dataset fetched with `resqunn data fetch`.

    Reads ``<data_dir>/<name>/<split>-images-idx3-ubyte.gz`` and
    ``<split>-labels-idx1-ubyte.gz``; `data_dir` defaults to
    :func:`default_data_dir`. Returns ``(images, labels)``: uint8 arrays of
    shape [N, rows, cols] (28x28 for the known datasets) and [N].

    Raises UsageError for an unknown dataset or split, FileNotFoundError
    (with a hint to fetch) if the files are missing, and DataError if they
    are malformed or disagree (types, ranks, counts, labels out of range).
    The SHA256SUMS manifest is not checked; `resqunn data info` does that.
    """
    spec = dataset_spec(name)
    if split not in spec.splits:
        raise UsageError(
            f"dataset {name} has no split {split!r}; use one of: {', '.join(spec.splits)}"
        )
    root = Path(data_dir) if data_dir is not None else default_data_dir()
    directory = root / name
    fetch = f"resqunn data fetch {name}" + (f" --data-dir {root}" if data_dir is not None else "")
    ipath = directory / images_file(split)
    lpath = directory / labels_file(split)
    for p in (ipath, lpath):
        if not p.is_file():
            raise FileNotFoundError(
                errno.ENOENT,
                f"no such file; dataset {name} is not fetched into {root}: run `{fetch}`",
                str(p),
            )
    images = read_idx(ipath)
    labels = read_idx(lpath)
    if images.dtype != np.uint8 or images.ndim != 3:
        raise DataError(
            f"{ipath}: expected unsigned-byte images of rank 3 (count, rows, cols), "
            f"found {images.dtype} of rank {images.ndim}"
        )
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise DataError(
            f"{lpath}: expected unsigned-byte labels of rank 1, "
            f"found {labels.dtype} of rank {labels.ndim}"
        )
    if images.shape[0] != labels.shape[0]:
        raise DataError(
            f"{ipath} holds {images.shape[0]} images but {lpath} holds "
            f"{labels.shape[0]} labels"
        )
    bad = np.flatnonzero(labels >= spec.num_classes)
    if bad.size:
        i = int(bad[0])
        raise DataError(
            f"{lpath}: label {labels[i]} of image {i} is not a class "
            f"(0..{spec.num_classes - 1})"
        )
    return images, labels
