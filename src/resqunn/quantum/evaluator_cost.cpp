#include "resqunn/quantum/evaluator_cost.hpp"

#include "resqunn/quantum/detail/compiled_evaluator.hpp"
#include "resqunn/quantum/detail/pauli_program.hpp"

#include <algorithm>

namespace resqunn::quantum {

namespace {

// Fitted by hand to bench/bench_circuits' BM_Evaluator rows on one core
// (Serial, forward + VJP, paper ansatz; docs/benchmarks.md, "Evaluator cost
// model", lists the rows and the model's prediction for each).
constexpr double kA0 = 25.0;
constexpr double kA1 = 0.37;
constexpr double kB0 = 25.0;
constexpr double kB1 = 0.5;
constexpr double kB2 = 1.0;

// Host lanes: the limits are checked for the widest chunks.
constexpr int kHostLanes = 8;

}  // namespace

EvaluatorCosts evaluator_costs(const CircuitSpec& spec, long batch) {
  const double gates = static_cast<double>(ansatz_gates(spec).size());  // validates
  const double dim = static_cast<double>(1L << spec.qubits);
  const double observables = detail::observable_count(spec);
  const double moments = static_cast<double>(detail::moments_per_observable(spec));
  EvaluatorCosts c;
  c.statevector_ns = kA0 + kA1 * gates * dim;
  c.compiled_ns = kB0 + kB1 * observables * moments +
                  kB2 * gates * dim * dim * observables / static_cast<double>(std::max(1L, batch));
  c.compiled_fits = detail::compiled_supported(spec, kHostLanes);
  return c;
}

Evaluator choose_evaluator(const CircuitSpec& spec, long batch) {
  if (spec.evaluator != Evaluator::automatic) return spec.evaluator;
  const EvaluatorCosts c = evaluator_costs(spec, batch);
  return c.compiled_fits && c.compiled_ns < c.statevector_ns ? Evaluator::compiled
                                                             : Evaluator::statevector;
}

CircuitSpec resolve_evaluator(CircuitSpec spec, long batch) {
  spec.evaluator = choose_evaluator(spec, batch);
  return spec;
}

}  // namespace resqunn::quantum
