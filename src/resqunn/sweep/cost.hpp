// Relative cost of training a point, from its config alone (no Kokkos, no
// data, no circuits built): what the scheduler balances and `sweep plan`
// prints. The unit is one amplitude update of one simulated circuit
// (one gate on 2^n amplitudes costs 2^n units); only ratios between points
// mean anything. The model: docs/sweeps.md, "Cost model".
#pragma once

#include "resqunn/config/run_config.hpp"
#include "resqunn/model/plan.hpp"
#include "resqunn/runner/point.hpp"

#include <string>
#include <vector>

namespace resqunn::sweep {

/// One quanvolution layer of a point's model, as the model will build it.
struct LayerCost {
  std::string name;  // "QCL1", ...
  model::Shape input, output;
  int qubits = 0;
  /// Gates of one circuit: encoding, ansatz and one readout pass.
  int gates = 0;
  /// Circuits per image (patches, times channels unless channel_mode = pool).
  long circuits_per_image = 0;
  /// Units per circuit: 2^qubits x gates, times the estimated compiled /
  /// state-vector cost ratio (LayerPlan::costs) where the plan chose the
  /// compiled evaluator.
  double circuit_cost = 0.0;
  /// Whether training runs an adjoint pass (forward + VJP, about 3x a
  /// forward) through the layer's circuits: model::LayerPlan::adjoint.
  bool adjoint = false;
};

struct CostEstimate {
  std::vector<LayerCost> layers;
  model::Shape head_input;
  /// Units per image for the head: forward, and one training step's
  /// forward + backward.
  double head_forward = 0.0;
  double head_train = 0.0;
  /// Units per image: a forward pass (validation), a training pass.
  double forward_per_image = 0.0;
  double train_per_image = 0.0;
  /// epochs x (train images x train_per_image + validation images x
  /// forward_per_image).
  double total = 0.0;
};

/// The estimate for `config`, from its model's plan (runner::model_plan):
/// throws the plan's UsageErrors for a model that cannot be built.
CostEstimate estimate_cost(const config::RunConfig& config);

/// estimate_cost(point.config).total.
double estimated_cost(const runner::Point& point);

}  // namespace resqunn::sweep
