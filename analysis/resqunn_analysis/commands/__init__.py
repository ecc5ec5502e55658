"""Subcommands of the CLI, one module each.

A command module defines NAME, HELP (one line for the overview), DESCRIPTION
(for its own --help), ``add_arguments(parser)`` and ``run(args) -> int``;
it raises UsageError for bad arguments and DataError/OSError for bad or
missing files, and cli.main turns those into exit codes. List the module in
COMMANDS to make it available.
"""

from . import compare, preview, report, studies

COMMANDS = (preview, report, compare, studies)
