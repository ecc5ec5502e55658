"""`resqunn model describe`: resolved wiring, shapes and parameter counts,
checked against counts worked out by hand (docs/model.md):
  paper ansatz: 2 * qubits * depth weights per layer (RY and RX per qubit);
  2x2 windows, angle encoding: 4 qubits, 4 output channels;
  stride s, valid padding: (H - 2) / s + 1 outputs; same padding: ceil(H / s);
  dense head: K * F + K weights for F = C * H * W features and K classes."""
import re
from pathlib import Path

import pytest

EXIT_USAGE = 2
REPO = Path(__file__).resolve().parents[2]


def paper_weights(qubits, depth):
    return 2 * qubits * depth


def dense_weights(features, classes):
    return classes * features + classes


def lines_by_consumer(stdout):
    """{"QCL1": line, ..., "head": line, "parameters": line, ...}"""
    return {line.split(":", 1)[0]: line for line in stdout.splitlines() if ":" in line}


def describe(resqunn, *args):
    r = resqunn("model", "describe", *args)
    assert r.returncode == 0, r.stderr
    return lines_by_consumer(r.stdout)


def test_paper_wiring_from_a_residual_string(resqunn):
    d = describe(resqunn, "(X+O1)+O2")
    assert d["input X"].startswith("input X: 1x14x14, 10 classes")
    assert "(X+O1)+O2" in d["residual"] and "barrier" in d["residual"]
    # QCL1: 14x14 -> 4 channels of 7x7; QCL2 reads X+O1 (X pooled to 7x7 and
    # broadcast to 4 channels) -> 4x3x3; the head reads X+O1+O2 at 4x3x3.
    qcl1 = paper_weights(4, 1)
    qcl2 = paper_weights(4, 1)
    head = dense_weights(4 * 3 * 3, 10)
    assert "reads X (1x14x14) -> O1 (4x7x7)" in d["QCL1"]
    assert d["QCL1"].endswith(f", {qcl1} weights")
    assert "reads X+O1 (4x7x7) -> O2 (4x3x3)" in d["QCL2"]
    assert d["QCL2"].endswith(f", {qcl2} weights")
    assert "4 qubits" in d["QCL1"] and "paper depth 1" in d["QCL1"]
    assert "49 circuits/image" in d["QCL1"]
    assert "36 circuits/image" in d["QCL2"]  # 9 windows on each of 4 channels
    assert d["head"] == f"head: reads X+O1+O2 (4x3x3); dense 36 -> 10 (softmax), {head} weights"
    assert d["parameters"] == (f"parameters: {qcl1 + qcl2 + head} "
                               f"(QCL1 {qcl1}, QCL2 {qcl2}, head {head})")
    assert qcl1 + qcl2 + head == 386


def evaluator_lines(stdout):
    """The "  evaluator ..." line under each consumer, in order."""
    return [line.strip() for line in stdout.splitlines() if line.startswith("  evaluator ")]


def test_evaluator_per_circuit(resqunn):
    # Each layer's circuit gets an evaluator line with both estimates; auto
    # picks the cheaper, so the compiled one for a depth-64 ansatz (its cost
    # does not grow with depth) and never "auto" itself.
    r = resqunn("model", "describe", "(X+O1)+O2", "--depths", "64,1", "--head", "quantum")
    assert r.returncode == 0, r.stderr
    lines = evaluator_lines(r.stdout)
    assert len(lines) == 3  # QCL1, QCL2, the quantum head
    assert all("statevector" in line and "ns" in line for line in lines)
    assert lines[0].startswith("evaluator compiled (")
    assert not any(line.startswith("evaluator auto") for line in lines)
    forced = resqunn("model", "describe", "(X+O1)+O2", "--depths", "64,1",
                     "--evaluator", "statevector")
    assert forced.returncode == 0, forced.stderr
    assert all(line.startswith("evaluator statevector (")
               for line in evaluator_lines(forced.stdout))


def test_depths_image_size_classes_and_head(resqunn):
    d = describe(resqunn, "(X+O1)+O2", "--depths", "4,1", "--image-size", "28",
                 "--classes", "3")
    # 28x28 -> 4x14x14 -> 4x7x7; the head sees 4 * 7 * 7 = 196 features.
    qcl1, qcl2, head = paper_weights(4, 4), paper_weights(4, 1), dense_weights(196, 3)
    assert "reads X (1x28x28) -> O1 (4x14x14)" in d["QCL1"] and "paper depth 4" in d["QCL1"]
    assert d["QCL1"].endswith(f", {qcl1} weights")
    assert "reads X+O1 (4x14x14) -> O2 (4x7x7)" in d["QCL2"]
    assert d["head"].endswith(f"dense 196 -> 3 (softmax), {head} weights")
    assert d["parameters"].startswith(f"parameters: {qcl1 + qcl2 + head} ")


def test_plain_chain_and_quantum_head(resqunn):
    d = describe(resqunn, "none", "--head", "quantum", "--gradient-mode", "full")
    assert "full" in d["residual"]
    assert "reads O1 (4x7x7)" in d["QCL2"]
    # 36 features -> ceil(log2 36) = 6 qubits; paper ansatz of depth 2.
    head = paper_weights(6, 2)
    assert d["head"].startswith("head: reads O2 (4x3x3); quantum 36 features")
    assert "on 6 qubits" in d["head"]
    assert d["head"].endswith(f", {head} weights")
    assert d["parameters"].startswith(f"parameters: {8 + 8 + head} ")


def test_layer_count_follows_the_string(resqunn):
    # O3 named, no --layers: three layers.
    d = describe(resqunn, "X+O1;O2+O3")
    assert set(d) >= {"QCL1", "QCL2", "QCL3", "head"}
    assert "reads X+O1" in d["QCL2"]
    assert d["head"].startswith("head: reads O2+O3 ")
    d = describe(resqunn, "X+O1", "--layers", "3")
    assert "QCL3" in d and d["head"].startswith("head: reads O3 ")


def test_paper_example(resqunn):
    d = describe(resqunn, REPO / "examples" / "paper_base.toml")
    # QCL1 (depth 4, stride 2): 1x14x14 -> 4x7x7; QCL2 (depth 1, stride 1,
    # same padding) keeps 4x7x7; the head reads X+O1+O2: 196 features.
    qcl1, qcl2, head = paper_weights(4, 4), paper_weights(4, 1), dense_weights(196, 10)
    assert "reads X (1x14x14) -> O1 (4x7x7)" in d["QCL1"]
    assert "stride 2, valid" in d["QCL1"] and d["QCL1"].endswith(f", {qcl1} weights")
    assert "reads X+O1 (4x7x7) -> O2 (4x7x7)" in d["QCL2"]
    assert "stride 1, same" in d["QCL2"] and d["QCL2"].endswith(f", {qcl2} weights")
    assert d["head"] == f"head: reads X+O1+O2 (4x7x7); dense 196 -> 10 (softmax), {head} weights"
    assert d["parameters"].startswith(f"parameters: {qcl1 + qcl2 + head} ")
    assert qcl1 + qcl2 + head == 2010


def test_config_file_classes_come_from_data(resqunn, tmp_path):
    config = tmp_path / "three.toml"
    config.write_text('[data]\nclasses = [3, 5, 8]\nimage_size = 7\n'
                      '[model]\ndepths = [2]\n')
    d = describe(resqunn, config)
    # 7x7 -> (7 - 2) / 2 + 1 = 3: 4x3x3, 36 features, 3 classes.
    assert d["input X"].startswith("input X: 1x7x7, 3 classes")
    assert "QCL2" not in d
    assert d["parameters"].startswith(f"parameters: {paper_weights(4, 2) + dense_weights(36, 3)} ")


def test_under_mpirun_prints_once(resqunn):
    r = resqunn("model", "describe", "(X+O1)+O2", mpi_ranks=2, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("parameters:") == 1


@pytest.mark.parametrize("args, expected", [
    (["O3", "--layers", "2"], ["O3", "column 1"]),
    (["X+O3", "--depths", "1,1"], ["O3", "column 3"]),
    (["(X+O1", "--layers", "2"], ["column"]),
    (["X+O1", "--head", "classical"], ["classical"]),
    (["X+O1", "--gradient-mode", "leaky"], ["leaky"]),
    (["X+O1", "--layers", "3", "--depths", "4,1"], ["--depths has 2 entries for 3 layers"]),
    (["X+O1", "--image-size", "13"], ["13"]),
    (["X+O1", "--depths", "0,1"], ["0"]),
])
def test_errors_exit_2_and_say_why(resqunn, args, expected):
    r = resqunn("model", "describe", *args)
    assert r.returncode == EXIT_USAGE, (r.stdout, r.stderr)
    for word in expected:
        assert word in r.stderr
    assert r.stdout == ""


def test_bad_config_file_names_its_position(resqunn, tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text('[model]\ndepths = [1, 1]\nresidual = "O1+O3"\n')
    r = resqunn("model", "describe", config)
    assert r.returncode == EXIT_USAGE
    assert re.search(r"bad\.toml:3:\d+: model\.residual", r.stderr), r.stderr
    assert "column 4" in r.stderr


def test_missing_config_file_is_a_usage_error(resqunn, tmp_path):
    r = resqunn("model", "describe", tmp_path / "nope.toml")
    assert r.returncode == EXIT_USAGE
    assert "nope.toml" in r.stderr
