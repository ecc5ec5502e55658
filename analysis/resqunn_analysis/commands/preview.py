"""`preview`: a PNG grid of example images, one row per class."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..catalog import DATASETS, dataset_spec
from ..errors import UsageError
from ..idx import load_dataset
from ..images import average_pool, examples_per_class, to_unit_range
from ..plotting import image_grid, save_png

NAME = "preview"
HELP = "save a PNG grid of example images of a fetched dataset, one row per class"
DESCRIPTION = """\
Save a PNG grid with the first PER_CLASS images of each class of a fetched
dataset (rows = classes, labelled with the class names), optionally after
average pooling over non-overlapping POOLxPOOL blocks as resqunn does before
the quanvolution (28x28 -> 14x14 with --pool 2, 7x7 with --pool 4).
Fetch the data first with `resqunn data fetch DATASET`. Prints the path written.

example:
  PYTHONPATH=analysis /usr/bin/python3 -m resqunn_analysis preview mnist -o mnist.png"""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid integer: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {value}")
    return value


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("dataset", choices=list(DATASETS), metavar="DATASET",
                   help=f"dataset name: {', '.join(DATASETS)}")
    p.add_argument("--split", default="train",
                   help="split to show (default: train; fashion-mnist also has test)")
    p.add_argument("--data-dir", type=Path, default=None, metavar="DIR",
                   help="data directory (default: $RESQUNN_DATA, else "
                   "$XDG_CACHE_HOME/resqunn/data, else ~/.cache/resqunn/data)")
    p.add_argument("--per-class", type=_positive_int, default=8, metavar="N",
                   help="examples per class (default: 8)")
    p.add_argument("--pool", type=int, choices=(1, 2, 4), default=1,
                   help="average-pooling factor (default: 1, none)")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="PNG",
                   help="PNG file to write")


def run(args: argparse.Namespace) -> int:
    spec = dataset_spec(args.dataset)
    if args.split not in spec.splits:
        raise UsageError(
            f"dataset {spec.name} has no split {args.split!r}; use one of: {', '.join(spec.splits)}"
        )
    images, labels = load_dataset(spec.name, args.split, args.data_dir)
    rows, cols = images.shape[1:]
    if rows % args.pool or cols % args.pool:
        raise UsageError(
            f"--pool {args.pool} does not divide the {rows}x{cols} images of {spec.name}"
        )
    picks = examples_per_class(labels, spec.num_classes, args.per_class)
    chosen = sorted({int(i) for row in picks for i in row})
    # Convert and pool only the images shown, not the whole split.
    shown = {i: k for k, i in enumerate(chosen)}
    pixels = to_unit_range(images[chosen]) if chosen else to_unit_range(images[:0])
    if args.pool > 1:
        pixels = average_pool(pixels, args.pool)
    size = f"{pixels.shape[1]}x{pixels.shape[2]}"
    pooled = f", average-pooled {args.pool}x{args.pool}" if args.pool > 1 else ""
    title = (
        f"{spec.name} ({args.split}): first {args.per_class} per class, {size}{pooled}\n"
        f"classes: {', '.join(spec.class_names)}"
    )
    fig = image_grid(
        pixels,
        [[shown[int(i)] for i in row] for row in picks],
        [n if n == str(c) else f"{c}: {n}" for c, n in enumerate(spec.class_names)],
        title,
    )
    save_png(fig, args.output)
    print(args.output)
    return 0
