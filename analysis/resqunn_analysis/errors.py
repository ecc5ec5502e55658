"""Exceptions shared by the library and the command line.

Both derive from ValueError so that callers who only know "bad input" can
catch that; the CLI maps UsageError to exit status 2 and DataError (and
OSError) to exit status 1, the same convention as the C++ binary.
"""


class ResqunnAnalysisError(Exception):
    """Base class of the errors this package raises on purpose."""


class DataError(ResqunnAnalysisError, ValueError):
    """A data file is malformed or inconsistent (bad magic, truncation, ...)."""


class UsageError(ResqunnAnalysisError, ValueError):
    """An argument is invalid (unknown dataset or split, bad pooling factor, ...)."""
