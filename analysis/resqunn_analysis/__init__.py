"""Analysis helpers for resqunn: datasets (IDX files) and results files (HDF5).

The library half (this package's modules) has no side effects and can be used
from notebooks; the command-line half lives in :mod:`resqunn_analysis.cli`
(``python3 -m resqunn_analysis --help``).

``load``, ``Results``, ``write_report``, ``ReportOptions``, ``compare`` and
``Comparison`` are imported on first use, so that importing the package (and
the dataset helpers) does not import pandas, h5py and matplotlib.
"""

from .catalog import DATASETS, DatasetSpec, dataset_spec, default_data_dir
from .errors import DataError, MissingDataError, ResqunnAnalysisError, UsageError
from .idx import load_dataset, parse_idx, read_idx
from .images import average_pool, examples_per_class, to_unit_range

__version__ = "0.1.0"

_LAZY = {
    "load": "results",
    "Results": "results",
    "write_report": "report",
    "ReportOptions": "report",
    "Report": "report",
    "compare": "comparison",
    "Comparison": "comparison",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Comparison",
    "DATASETS",
    "DataError",
    "DatasetSpec",
    "MissingDataError",
    "ReportOptions",
    "Report",
    "ResqunnAnalysisError",
    "Results",
    "UsageError",
    "__version__",
    "average_pool",
    "compare",
    "dataset_spec",
    "default_data_dir",
    "examples_per_class",
    "load",
    "load_dataset",
    "parse_idx",
    "read_idx",
    "to_unit_range",
    "write_report",
]
