"""`compare`: the points of two results files side by side."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "compare"
HELP = "compare two results files point by point (best accuracy, identical results)"
DESCRIPTION = """\
Match the points of two results files by id (the hash of the point's config),
then, for points left over, by their hyperparameters, and print one line per
point: states, best validation accuracy in each file and the difference, and
whether the results are identical bit for bit (losses, accuracies, per-class
accuracies, gradient traces, confusion matrix, final weights; timings are
left out, they always differ). Every point is compared, whatever its state.
Exits 0 whether or not the files differ (1 if a file cannot be read).

examples:
  PYTHONPATH=analysis /usr/bin/python3 -m resqunn_analysis compare a.h5 b.h5
  ... compare a.h5 b.h5 -o cmp/      # also cmp/compare.csv and cmp/compare.md"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("a", type=Path, metavar="A", help="first results file (HDF5)")
    p.add_argument("b", type=Path, metavar="B", help="second results file (HDF5)")
    p.add_argument("-o", "--output", type=Path, default=None, metavar="DIR",
                   help="also write compare.csv and compare.md into DIR")


def run(args: argparse.Namespace) -> int:
    # Imported here: `--help` and the other subcommands do not need pandas or h5py.
    from ..comparison import compare, format_table, text_table, write_comparison
    from ..results import load

    a = load(args.a, include_running=True, weights=True)
    b = load(args.b, include_running=True, weights=True)
    comparison = compare(a, b)
    print(comparison.summary())
    print()
    print(text_table(format_table(comparison.table)))
    if args.output is not None:
        for path in write_comparison(comparison, args.output):
            print(f"wrote {path}")
    return 0
