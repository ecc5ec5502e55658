"""The report renders in a real browser: headless Chromium loads index.html and every image."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from test_report import PNG_SIGNATURE, html_references

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def chromium() -> str:
    path = "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else \
        shutil.which("chromium")
    if not path:
        pytest.skip("chromium not installed (scripts/setup.sh installs it)")
    return path


def run_chromium(chromium: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    proc = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=180, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_screenshot(chromium, sweep_report, tmp_path):
    _, report, _ = sweep_report
    shot = tmp_path / "shot.png"
    run_chromium(chromium, tmp_path, f"--screenshot={shot}", "--window-size=1200,2000",
                 report.index_html.as_uri())
    assert shot.is_file() and shot.stat().st_size > 10_000
    assert png_size(shot) == (1200, 2000)
    import matplotlib.image

    pixels = matplotlib.image.imread(shot)
    assert pixels.std() > 0.05  # not a blank page


def test_every_image_loads(chromium, sweep_report, tmp_path):
    """A copy of index.html, beside it, with a script that records each image's decoded size."""
    _, report, folder = sweep_report
    probe = folder / "_chromium_probe.html"
    script = ("<script>window.addEventListener('load', () => { document.body.setAttribute("
              "'data-images', JSON.stringify([...document.images].map(i => "
              "[i.getAttribute('src'), i.complete, i.naturalWidth, i.naturalHeight]))); });"
              "</script>")
    probe.write_text(report.index_html.read_text().replace("</body>", script + "</body>"))
    try:
        proc = run_chromium(chromium, tmp_path, "--virtual-time-budget=10000", "--dump-dom",
                            probe.as_uri())
    finally:
        probe.unlink()
    match = re.search(r'data-images="([^"]*)"', proc.stdout)
    assert match, proc.stdout[:2000]
    import html

    images = json.loads(html.unescape(match.group(1)))
    expected, _ = html_references(report.index_html)
    assert [i[0] for i in images] == expected and len(expected) == 5
    for src, complete, width, height in images:
        assert complete and width > 100 and height > 100, (src, width, height)
        assert (width, height) == png_size(folder / src)


def test_quickstart_sweep_report_renders(chromium, resqunn_bin, mnist_ready, tmp_path):
    """The shipped quickstart sweep, run as scripts/quickstart.sh runs it, then reported: every
    <img> of its index.html resolves and Chromium renders the page."""
    from conftest import REPO_ROOT, mpi_command, mpi_env
    from resqunn_analysis import load, write_report

    out = tmp_path / "sweep_quickstart.h5"
    spec = REPO_ROOT / "examples" / "sweep_quickstart.toml"
    proc = subprocess.run(mpi_command(resqunn_bin, "sweep", "run", str(spec), "-o", str(out)),
                          cwd=tmp_path, env=mpi_env(), capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    folder = tmp_path / "report"
    report = write_report(load(out), folder)
    images, _ = html_references(report.index_html)
    assert images
    for name in images:
        assert (folder / name).is_file(), name
    shot = tmp_path / "quickstart.png"
    run_chromium(chromium, tmp_path, f"--screenshot={shot}", "--window-size=1200,2000",
                 report.index_html.as_uri())
    assert shot.is_file() and shot.stat().st_size > 10_000
