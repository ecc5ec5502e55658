#include "resqunn/quantum/evaluator_cost.hpp"

#include "resqunn/quantum/detail/compiled_evaluator.hpp"
#include "resqunn/quantum/detail/pauli_program.hpp"

#include <algorithm>
#include <vector>

namespace resqunn::quantum {

namespace {

// Fitted by hand to bench/bench_circuits' BM_Evaluator rows on one core
// (Serial, forward + VJP, paper ansatz; docs/benchmarks.md, "Evaluator cost
// model", lists the rows and the model's prediction for each).
constexpr double kA0 = 28.0;
constexpr double kA1 = 0.67;
constexpr double kA2 = 5.5;
constexpr double kB0 = 15.0;
constexpr double kB1 = 0.26;
constexpr double kB2 = 2.2;
constexpr double kB3 = 0.15;

// Rotations the state-vector kernels run on the full state: all but those
// before the first two-qubit gate under angle encoding, which act on the
// product state's 2-vectors (detail/program.hpp). CNOTs move no data.
double full_state_rotations(const CircuitSpec& spec, const std::vector<Gate>& gates) {
  double count = 0;
  bool prefix = spec.encoding == Encoding::angle;
  for (const Gate& g : gates) {
    const bool two_qubit = g.kind == GateKind::cnot || g.kind == GateKind::cz;
    if (two_qubit) prefix = false;
    if (!two_qubit && !prefix) count += 1;
  }
  return count;
}

}  // namespace

EvaluatorCosts evaluator_costs(const CircuitSpec& spec, long batch, bool input_grads) {
  const std::vector<Gate> ansatz = ansatz_gates(spec);  // validates
  const double gates = static_cast<double>(ansatz.size());
  const double dim = static_cast<double>(1L << spec.qubits);
  const double observables = detail::observable_count(spec);
  const double moments = static_cast<double>(detail::moments_per_observable(spec));
  EvaluatorCosts c;
  c.statevector_ns = kA0 + (kA1 * full_state_rotations(spec, ansatz) + kA2) * dim;
  // Angle encoding's input gradients cost the compiled VJP a pass over the
  // K x M coefficients (sum_j g_j C_jP) and the reverse build; without them
  // the moments remain.
  const bool skip = !input_grads && spec.encoding == Encoding::angle;
  c.compiled_ns = kB0 + (skip ? kB3 : kB1) * observables * moments +
                  kB2 * gates * dim * dim * observables / static_cast<double>(std::max(1L, batch));
  c.compiled_fits = detail::compiled_supported(spec, detail::KernelShape::lanes);
  return c;
}

Evaluator choose_evaluator(const CircuitSpec& spec, long batch, bool input_grads) {
  if (spec.evaluator != Evaluator::automatic) return spec.evaluator;
  return choose_evaluator(spec, evaluator_costs(spec, batch, input_grads));
}

Evaluator choose_evaluator(const CircuitSpec& spec, const EvaluatorCosts& costs) {
  if (spec.evaluator != Evaluator::automatic) return spec.evaluator;
  return costs.compiled_fits && costs.compiled_ns < costs.statevector_ns ? Evaluator::compiled
                                                                         : Evaluator::statevector;
}

CircuitSpec resolve_evaluator(CircuitSpec spec, long batch) {
  spec.evaluator = choose_evaluator(spec, batch);
  return spec;
}

}  // namespace resqunn::quantum
