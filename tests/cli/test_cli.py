"""End-to-end behaviour of the `resqunn` command line: help, info, data."""
import gzip
import json
import os
from pathlib import Path

import pytest

EXIT_FAILURE = 1
EXIT_USAGE = 2


# --- help, version, usage errors -------------------------------------------

def test_help_lists_subcommands_and_exit_codes(resqunn):
    r = resqunn("--help")
    assert r.returncode == 0
    for word in ("info", "data", "circuit", "model", "train", "--log-level", "Exit codes"):
        assert word in r.stdout


@pytest.mark.parametrize("sub", [["info"], ["data"], ["data", "fetch"], ["data", "info"],
                                 ["data", "list"], ["circuit"], ["train"], ["model"],
                                 ["model", "describe"], ["sweep"], ["sweep", "plan"],
                                 ["sweep", "run"], ["status"]])
def test_every_subcommand_has_help(resqunn, sub):
    r = resqunn(*sub, "--help")
    assert r.returncode == 0, r.stderr
    assert "Usage" in r.stdout or "usage" in r.stdout.lower()


def test_version(resqunn):
    r = resqunn("--version")
    assert r.returncode == 0
    assert r.stdout.startswith("resqunn ")


@pytest.mark.parametrize("args, expected", [
    ([], "A subcommand is required"),
    (["frobnicate"], "frobnicate"),
    (["--log-level", "loud", "info"], "loud"),
    (["data", "fetch", "imagenet"], "imagenet"),
    (["data", "info"], "name"),
    (["--threads", "-3", "info"], "-3"),
    (["train"], "CONFIG is required"),
    (["model"], "A subcommand is required"),
])
def test_usage_errors_exit_2_and_name_the_problem(resqunn, args, expected):
    r = resqunn(*args)
    assert r.returncode == EXIT_USAGE, (r.stdout, r.stderr)
    assert expected in r.stderr + r.stdout


@pytest.mark.parametrize("args, expected", [
    (["frobnicate"], ["unknown command 'frobnicate' (commands: info, data", "model", "train"]),
    (["model", "frobnicate"],
     ["unknown command 'frobnicate' for `resqunn model`", "(commands: describe)"]),
    (["data", "frobnicate"],
     ["unknown command 'frobnicate' for `resqunn data`", "(commands: fetch, info, list)"]),
])
def test_unknown_command_lists_the_commands_where_it_was_given(resqunn, args, expected):
    r = resqunn(*args)
    assert r.returncode == EXIT_USAGE, (r.stdout, r.stderr)
    for text in expected:
        assert text in r.stderr


@pytest.mark.parametrize("args", [["info", "extra"], ["data", "list", "extra"],
                                  ["model", "describe", "X+O1", "extra"]])
def test_extra_argument_is_not_called_a_command(resqunn, args):
    r = resqunn(*args)
    assert r.returncode == EXIT_USAGE, (r.stdout, r.stderr)
    assert "extra" in r.stderr
    assert "unknown command" not in r.stderr


def test_too_many_threads_are_refused_or_capped(resqunn):
    # Kokkos 3.x's OpenMP pool crashed at several hundred threads: --threads
    # above the hardware threads is a usage error, OMP_NUM_THREADS is capped.
    hardware = os.cpu_count()
    r = resqunn("--threads", "100000", "info")
    assert r.returncode == EXIT_USAGE, (r.stdout, r.stderr)
    assert f"--threads 100000 is more than this machine's {hardware} hardware thread" in r.stderr
    assert "Segmentation" not in r.stderr
    r = resqunn("info", "--json", env={"OMP_NUM_THREADS": "100000"})
    assert r.returncode == 0, r.stderr
    assert "OMP_NUM_THREADS=100000 is more than" in r.stderr
    if os.environ.get("RESQUNN_EXPECT_OPENMP") == "1":
        assert json.loads(r.stdout)["kokkos"]["concurrency"] == hardware
    r = resqunn("--threads", "-1", "info")
    assert r.returncode == EXIT_USAGE
    assert "--threads -1: not a thread count" in r.stderr
    assert "1797693" not in r.stderr  # no DBL_MAX in the message


# --- info --------------------------------------------------------------------

def test_info_reports_kokkos_mpi_hdf5(resqunn):
    r = resqunn("info")
    assert r.returncode == 0, r.stderr
    for word in ("resqunn", "Kokkos", "backends", "concurrency", "MPI", "HDF5"):
        assert word in r.stdout


def test_info_json_is_complete_and_consistent(resqunn):
    r = resqunn("--threads", "1", "info", "--json")
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    kokkos = info["kokkos"]
    assert "Serial" in kokkos["backends"]
    if os.environ.get("RESQUNN_EXPECT_OPENMP") == "1":
        assert "OpenMP" in kokkos["backends"]
        assert kokkos["default_execution_space"] == "OpenMP"
        assert kokkos["concurrency"] == 1  # --threads 1
    assert int(kokkos["version"].split(".")[0]) >= 3
    assert info["mpi"]["world_size"] == 1
    assert info["mpi"]["library"]
    assert info["hdf5"]["version"].startswith("1.")
    assert len(info["resqunn"]["git_sha"]) in (40, len("unknown"))


def test_info_under_mpirun_prints_once_with_world_size(resqunn):
    r = resqunn("info", "--json", mpi_ranks=2)
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)  # a second copy would make this invalid JSON
    assert info["mpi"]["world_size"] == 2


# --- data --------------------------------------------------------------------

def test_data_info_on_empty_dir_says_how_to_fetch(resqunn, tmp_path):
    r = resqunn("data", "info", "fashion-mnist", "--data-dir", tmp_path)
    assert r.returncode == EXIT_FAILURE
    assert "resqunn data fetch fashion-mnist" in r.stderr


def test_data_dir_comes_from_resqunn_data(resqunn, fashion_dir):
    r = resqunn("data", "info", "fashion-mnist", env={"RESQUNN_DATA": str(fashion_dir)})
    assert r.returncode == 0, r.stderr
    assert str(fashion_dir) in r.stdout


def test_fashion_info_counts_per_class(resqunn, fashion_dir):
    r = resqunn("data", "info", "fashion-mnist", "--json", "--data-dir", fashion_dir)
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    splits = {s["split"]: s for s in info["splits"]}
    assert splits["train"]["count"] == 60000
    assert splits["train"]["per_class"] == [6000] * 10
    assert splits["test"]["count"] == 10000
    assert splits["test"]["per_class"] == [1000] * 10
    assert splits["train"]["shape"] == [28, 28]
    assert len(splits["train"]["sha256"]) == 64


def test_fetch_again_is_a_no_op(resqunn, fashion_copy):
    before = {p.name: p.stat().st_mtime_ns for p in (fashion_copy / "fashion-mnist").iterdir()}
    r = resqunn("data", "fetch", "fashion-mnist", "--data-dir", fashion_copy)
    assert r.returncode == 0, r.stderr
    assert "already present" in r.stderr
    after = {p.name: p.stat().st_mtime_ns for p in (fashion_copy / "fashion-mnist").iterdir()}
    assert before == after


def test_sha256sums_file_is_sha256sum_compatible(fashion_dir):
    import hashlib
    d = fashion_dir / "fashion-mnist"
    lines = (d / "SHA256SUMS").read_text().splitlines()
    assert len(lines) == 4
    for line in lines:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((d / name).read_bytes()).hexdigest() == digest


def _flip_byte(path: Path, offset: int):
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def test_corrupt_file_is_named_with_the_fix_and_force_repairs(resqunn, fashion_copy):
    victim = fashion_copy / "fashion-mnist" / "test-labels-idx1-ubyte.gz"
    _flip_byte(victim, 100)
    r = resqunn("data", "info", "fashion-mnist", "--data-dir", fashion_copy)
    assert r.returncode == EXIT_FAILURE
    assert "test-labels-idx1-ubyte.gz" in r.stderr
    assert f"resqunn data fetch fashion-mnist --data-dir {fashion_copy} --force" in r.stderr
    r = resqunn("data", "fetch", "fashion-mnist", "--force", "--data-dir", fashion_copy)
    assert r.returncode == 0, r.stderr
    assert resqunn("data", "info", "fashion-mnist", "--data-dir", fashion_copy).returncode == 0


def test_truncated_file_with_matching_manifest_is_reported_as_truncated(resqunn, fashion_copy):
    # Truncate a data file *and* update its checksum: the IDX validation, not
    # the checksum, must catch it.
    import hashlib
    d = fashion_copy / "fashion-mnist"
    victim = d / "test-images-idx3-ubyte.gz"
    raw = gzip.decompress(victim.read_bytes())[:5000]
    victim.write_bytes(gzip.compress(raw))
    sums = []
    for line in (d / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ", 1)
        if name == victim.name:
            digest = hashlib.sha256(victim.read_bytes()).hexdigest()
        sums.append(f"{digest}  {name}")
    (d / "SHA256SUMS").write_text("\n".join(sums) + "\n")
    r = resqunn("data", "info", "fashion-mnist", "--data-dir", fashion_copy)
    assert r.returncode == EXIT_FAILURE
    assert victim.name in r.stderr
    assert "truncated" in r.stderr
    assert "--force" in r.stderr


def test_data_error_under_mpirun_is_reported_once_and_all_ranks_exit(resqunn, tmp_path):
    r = resqunn("data", "info", "mnist", "--data-dir", tmp_path, mpi_ranks=2, timeout=120)
    assert r.returncode == EXIT_FAILURE
    assert r.stderr.count("resqunn data fetch mnist") == 1


def test_data_list_shows_state(resqunn, fashion_dir):
    r = resqunn("data", "list", "--data-dir", fashion_dir)
    assert r.returncode == 0, r.stderr
    lines = {line.split()[0]: line for line in r.stdout.splitlines() if line.strip()}
    assert "not fetched" in lines["mnist"]
    assert "fetched" in lines["fashion-mnist"] and "not" not in lines["fashion-mnist"]


def test_source_with_two_datasets_is_a_usage_error(resqunn, tmp_path):
    r = resqunn("data", "fetch", "mnist", "fashion-mnist", "--source", tmp_path,
                "--data-dir", tmp_path)
    assert r.returncode == EXIT_USAGE
    assert "--source applies to one dataset" in r.stderr


def test_real_mnist_when_fetched(resqunn):
    """The default data dir holds MNIST after scripts/quickstart.sh or test.sh."""
    r = resqunn("data", "info", "mnist", "--json")
    if r.returncode != 0:
        pytest.skip("mnist not fetched in the default data dir: " + r.stderr.strip()[-200:])
    info = json.loads(r.stdout)
    (split,) = info["splits"]
    assert split["count"] == 10000
    assert split["per_class"] == [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]
