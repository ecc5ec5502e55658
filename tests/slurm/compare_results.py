"""Compares two resqunn results files exactly, apart from wall-clock fields.

    /usr/bin/python3 tests/slurm/compare_results.py A.h5 B.h5

Prints every difference and exits 1 if there is any, 0 if the files hold the
same results. Compared: every dataset and attribute except

  * /provenance (host, job id, times, rank count of the run),
  * /checkpoint (when checkpoints were taken depends on when a run was
    stopped; the final weights and every metric are compared instead),
  * the timings: /points/wall_s, /metrics/wall_s, /metrics/images_per_s.

Numbers must be bitwise equal (NaN equals NaN: unwritten entries).
"""
import os
import sys

os.environ.setdefault("HDF5_USE_FILE_LOCKING", "FALSE")

import h5py  # noqa: E402
import numpy as np  # noqa: E402

SKIPPED_GROUPS = ("provenance", "checkpoint")
SKIPPED_DATASETS = {"points/wall_s", "metrics/wall_s", "metrics/images_per_s"}


def _objects(f):
    found = {}

    def visit(name, obj):
        if name.split("/")[0] in SKIPPED_GROUPS or name in SKIPPED_DATASETS:
            return
        found[name] = obj

    f.visititems(visit)
    return found


def _same_values(a, b):
    a = np.asarray(a)
    b = np.asarray(b)
    if a.shape != b.shape or a.dtype.kind != b.dtype.kind:
        return False
    if a.dtype.kind == "f":
        # Bitwise: NaN == NaN, and -0.0 != 0.0.
        return np.array_equal(a.view(np.uint8), b.view(np.uint8))
    return np.array_equal(a, b)


def _read(dataset):
    if dataset.dtype.kind == "O" or h5py.check_string_dtype(dataset.dtype):
        return dataset.asstr()[()]
    return dataset[()]


def _describe(a, b):
    if a.shape != b.shape:
        return f"shape {a.shape} != {b.shape}"
    if a.dtype.kind != b.dtype.kind:
        return f"type {a.dtype} != {b.dtype}"
    if a.dtype.kind == "f":
        ne = (a.view(np.uint8) != b.view(np.uint8)).reshape(a.shape + (-1,)).any(axis=-1)
    else:
        ne = a != b
    if a.ndim == 0:
        return f"{str(a)[:60]!r} != {str(b)[:60]!r}"
    first = tuple(int(i) for i in np.argwhere(ne)[0])
    return (f"{int(ne.sum())} of {a.size} values differ, first at {first}: "
            f"{str(a[first])[:60]!r} != {str(b[first])[:60]!r}")


def differences(path_a, path_b):
    """A list of human-readable differences (empty: same results)."""
    out = []
    with h5py.File(path_a, "r") as fa, h5py.File(path_b, "r") as fb:
        for key in sorted(set(fa.attrs) | set(fb.attrs)):
            if key not in fa.attrs or key not in fb.attrs:
                out.append(f"/ attribute {key}: only in one file")
            elif not _same_values(fa.attrs[key], fb.attrs[key]):
                out.append(f"/ attribute {key}: {fa.attrs[key]!r} != {fb.attrs[key]!r}")
        oa, ob = _objects(fa), _objects(fb)
        for name in sorted(set(oa) | set(ob)):
            if name not in oa or name not in ob:
                out.append(f"{name}: only in {path_a if name in oa else path_b}")
                continue
            a, b = oa[name], ob[name]
            for key in sorted(set(a.attrs) | set(b.attrs)):
                if key not in a.attrs or key not in b.attrs or not _same_values(a.attrs[key], b.attrs[key]):
                    out.append(f"{name} attribute {key} differs")
            if isinstance(a, h5py.Dataset) != isinstance(b, h5py.Dataset):
                out.append(f"{name}: a dataset in one file only")
            elif isinstance(a, h5py.Dataset):
                va, vb = _read(a), _read(b)
                if not _same_values(va, vb):
                    out.append(f"{name}: {_describe(np.asarray(va), np.asarray(vb))}")
    return out


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    diffs = differences(argv[1], argv[2])
    for d in diffs:
        print(d)
    if diffs:
        print(f"{argv[1]} and {argv[2]} differ in {len(diffs)} place(s)")
        return 1
    print(f"{argv[1]} and {argv[2]} hold the same results")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
