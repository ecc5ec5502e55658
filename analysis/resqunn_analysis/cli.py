"""The command line: ``python3 -m resqunn_analysis SUBCOMMAND ...``.

Subcommands live in :mod:`resqunn_analysis.commands`, one module each, and
are listed in ``commands.COMMANDS``; adding one there is all the wiring a new
subcommand needs. Exit status: 0 ok, 1 data error (missing or malformed
files), 2 usage error (bad arguments), 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from . import __version__
from .commands import COMMANDS
from .errors import DataError, UsageError

PROG = "resqunn-analysis"

EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Inspect resqunn datasets and results files: preview images, "
        "report on a results file, compare two.",
        epilog="Exit codes: 0 ok, 1 data error, 2 invalid usage. "
        f"Run `{PROG} SUBCOMMAND --help` for the options of a subcommand.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="SUBCOMMAND", required=True)
    for command in COMMANDS:
        p = sub.add_parser(
            command.NAME,
            help=command.HELP,
            description=command.DESCRIPTION,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command.add_arguments(p)
        p.set_defaults(_run=command.run, _parser=p)
    return parser


def _fail(parser: argparse.ArgumentParser, message: str, status: int) -> int:
    """Prints ``PROG SUB: error: PROBLEM`` (and the ``  fix: ...`` line under it)."""
    print(f"{parser.prog}: error: {message}", file=sys.stderr)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 on bad usage, 0 on --help
    sub = args._parser
    try:
        return int(args._run(args) or EXIT_OK)
    except UsageError as e:
        return _fail(sub, str(e), EXIT_USAGE)
    except DataError as e:
        return _fail(sub, str(e), EXIT_DATA)
    except OSError as e:
        message = f"{e.filename}: {e.strerror}" if e.filename is not None and e.strerror \
            else str(e)
        fix = getattr(e, "fix", "")  # set by the library where it knows one
        return _fail(sub, f"{message}\n  fix: {fix}" if fix else message, EXIT_DATA)
    except KeyboardInterrupt:
        return _fail(sub, "interrupted", 130)


if __name__ == "__main__":
    sys.exit(main())
