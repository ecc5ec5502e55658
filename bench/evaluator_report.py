#!/usr/bin/python3
"""Markdown tables of bench_circuits' BM_Evaluator rows (docs/benchmarks.md,
"Evaluators"): both evaluators at n = 4 over depth, the qubit sweep with the
winner measured and the one `auto` predicts, and the cost model's error.

The model and its constants are read from src/resqunn/quantum/evaluator_cost.cpp,
so the page shows what the code predicts, not a copy of it.

Usage: bench/evaluator_report.py circuits.json   (from --benchmark_out, with
--benchmark_repetitions: medians are used when present).
"""
import json
import re
import statistics
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def constants():
    text = (REPO / "src/resqunn/quantum/evaluator_cost.cpp").read_text()
    return {name: float(value)
            for name, value in re.findall(r"constexpr double (k[AB]\d) = ([0-9.eE+-]+);", text)}


def paper_gates(n, depth):
    ring = 0 if n == 1 else (1 if n == 2 else n)
    return depth * (2 * n + ring)


def predict(c, n, depth, batch, input_grads=True):
    """ns per circuit, forward + VJP, paper ansatz, angle encoding, expval-z.
    The first layer's 2n rotations come before any CNOT: the state-vector
    kernels run them on the product state, not the full state. Without
    input gradients the compiled VJP's moment term uses kB3."""
    gates = paper_gates(n, depth)
    full_state_rotations = 2 * n * (depth - 1) if n > 1 else 0
    sv = c["kA0"] + (c["kA1"] * full_state_rotations + c["kA2"]) * 2 ** n
    observables, moments = n, 3 ** n
    b1 = c["kB1"] if input_grads else c["kB3"]
    cp = c["kB0"] + b1 * observables * moments + c["kB2"] * gates * 4 ** n * observables / batch
    return sv, cp


def rows(path):
    data = json.loads(Path(path).read_text())
    runs = defaultdict(list)
    for b in data["benchmarks"]:
        if not b["name"].startswith("BM_Evaluator") or b.get("run_type") == "aggregate":
            continue
        args = dict(re.findall(r"(\w+):(\d+)", b["name"].split("/", 1)[1]))
        key = (int(args["compiled"]), int(args["qubits"]), int(args["depth"]), int(args["vjp"]))
        runs[key].append(b["ns_per_circuit"] * 1e9)  # the JSON holds seconds
    return {k: statistics.median(v) for k, v in runs.items()}


def ns(v):
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}"


def main(path):
    c = constants()
    r = rows(path)
    out = ["ns per circuit, Serial, paper ansatz, angle (RY) encoding, expval-z, batch 20,000; "
           "the weights change every call, so the compiled rows include their compile (and, with "
           "the VJP, their weight-gradient pass).", "",
           "| depth | state vector forward | compiled forward | state vector forward+VJP | "
           "compiled forward+VJP | compiled / state vector (forward+VJP) | state vector, no input "
           "gradients | compiled, no input gradients |",
           "|---|---|---|---|---|---|---|---|"]
    for d in sorted({k[2] for k in r if k[1] == 4}):
        sf, cf = r.get((0, 4, d, 0)), r.get((1, 4, d, 0))
        sv, cv = r.get((0, 4, d, 1)), r.get((1, 4, d, 1))
        sd, cd = r.get((0, 4, d, 2)), r.get((1, 4, d, 2))
        if None in (sf, cf, sv, cv):
            continue
        data = [ns(v) if v is not None else "" for v in (sd, cd)]
        out.append(f"| {d} | {ns(sf)} | {ns(cf)} | {ns(sv)} | {ns(cv)} | {cv / sv:.2f} | "
                   f"{data[0]} | {data[1]} |")
    out += ["", "Forward+VJP over qubits (batch 20,000 up to 6 qubits, 2,048 above): measured, "
            "the cost model's prediction (`evaluator_cost.cpp`), and the evaluator each says is "
            "cheaper.", "",
            "| depth | n | state vector | compiled | predicted state vector | predicted compiled | "
            "faster (measured) | auto picks |",
            "|---|---|---|---|---|---|---|---|"]
    errors = []
    for vjp, title in ((1, "with input gradients"), (2, "without input gradients (data inputs)")):
        if vjp == 2:
            out += ["", f"The same, {title}:", "",
                    "| depth | n | state vector | compiled | predicted state vector | "
                    "predicted compiled | faster (measured) | auto picks |",
                    "|---|---|---|---|---|---|---|---|"]
        for d in sorted({k[2] for k in r if k[1] != 4 or k[2] in (1, 4, 16)}):
            for n in sorted({k[1] for k in r}):
                sv, cv = r.get((0, n, d, vjp)), r.get((1, n, d, vjp))
                if sv is None or cv is None or d not in (1, 4, 16):
                    continue
                batch = 20000 if n <= 6 else 2048
                psv, pcv = predict(c, n, d, batch, vjp == 1)
                errors += [psv / sv, pcv / cv]
                fast = "compiled" if cv < sv else "state vector"
                pick = "compiled" if pcv < psv else "state vector"
                out.append(f"| {d} | {n} | {ns(sv)} | {ns(cv)} | {ns(psv)} | {ns(pcv)} | {fast} | "
                           f"{pick}{'' if fast == pick else ' (differs)'} |")
    if errors:
        out += ["", f"Prediction / measurement over these rows: median {statistics.median(errors):.2f}, "
                f"range {min(errors):.2f}–{max(errors):.2f}. Constants: "
                + ", ".join(f"`{k} = {v:g}`" for k, v in sorted(c.items())) + "."]
    print("\n".join(out))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
