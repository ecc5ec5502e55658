"""Analysis helpers for resqunn: datasets (IDX files) and, later, sweep results.

The library half (this package's modules) has no side effects and can be used
from notebooks; the command-line half lives in :mod:`resqunn_analysis.cli`
(``python3 -m resqunn_analysis --help``).
"""

from .catalog import DATASETS, DatasetSpec, dataset_spec, default_data_dir
from .errors import DataError, ResqunnAnalysisError, UsageError
from .idx import load_dataset, parse_idx, read_idx
from .images import average_pool, examples_per_class, to_unit_range

__version__ = "0.1.0"

__all__ = [
    "DATASETS",
    "DataError",
    "DatasetSpec",
    "ResqunnAnalysisError",
    "UsageError",
    "__version__",
    "average_pool",
    "dataset_spec",
    "default_data_dir",
    "examples_per_class",
    "load_dataset",
    "parse_idx",
    "read_idx",
    "to_unit_range",
]
