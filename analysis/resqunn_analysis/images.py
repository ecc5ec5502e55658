"""Image preprocessing with the semantics of src/resqunn/data/preprocess.cpp."""

from __future__ import annotations

import numpy as np

from .errors import UsageError


def to_unit_range(images: np.ndarray) -> np.ndarray:
    """Pixel p becomes p / 255, as float64."""
    return np.asarray(images, dtype=np.float64) / 255.0


def average_pool(images: np.ndarray, factor: int) -> np.ndarray:
    """Averages non-overlapping `factor` x `factor` blocks of the last two axes.

    Works on one image [rows, cols] or a stack [..., rows, cols] and returns
    float64 (28 -> 14 with factor 2, 28 -> 7 with factor 4; pooling twice by
    2 equals pooling once by 4 up to rounding). Raises UsageError unless
    `factor` is a positive integer dividing both sides.
    """
    a = np.asarray(images, dtype=np.float64)
    if a.ndim < 2:
        raise UsageError(f"average_pool needs images of rank >= 2, got rank {a.ndim}")
    rows, cols = a.shape[-2:]
    if (
        isinstance(factor, bool)
        or not isinstance(factor, (int, np.integer))
        or factor <= 0
        or rows % factor
        or cols % factor
    ):
        raise UsageError(
            f"cannot average-pool {rows}x{cols} images by {factor!r}; choose a pooling factor "
            "that divides the image size (e.g. 2 or 4 for 28x28)"
        )
    f = int(factor)
    lead = a.shape[:-2]
    blocks = a.reshape(*lead, rows // f, f, cols // f, f)
    return blocks.mean(axis=(-3, -1))


def examples_per_class(labels: np.ndarray, num_classes: int, per_class: int) -> list[np.ndarray]:
    """For each class 0..num_classes-1, the indices of its first `per_class` images.

    Deterministic (file order). A class with fewer images gets all it has.
    """
    if per_class <= 0:
        raise UsageError(f"per_class must be positive, got {per_class}")
    labels = np.asarray(labels)
    return [np.flatnonzero(labels == c)[:per_class] for c in range(num_classes)]
