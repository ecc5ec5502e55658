#include "resqunn/sweep/cost.hpp"

#include "resqunn/model/plan.hpp"

namespace resqunn::sweep {

namespace {

// Units of one circuit: every gate updates all 2^n amplitudes (the state
// vector's work), scaled by the measured cost ratio when the plan chose the
// compiled evaluator (quantum/evaluator_cost.hpp).
double circuit_units(const quantum::CircuitSpec& circuit, int gates,
                     const quantum::EvaluatorCosts& costs) {
  const double units = static_cast<double>(1L << circuit.qubits) * gates;
  if (circuit.evaluator != quantum::Evaluator::compiled || costs.statevector_ns <= 0) return units;
  return units * costs.compiled_ns / costs.statevector_ns;
}

// A training step runs the forward, then (if needed) an adjoint pass:
// forward + VJP, about 3x a forward (model.hpp, docs/benchmarks.md).
constexpr double kAdjointFactor = 4.0;

}  // namespace

CostEstimate estimate_cost(const config::RunConfig& config) {
  const model::ModelPlan plan = runner::model_plan(config);
  CostEstimate e;
  for (const model::LayerPlan& l : plan.layers) {
    LayerCost c;
    c.name = l.name;
    c.input = l.input;
    c.output = l.output;
    c.qubits = l.circuit.qubits;
    c.gates = l.gates;
    c.circuits_per_image = l.circuits_per_image;
    c.circuit_cost = circuit_units(l.circuit, c.gates, l.costs);
    c.adjoint = l.adjoint;
    const double forward = static_cast<double>(c.circuits_per_image) * c.circuit_cost;
    e.forward_per_image += forward;
    e.train_per_image += forward * (c.adjoint ? kAdjointFactor : 1.0);
    e.layers.push_back(c);
  }

  const model::HeadPlan& head = plan.head;
  e.head_input = head.input;
  if (head.spec.kind == model::HeadKind::dense) {
    const double fk = static_cast<double>(head.features) * head.classes;
    e.head_forward = fk;
    e.head_train = fk * (2.0 + (head.input_grad ? 1.0 : 0.0));  // forward, dW, dX
  } else {
    e.head_forward = circuit_units(head.circuit, head.gates, head.costs);
    e.head_train = kAdjointFactor * e.head_forward;  // the head's weights always train
  }
  e.forward_per_image += e.head_forward;
  e.train_per_image += e.head_train;
  e.total = static_cast<double>(config.train.epochs) *
            (static_cast<double>(config.data.train) * e.train_per_image +
             static_cast<double>(config.data.validation) * e.forward_per_image);
  return e;
}

double estimated_cost(const runner::Point& point) { return estimate_cost(point.config).total; }

}  // namespace resqunn::sweep
