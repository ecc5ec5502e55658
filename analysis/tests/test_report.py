"""The `report` command and resqunn_analysis.write_report on real results files."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_cli

from resqunn_analysis import ReportOptions, UsageError, load, write_report
from resqunn_analysis.cli import main
from resqunn_analysis.labels import labels_for
from resqunn_analysis.report import final_table, gradient_matrices, scaling_stats

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        elif tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])


def html_references(index: Path) -> tuple[list[str], list[str]]:
    parser = _Links()
    parser.feed(index.read_text(encoding="utf-8"))
    return parser.images, parser.links


def assert_png(path: Path):
    data = path.read_bytes()
    assert len(data) > 1000, path
    assert data.startswith(PNG_SIGNATURE), path


def assert_self_contained(directory: Path) -> list[str]:
    """index.html and report.md exist; every image and link is a relative path that resolves."""
    index, md = directory / "index.html", directory / "report.md"
    assert index.is_file() and md.is_file()
    images, links = html_references(index)
    assert images, "no <img> in index.html"
    for ref in images + links:
        assert "/" not in ref and ":" not in ref, f"not a bare relative path: {ref}"
        assert (directory / ref).is_file(), f"{ref} does not resolve"
    for src in images:
        assert_png(directory / src)
    md_images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md.read_text(encoding="utf-8"))
    assert md_images == images  # the same figures, in the same order
    return images


def test_report_has_every_figure(sweep_report):
    results, report, out = sweep_report
    images = assert_self_contained(out)
    assert images == ["curves.png", "curves_facets.png", "gradient_heatmap.png",
                      "depth_scaling_QCL1.png", "layer_scaling.png"]
    assert [p.name for p in report.figures] == images
    for p in report.figures + report.tables:
        assert p.is_file() and p.stat().st_size > 0
    assert {p.name for p in report.tables} == {"points.csv", "final_accuracy.csv",
                                               "gradient_layers.csv", "depth_scaling_QCL1.csv",
                                               "layer_scaling.csv"}
    assert report.notes == []  # nothing skipped: depth and layer count both vary
    html = (out / "index.html").read_text()
    for heading in ("(a) Learning curves", "(b) Final accuracy",
                    "(c) Gradient norm per layer and step",
                    "(d) Gradient norm vs circuit depth and layer count", "Provenance"):
        assert heading in html
    assert "analysis_tiny" in html  # the spec
    assert "12 (12 done, 0 running, 0 pending, 0 failed)" in html


def test_report_folder_can_be_moved(sweep_report, tmp_path):
    _, _, out = sweep_report
    moved = tmp_path / "elsewhere" / "copy"
    shutil.copytree(out, moved)
    assert_self_contained(moved)


def test_final_table_is_mean_and_std_over_seeds(sweep_report):
    results, _, out = sweep_report
    table = pd.read_csv(out / "final_accuracy.csv")
    assert len(table) == 6  # 3 model shapes x 2 wirings
    assert (table["n"] == 2).all()
    assert set(table["train.seed"]) == {"1, 2"}
    for _, row in table.iterrows():
        sub = results.points[(results.points["model.depths"] == row["model.depths"])
                             & (results.points["model.residual"] == row["model.residual"])]
        best = sub["best_val_acc"].to_numpy()
        assert row["best_val_acc_mean"] == pytest.approx(best.mean())
        assert row["best_val_acc_std"] == pytest.approx(best.std(ddof=1))
        last = results.epochs[results.epochs["point"].isin(sub["point"])
                              & (results.epochs["epoch"] == 1)]
        assert row["final_val_acc_mean"] == pytest.approx(last["val_acc"].mean())
    md = (out / "report.md").read_text()
    assert "| model.depths | model.residual | n | train.seed | best val acc % |" in md


def test_final_table_group_by_one_column(sweep_h5):
    results = load(sweep_h5)
    table = final_table(results, ["model.residual"], ["train.seed"])
    assert table["group"].tolist() == ["none", "(X+O1)+O2"]  # order of first appearance
    assert table["n"].tolist() == [6, 6]
    mean = results.points.groupby("model.residual")["best_val_acc"].mean()
    assert table.set_index("group")["best_val_acc_mean"].to_dict() == pytest.approx(
        mean.to_dict())


def test_heatmap_data_shows_which_layers_learn(sweep_report):
    results, _, out = sweep_report
    config = labels_for(results.points, ["model.depths", "model.residual"])
    panels = {label.split(" (n=")[0]: (layers, m) for label, layers, m in
              gradient_matrices(results, config)}
    assert len(panels) == 6
    layers, m = panels["depths=[1, 1], residual=none"]
    assert layers == ["QCL1", "QCL2", "head"] and m.shape == (3, 14)
    assert (m[0] == 0).all() and (m[1:] > 0).all()
    layers, m = panels["depths=[1, 1], residual=(X+O1)+O2"]
    assert (m > 0).all()
    layers, m = panels["depths=[1, 1, 1], residual=none"]
    assert layers == ["QCL1", "QCL2", "QCL3", "head"]
    table = pd.read_csv(out / "gradient_layers.csv")
    none2 = table[(table["configuration"] == "depths=[1, 1], residual=none")]
    assert none2.set_index("layer")["zero_fraction"].to_dict() == {"QCL1": 1.0, "QCL2": 0.0,
                                                                  "head": 0.0}
    html = (out / "index.html").read_text()
    assert "no: exactly 0 at every step" in html


def test_depth_scaling_numbers(sweep_h5):
    results = load(sweep_h5)
    stats = scaling_stats(results, "depth_QCL1", ["model.residual", "layers"])
    # Two-layer models with a skip into the head: QCL1's gradient at step 0, mean and
    # variance over the two seeds, computed here from the traces directly.
    t = results.with_params(results.traces, ["model.residual", "layers", "depth_QCL1"])
    for depth in (1, 2):
        sel = t[(t["step"] == 0) & (t["layer"] == "QCL1") & (t["layers"] == 2)
                & (t["model.residual"] == "(X+O1)+O2") & (t["depth_QCL1"] == depth)]
        row = stats[(stats["hue"] == "residual=(X+O1)+O2, layers=2") & (stats["x"] == depth)
                    & (stats["layer"] == "QCL1")]
        assert len(sel) == 2 and len(row) == 1
        assert row["mean"].item() == pytest.approx(sel["grad_norm"].mean())
        assert row["var"].item() == pytest.approx(sel["grad_norm"].var(ddof=1))
        assert row["n"].item() == 2
    none = stats[(stats["hue"] == "residual=none, layers=2") & (stats["layer"] == "QCL1")]
    assert (none["mean"] == 0).all()


def test_report_of_one_point_skips_depth_figures_with_notes(train_h5, tmp_path):
    report = write_report(load(train_h5), tmp_path / "r")
    images = assert_self_contained(tmp_path / "r")
    assert images == ["curves.png", "gradient_heatmap.png"]
    assert len(report.notes) == 2
    assert "QCL1 ansatz depth skipped: every point has the same QCL1 ansatz depth (1)" in \
        report.notes[0]
    assert "number of layers skipped: every point has the same number of layers (2)" in \
        report.notes[1]
    md = (tmp_path / "r" / "report.md").read_text()
    assert "> **Note:** Scaling with the QCL1 ansatz depth skipped" in md
    assert "| all points | 1 |" in md  # nothing varies: one group


def test_report_with_no_done_points(sweep_h5, tmp_path):
    from conftest import copy_results
    import h5py

    path = copy_results(sweep_h5, tmp_path / "running.h5")
    with h5py.File(path, "r+") as f:
        f["points/state"][...] = 1
    report = write_report(load(path), tmp_path / "r")
    assert_self_contained(tmp_path / "r")
    assert any("no point is done yet" in n for n in report.notes)
    html = (tmp_path / "r" / "index.html").read_text()
    assert "12 (0 done, 12 running, 0 pending, 0 failed); shown: 0" in html


def test_report_options_are_checked(sweep_h5, tmp_path):
    results = load(sweep_h5)
    with pytest.raises(UsageError, match=r"--group-by: no column 'model.residul' in .*columns: "
                       r".*model.residual"):
        write_report(results, tmp_path / "r", ReportOptions(group_by=["model.residul"]))
    report = write_report(results, tmp_path / "r", ReportOptions(
        group_by=["layers"], curves_by="model.depths", seeds=["train.seed"], init_steps=3,
        max_panels=1))
    assert any("Only the first 1 of 2 configurations" in n for n in report.notes)
    assert_self_contained(tmp_path / "r")
    html = (tmp_path / "r" / "index.html").read_text()
    assert "averaged over the first 3 optimiser steps" in html


# --- the command line -------------------------------------------------------------------------


def test_report_cli(sweep_h5, tmp_path):
    out = tmp_path / "cli report"
    proc = run_cli("report", str(sweep_h5), "-o", str(out), "--group-by", "model.residual")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[:2] == [str(out / "index.html"), str(out / "report.md")]
    assert_self_contained(out)
    table = pd.read_csv(out / "final_accuracy.csv")
    assert table["model.residual"].tolist() == ["none", "(X+O1)+O2"]
    assert (table["n"] == 6).all()


@pytest.mark.parametrize("args,status,message", [
    (["report", "{missing}", "-o", "{out}"], 1, r"missing\.h5: No such file or directory"),
    (["report", "{text}", "-o", "{out}"], 1, r"text\.h5: not an HDF5 file"),
    (["report", "{sweep}", "-o", "{out}", "--group-by", "nope"], 2,
     r"--group-by: no column 'nope'"),
    (["report", "{sweep}"], 2, r"required: -o"),
    (["report", "{sweep}", "-o", "{out}", "--init-steps", "0"], 2, r"must be positive"),
])
def test_report_cli_errors(sweep_h5, tmp_path, capsys, args, status, message):
    (tmp_path / "text.h5").write_text("hello\n")
    subs = {"missing": str(tmp_path / "missing.h5"), "out": str(tmp_path / "out"),
            "text": str(tmp_path / "text.h5"), "sweep": str(sweep_h5)}
    code, _, err = call_main([a.format(**subs) for a in args], capsys)
    assert code == status, err
    assert re.search(message, err), err
    assert "Traceback" not in err


def call_main(argv, capsys):
    """cli.main in this process (faster than a subprocess): (exit status, stdout, stderr)."""
    try:
        code = main(argv)
    except SystemExit as e:  # argparse's own errors
        code = e.code
    out, err = capsys.readouterr()
    return code, out, err


def test_help_lists_commands(capsys):
    code, out, _ = call_main(["--help"], capsys)
    assert code == 0
    for command in ("preview", "report", "compare"):
        assert re.search(rf"^\s+{command}\s", out, re.M), out
    for command, option in (("report", "--group-by"), ("compare", "-o")):
        code, out, _ = call_main([command, "--help"], capsys)
        assert code == 0 and option in out


def test_read_me_documents_the_columns():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    for word in ("load(", "include_running", "depth_QCL1", "layers", "grad_norm", "report",
                 "compare", "HDF5_USE_FILE_LOCKING"):
        assert word in readme, word
