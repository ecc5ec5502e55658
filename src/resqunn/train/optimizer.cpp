#include "resqunn/train/optimizer.hpp"

#include "resqunn/core/error.hpp"

#include <cmath>
#include <string>

namespace resqunn::train {

Optimizer::Optimizer(const OptimizerOptions& options, std::vector<bool> trainable)
    : o_(options), trainable_(std::move(trainable)) {
  state_.m.assign(trainable_.size(), 0.0);
  if (o_.kind == OptimizerKind::adam) state_.v.assign(trainable_.size(), 0.0);
}

void Optimizer::step(std::vector<double>& params, const std::vector<double>& grad) {
  const std::size_t n = trainable_.size();
  if (params.size() != n || grad.size() != n) {
    throw UsageError("optimizer built for " + std::to_string(n) + " parameters got " +
                     std::to_string(params.size()));
  }
  ++state_.steps;
  if (o_.kind == OptimizerKind::adam) {
    // Bias corrections folded into the step size (Kingma & Ba, section 2).
    const double t = static_cast<double>(state_.steps);
    const double c1 = 1.0 - std::pow(o_.beta1, t);
    const double c2 = 1.0 - std::pow(o_.beta2, t);
    for (std::size_t i = 0; i < n; ++i) {
      if (!trainable_[i]) continue;
      state_.m[i] = o_.beta1 * state_.m[i] + (1.0 - o_.beta1) * grad[i];
      state_.v[i] = o_.beta2 * state_.v[i] + (1.0 - o_.beta2) * grad[i] * grad[i];
      params[i] -= o_.lr * (state_.m[i] / c1) / (std::sqrt(state_.v[i] / c2) + o_.eps);
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      if (!trainable_[i]) continue;
      state_.m[i] = o_.momentum * state_.m[i] + grad[i];
      params[i] -= o_.lr * state_.m[i];
    }
  }
}

void Optimizer::restore(const OptimizerState& state) {
  const std::size_t n = trainable_.size();
  const bool adam = o_.kind == OptimizerKind::adam;
  if (state.m.size() != n || state.v.size() != (adam ? n : 0) || state.steps < 0) {
    throw UsageError("optimizer state does not fit this model (" + std::to_string(state.m.size()) +
                         " values for " + std::to_string(n) + " parameters)",
                     "resume only with the configuration that wrote the checkpoint");
  }
  state_ = state;
}

}  // namespace resqunn::train
