"""`resqunn circuit`: JSON in, outputs and adjoint gradients out, checked
against closed forms worked out by hand."""
import json
import math
import os
import shutil
import subprocess

import pytest

EXIT_USAGE = 2


def one_qubit(x, w0, w1):
    """RY(pi x) then the paper ansatz RY(w0), RX(w1) on one qubit:
    <Z> = cos(w1) cos(w0 + pi x)."""
    a = w0 + math.pi * x
    return {
        "out": math.cos(w1) * math.cos(a),
        "dw0": -math.cos(w1) * math.sin(a),
        "dw1": -math.sin(w1) * math.cos(a),
        "dx": -math.pi * math.cos(w1) * math.sin(a),
    }



def flat(rows):
    return [v for row in rows for v in row]


@pytest.fixture
def resqunn_stdin(resqunn):
    """Like the resqunn fixture, with text on stdin."""
    def call(*args, input="", mpi_ranks=None):
        cmd = [resqunn.binary, *map(str, args)]
        if mpi_ranks:
            mpiexec = os.environ.get("MPIEXEC") or shutil.which("mpiexec")
            cmd = [mpiexec, "-n", str(mpi_ranks), *cmd]
        return subprocess.run(cmd, input=input, capture_output=True, text=True,
                              env=resqunn.env, timeout=120)
    return call


@pytest.mark.parametrize("evaluator", ["statevector", "compiled", "auto"])
def test_one_qubit_matches_closed_form(resqunn_stdin, evaluator):
    req = {"qubits": 1, "depth": 1, "weights": [0.7, -1.1], "evaluator": evaluator,
           "inputs": [[0.3], [-0.8]], "upstream": [[1.0], [2.0]]}
    r = resqunn_stdin("circuit", input=json.dumps(req))
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    # The response says what ran: auto resolves to one of the two.
    assert out["evaluator"] in (["statevector", "compiled"] if evaluator == "auto" else [evaluator])
    e0, e1 = one_qubit(0.3, 0.7, -1.1), one_qubit(-0.8, 0.7, -1.1)
    assert flat(out["outputs"]) == pytest.approx([e0["out"], e1["out"]], abs=1e-14)
    assert flat(out["input_grads"]) == pytest.approx([e0["dx"], 2 * e1["dx"]], abs=1e-13)
    assert out["weight_grads"] == pytest.approx(
        [e0["dw0"] + 2 * e1["dw0"], e0["dw1"] + 2 * e1["dw1"]], abs=1e-13)


def test_without_upstream_only_outputs(resqunn_stdin, tmp_path):
    req = {"qubits": 2, "ansatz": "basic-entangler", "depth": 1, "weights": [0.0, 0.0],
           "inputs": [[0.0, 1.0]]}
    f = tmp_path / "req.json"
    f.write_text(json.dumps(req))
    r = resqunn_stdin("circuit", f)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    # RY(pi) flips qubit 1 to |1>; CNOT(0 -> 1) does nothing with qubit 0 in |0>.
    assert flat(out["outputs"]) == pytest.approx([1.0, -1.0], abs=1e-14)
    assert "weight_grads" not in out


def test_amplitude_inputs_are_padded_and_normalised(resqunn_stdin):
    # Amplitudes (3, 4) on 2 qubits -> state (0.6, 0.8, 0, 0); basic-entangler
    # with zero weights is a CNOT(0 -> 1): |01> -> |11>. Probabilities over
    # both qubits: P(00) = 0.36, P(11) = 0.64.
    req = {"qubits": 2, "encoding": "amplitude", "ansatz": "basic-entangler", "depth": 1,
           "readout": "probabilities", "weights": [0.0, 0.0], "inputs": [[3.0, 4.0]]}
    r = resqunn_stdin("circuit", input=json.dumps(req))
    assert r.returncode == 0, r.stderr
    assert flat(json.loads(r.stdout)["outputs"]) == pytest.approx([0.36, 0.0, 0.0, 0.64], abs=1e-14)


def test_both_evaluators_agree(resqunn_stdin):
    """Four qubits, strongly-entangling depth 3, RX encoding: outputs and
    input gradients to 1e-12, weight gradients to 1e-10 relative."""
    import random
    rng = random.Random(5)
    req = {"qubits": 4, "ansatz": "strongly-entangling", "depth": 3, "rotation": "rx",
           "weights": [rng.uniform(-3, 3) for _ in range(36)],
           "inputs": [[rng.uniform(-1, 1) for _ in range(4)] for _ in range(5)],
           "upstream": [[rng.uniform(-1, 1) for _ in range(4)] for _ in range(5)]}
    answers = {}
    for evaluator in ("statevector", "compiled"):
        r = resqunn_stdin("circuit", input=json.dumps({**req, "evaluator": evaluator}))
        assert r.returncode == 0, r.stderr
        answers[evaluator] = json.loads(r.stdout)
        assert answers[evaluator]["evaluator"] == evaluator
    sv, cp = answers["statevector"], answers["compiled"]
    assert flat(cp["outputs"]) == pytest.approx(flat(sv["outputs"]), abs=1e-12)
    assert flat(cp["input_grads"]) == pytest.approx(flat(sv["input_grads"]), abs=1e-12)
    assert cp["weight_grads"] == pytest.approx(sv["weight_grads"], rel=1e-10, abs=1e-10)


@pytest.mark.parametrize("request_text, expected", [
    ('{"qubits": 1, "evaluator": "compield", "weights": [1, 2], "inputs": [[0]]}',
     "did you mean 'compiled'"),
    ('{"qubits": 12, "encoding": "amplitude", "readout": "probabilities", '
     '"evaluator": "compiled", "weights": [' + ", ".join(["0"] * 24) + '], "inputs": [[1]]}',
     'evaluator = \"statevector\"'),
    ('{"qubits": 1, "weights": [0.1', "invalid JSON at byte"),
    ('[1, 2]', "must be a JSON object"),
    ('{"qubit": 1}', 'did you mean "qubits"'),
    ('{"qubits": "four"}', '"qubits" must be an integer'),
    ('{"qubits": 13, "weights": [], "inputs": [[0]]}', "qubits = 13"),
    ('{"qubits": 1, "ansatz": "fancy", "weights": [], "inputs": [[0]]}', "unknown ansatz"),
    ('{"qubits": 1, "inputs": [[0]]}', '"weights" is missing'),
    ('{"qubits": 1, "weights": [1], "inputs": [[0]]}', "this circuit has 2"),
    ('{"qubits": 1, "weights": [1, 2], "inputs": [[0, 1]]}', '"inputs"[0] has 2 values'),
    ('{"qubits": 1, "weights": [1, 2], "inputs": [[0]], "upstream": [[1], [2]]}',
     '"upstream" has 2 rows'),
    ('{"qubits": 1, "weights": [1, "x"], "inputs": [[0]]}', '"weights"[1] must be a number'),
    # beyond a double: the field and the literal, not a library message
    ('{"qubits": 1, "weights": [1, 1e400], "inputs": [[0]]}',
     '"weights"[1]: the number 1e400 is outside the range of a double'),
    ('{"qubits": 1, "weights": [1, 2], "inputs": [[0], [-2e999]]}',
     '"inputs"[1][0]: the number -2e999 is outside the range'),
    # duplicate fields are refused, not "the last one wins"
    ('{"qubits": 1, "weights": [1, 2], "inputs": [[0]], "qubits": 2}',
     '"qubits": duplicate field'),
])
def test_bad_requests_exit_2_and_say_why(resqunn_stdin, request_text, expected):
    r = resqunn_stdin("circuit", input=request_text)
    assert r.returncode == EXIT_USAGE, (r.stdout, r.stderr)
    assert expected in r.stderr
    assert r.stdout == ""


def test_missing_file_is_a_usage_error(resqunn_stdin, tmp_path):
    r = resqunn_stdin("circuit", tmp_path / "nope.json")
    assert r.returncode == EXIT_USAGE
    assert "nope.json" in r.stderr


def test_under_mpirun_answers_once(resqunn_stdin, tmp_path):
    f = tmp_path / "req.json"
    f.write_text(json.dumps({"qubits": 1, "weights": [0.7, -1.1], "inputs": [[0.3]]}))
    r = resqunn_stdin("circuit", f, mpi_ranks=2)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["outputs"][0][0] == pytest.approx(one_qubit(0.3, 0.7, -1.1)["out"], abs=1e-14)
