"""The `compare` command and resqunn_analysis.compare."""

from __future__ import annotations

import h5py
import numpy as np
import pandas as pd
from conftest import copy_results, run_cli

from resqunn_analysis import compare, load


def load_all(path):
    return load(path, include_running=True, weights=True)


def test_compare_file_with_itself_cli(sweep_h5, tmp_path):
    out = tmp_path / "cmp"
    proc = run_cli("compare", str(sweep_h5), str(sweep_h5), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "matched 12 points (12 by id, 0 by hyperparameters); only in a: 0, only in b: 0" \
        in proc.stdout
    assert "identical results (timings excluded): 12 of 12 matched points -- the files hold " \
        "the same results" in proc.stdout
    lines = proc.stdout.splitlines()
    header = next(i for i, l in enumerate(lines) if l.startswith("a  "))
    rows = lines[header + 1:header + 13]
    assert len(rows) == 12 and all(" yes " in r for r in rows)
    assert all("+0.00" in r for r in rows)
    table = pd.read_csv(out / "compare.csv")
    assert len(table) == 12 and table["identical"].all() and (table["diff"] == 0).all()
    assert (table["id_a"] == table["id_b"]).all()
    assert "| a | b | id | matched by |" in (out / "compare.md").read_text()


def test_compare_matches_by_hyperparameters_and_finds_differences(sweep_h5, tmp_path):
    path = copy_results(sweep_h5, tmp_path / "changed.h5")
    with h5py.File(path, "r+") as f:
        ids = f["points/id"]
        new_ids = [("x" * 16 if i < 4 else s) for i, s in enumerate(ids.asstr()[...])]
        ids[...] = np.array(new_ids, dtype=h5py.string_dtype())
        f["metrics/val_acc"][1, 1] += 0.02          # point 1: a different result
        f["points/best_val_acc"][1] += 0.02
        f["traces/grad_norm"][6, 3, 0] *= 2         # point 6: one trace value
        f["weights/final"][9, 0] += 1.0             # point 9: one weight
    a, b = load_all(sweep_h5), load_all(path)
    c = compare(a, b)
    t = c.table.set_index("point_a")
    assert (t["point_b"] == t.index).all()
    # Points 0-3 lost their ids (the same fake id four times) but are matched by
    # their hyperparameters, the others by id.
    assert t.loc[[0, 1, 2, 3], "matched_by"].tolist() == ["hyperparameters"] * 4
    assert (t.loc[4:, "matched_by"] == "id").all()
    assert not t.loc[1, "identical"]
    assert t.loc[1, "differs_in"] == "best_val_acc, epochs"
    assert t.loc[1, "diff"] == np.float64(b.points.loc[1, "best_val_acc"]) - \
        np.float64(a.points.loc[1, "best_val_acc"])
    assert t.loc[6, "differs_in"] == "traces"
    assert t.loc[9, "differs_in"] == "weights"
    same = [p for p in range(12) if p not in (1, 6, 9)]
    assert t.loc[same, "identical"].astype(bool).all()
    assert not c.all_identical
    assert "identical results (timings excluded): 9 of 12 matched points" in c.summary()
    assert "(8 by id, 4 by hyperparameters)" in c.summary()


def test_compare_unmatched_points(sweep_h5, train_h5):
    """A one-point `resqunn train` file against the sweep: its config is sweep point 0."""
    c = compare(load_all(train_h5), load_all(sweep_h5))
    t = c.table
    matched = t[t["matched_by"] != "only in b"]
    assert len(matched) == 1 and matched["point_b"].item() == 0
    # The same config has the same id in `train` and `sweep run`, and training is
    # deterministic whatever the ranks: the results are the same bit for bit.
    assert matched["matched_by"].item() == "id"
    assert matched["identical"].item() is True, matched["differs_in"].item()
    assert (t["matched_by"] == "only in b").sum() == 11
    assert t.loc[t["matched_by"] == "only in b", "identical"].isna().all()
    assert "only in a: 0, only in b: 11" in c.summary()
