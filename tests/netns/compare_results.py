"""Are two results files of uninterrupted runs of one sweep bitwise equal?

    /usr/bin/python3 tests/netns/compare_results.py REFERENCE.h5 OTHER.h5

The comparison of tests/cli/test_sweep_run.py (snapshot, deterministic,
assert_same), repeated here so that this check does not depend on the pytest
module: every dataset, checkpoints included, must be bitwise equal (NaN
payloads too), except the wall-clock ones: metrics/wall_s,
metrics/images_per_s, points/wall_s and the wall_s column of
checkpoint/values. The attributes of every object but /provenance (host,
times, rank count: they describe the run) must be equal too.

Prints one line (how much was compared, or every difference); exit 0 when
equal, 1 when not, 2 on bad usage.
"""
import os
import sys

os.environ.setdefault("HDF5_USE_FILE_LOCKING", "FALSE")
import h5py  # noqa: E402  (after the locking switch, which HDF5 reads once)
import numpy as np  # noqa: E402

WALL_CLOCK = {"metrics/wall_s", "metrics/images_per_s", "points/wall_s"}
CHECKPOINT_WALL_COLUMN = 2  # checkpoint/values: epoch_loss_sum, best_val_acc, wall_s


def snapshot(path):
    """{name: value} of every dataset ("D name") and attribute ("A name@key")."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if not name.startswith("provenance"):
                for key, value in obj.attrs.items():
                    out[f"A {name}@{key}"] = np.asarray(value)
            if isinstance(obj, h5py.Dataset) and name not in WALL_CLOCK:
                if h5py.check_string_dtype(obj.dtype):
                    value = np.asarray(obj.asstr()[()], dtype=object).tolist()
                else:
                    value = obj[()]
                    if name == "checkpoint/values":
                        value = value.copy()
                        value[..., CHECKPOINT_WALL_COLUMN] = np.nan
                out[f"D {name}"] = value
        visit("", f)
        f.visititems(visit)
    return out


def same(x, y):
    if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
        x, y = np.asarray(x), np.asarray(y)
        if x.dtype == object or y.dtype == object:
            return x.shape == y.shape and x.tolist() == y.tolist()
        return x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes()
    return x == y


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    a, b = snapshot(argv[1]), snapshot(argv[2])
    diffs = [f"only in {argv[1]}: {k}" for k in sorted(set(a) - set(b))]
    diffs += [f"only in {argv[2]}: {k}" for k in sorted(set(b) - set(a))]
    diffs += [f"differs: {k}" for k in sorted(set(a) & set(b)) if not same(a[k], b[k])]
    for d in diffs:
        print(d)
    if diffs:
        print(f"{argv[2]}: {len(diffs)} difference(s) from {argv[1]}")
        return 1
    datasets = sum(k.startswith("D ") for k in a)
    print(f"{argv[2]}: bitwise equal to {argv[1]} "
          f"({datasets} datasets, {len(a) - datasets} attributes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
