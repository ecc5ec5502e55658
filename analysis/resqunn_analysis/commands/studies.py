"""`studies`: docs/results/ -- the paper and depth-scaling findings -- from their sweeps."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "studies"
HELP = "write the findings of the paper and depth-scaling sweeps (docs/results/)"
DESCRIPTION = """\
Write the findings of the two study sweeps, examples/paper.toml and
examples/depth_scaling.toml, into OUT: README.md (the paper's claims point by
point with our verdicts, the open questions) and its PNG figures.

Two steps. With --paper and --depth, their results files (finished sweeps) are
first reduced to per-point tables, TABLES/paper.csv and
TABLES/depth_scaling.csv with their provenance (.json); then the page is
written from the tables alone. Without them, only the second step runs, from
tables extracted earlier (e.g. the committed docs/results/tables/).

examples:
  PYTHONPATH=analysis /usr/bin/python3 -m resqunn_analysis studies \\
      --paper results/paper.h5 --depth results/depth_scaling.h5 -o docs/results
  ... studies -o docs/results          # from docs/results/tables only"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--paper", type=Path, metavar="H5",
                   help="results of examples/paper.toml (with --depth)")
    p.add_argument("--depth", type=Path, metavar="H5",
                   help="results of examples/depth_scaling.toml (with --paper)")
    p.add_argument("--tables", type=Path, metavar="TABLES",
                   help="folder of the per-point tables (default: OUT/tables)")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="OUT",
                   help="folder to write README.md and the figures into (created if needed)")
    p.add_argument("--readme", type=Path, metavar="README",
                   help="also rewrite the results summary of this README.md (between its "
                   "summary markers)")


def run(args: argparse.Namespace) -> int:
    from ..errors import UsageError

    if (args.paper is None) != (args.depth is None):
        raise UsageError("give both --paper and --depth (to extract fresh tables), or neither "
                         "(to write the page from existing tables)")
    from ..study_report import write_results
    from ..study_tables import study_table, write_table

    tables = args.tables if args.tables is not None else args.output / "tables"
    if args.paper is not None:
        # Both files are read and checked (study_table) before either table is written.
        found = {name: study_table(path, name)
                 for name, path in (("paper", args.paper), ("depth_scaling", args.depth))}
        for name, (table, meta) in found.items():
            print(write_table(table, meta, tables, name))
    print(write_results(tables, args.output, args.readme))
    return 0
