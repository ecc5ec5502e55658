// What each evaluator costs per circuit, and the choice Evaluator::automatic
// makes from it. A model of one forward + VJP on one core, fitted to
// bench/bench_circuits (the fit and its data: docs/benchmarks.md,
// "Evaluator cost model"):
//   state vector  a0 + (a1 * R + a2) * 2^n
//   compiled      b0 + b1 * K * M + b2 * G * 4^n * K / B
// (b1 becomes b3 when the caller wants no input gradients)
// with R the rotations run on the full state (angle encoding runs those
// before the first two-qubit gate on the product state's 2-vectors), a2 the
// encoding and readout per amplitude, G the ansatz gates, K observables, M
// moments per observable (3^n angle, 4^n amplitude),
// B circuits per call: the last term is the per-call compile and
// weight-gradient pass on 4^n Pauli coefficients, amortised over the batch.
// Pure host code, no Kokkos: model/plan uses it.
#pragma once

#include "resqunn/quantum/circuit.hpp"

namespace resqunn::quantum {

/// The batch auto assumes where the caller does not say (a micro-batch of
/// 20 images of 14x14 with a 2x2 window: 980 circuits; more is cheaper for
/// the compiled evaluator).
inline constexpr long kDefaultCostBatch = 1024;

struct EvaluatorCosts {
  double statevector_ns = 0.0;  // per circuit, forward + VJP
  double compiled_ns = 0.0;     // per circuit, forward + VJP, compile amortised
  bool compiled_fits = false;   // within the compiled evaluator's limits
};

/// Throws UsageError for an invalid spec. Without `input_grads` the VJP is
/// costed as callers whose inputs are data run it (BatchedCircuit::vjp with
/// an empty input_grads), which the compiled evaluator does for less.
EvaluatorCosts evaluator_costs(const CircuitSpec& spec, long batch = kDefaultCostBatch,
                               bool input_grads = true);

/// spec.evaluator unless it is automatic; then the cheaper of the two
/// (compiled only where it fits).
Evaluator choose_evaluator(const CircuitSpec& spec, long batch = kDefaultCostBatch,
                           bool input_grads = true);
/// The same choice from costs already estimated for `spec`.
Evaluator choose_evaluator(const CircuitSpec& spec, const EvaluatorCosts& costs);

/// `spec` with its evaluator chosen.
CircuitSpec resolve_evaluator(CircuitSpec spec, long batch = kDefaultCostBatch);

}  // namespace resqunn::quantum
