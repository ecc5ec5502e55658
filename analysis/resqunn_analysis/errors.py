"""Exceptions shared by the library and the command line.

DataError and UsageError derive from ValueError so that callers who only know
"bad input" can catch that; the CLI maps UsageError to exit status 2 and
DataError (and OSError) to exit status 1, the same convention as the C++
binary. Like the binary's errors, each holds the problem and, where one is
known, the fix: ``str(e)`` is the problem, then ``"\\n  fix: ..."``.
"""


class ResqunnAnalysisError(Exception):
    """Base class of the errors this package raises on purpose."""

    def __init__(self, problem: str, fix: str = ""):
        super().__init__(problem)
        self.problem = problem
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.problem}\n  fix: {self.fix}" if self.fix else self.problem


class DataError(ResqunnAnalysisError, ValueError):
    """A data file is malformed or inconsistent (bad magic, truncation, ...)."""


class MissingDataError(DataError):
    """A results file lacks a group or dataset the reader needs.

    ``path`` is the file, ``missing`` the HDF5 path of the first object that
    is not there (``/points``, ``/metrics/val_acc``) and ``kind`` what it is:
    ``"group"`` or ``"dataset"``.
    """

    def __init__(self, problem: str, fix: str, path: str, missing: str, kind: str):
        super().__init__(problem, fix)
        self.path = path
        self.missing = missing
        self.kind = kind


class UsageError(ResqunnAnalysisError, ValueError):
    """An argument is invalid (unknown dataset or split, bad pooling factor, ...)."""
