"""`report`: an HTML + Markdown report with figures of one results file."""

from __future__ import annotations

import argparse
from pathlib import Path

# The report's modules (pandas, h5py, matplotlib) are imported in run(), so
# that `--help` and the other subcommands do not pay for them.
DEFAULT_CURVES_BY = "model.residual"  # = report.DEFAULT_CURVES_BY

NAME = "report"
HELP = "write an HTML + Markdown report (figures, tables) of a results file"
DESCRIPTION = """\
Write a report of a resqunn results file (from `resqunn train` or `resqunn sweep
run`) into the folder OUT: index.html and report.md with the same content, the
PNG figures they show and CSV tables, referenced by relative paths (the folder
can be moved). Sections: (a) learning curves per residual configuration, mean
± std over the seeds and other varying hyperparameters; (b) final accuracy
grouped by --group-by, mean ± std over seeds; (c) gradient norm heat-maps,
layer x optimiser step, per configuration; (d) gradient norm at
initialisation and its variance vs ansatz depth and layer count (skipped,
with a note, when the sweep does not vary them).

Only points whose state is done are shown unless --include-running; the file
may be read while a sweep writes it. Prints the paths of index.html and
report.md.

examples:
  PYTHONPATH=analysis /usr/bin/python3 -m resqunn_analysis report results.h5 -o report/
  ... report results.h5 -o report/ --group-by model.residual --group-by model.depths"""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid integer: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {value}")
    return value


def _columns(values: list | None) -> list | None:
    """Repeated and/or comma-separated column names -> one list (None if not given)."""
    if values is None:
        return None
    out = []
    for v in values:
        out += [c.strip() for c in v.split(",") if c.strip()]
    return out


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("results", type=Path, metavar="RESULTS", help="results file (HDF5)")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="OUT",
                   help="folder to write the report into (created if needed; files in it "
                   "are overwritten)")
    p.add_argument("--group-by", action="append", metavar="COL[,COL...]",
                   help="columns grouping the accuracy table and the configurations of the "
                   "heat-maps (repeatable; default: every varying hyperparameter that is not "
                   "a seed); any column of the points table, e.g. model.residual, layers, "
                   "depth_QCL1")
    p.add_argument("--curves-by", metavar="COL", default=None,
                   help=f"one curve per value of this column (default: {DEFAULT_CURVES_BY})")
    p.add_argument("--seeds", action="append", metavar="COL[,COL...]",
                   help="seed columns: replicates that are averaged over (default: every "
                   "*.seed hyperparameter: data.seed, model.seed, train.seed)")
    p.add_argument("--init-steps", type=_positive_int, default=1, metavar="N",
                   help="depth scaling: mean gradient norm over the first N optimiser steps "
                   "(default: 1, at initialisation)")
    p.add_argument("--max-panels", type=_positive_int, default=24, metavar="N",
                   help="at most N heat-map panels (default: 24)")
    p.add_argument("--include-running", action="store_true",
                   help="also show points that are not done (running, pending, failed): "
                   "what they have written so far")


def run(args: argparse.Namespace) -> int:
    from ..report import ReportOptions, write_report
    from ..results import load

    results = load(args.results, include_running=args.include_running)
    options = ReportOptions(group_by=_columns(args.group_by), curves_by=args.curves_by,
                            seeds=_columns(args.seeds), init_steps=args.init_steps,
                            max_panels=args.max_panels)
    report = write_report(results, args.output, options)
    print(report.index_html)
    print(report.markdown)
    for note in report.notes:
        print(f"note: {note}")
    return 0
