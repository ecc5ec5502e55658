// Gradient-descent optimizers over the model's flat parameter vector.
// Their whole state is plain data (OptimizerState) so that a checkpoint can
// store it and a resumed run continues bit for bit.
#pragma once

#include "resqunn/train/options.hpp"

#include <cstdint>
#include <vector>

namespace resqunn::train {

struct OptimizerState {
  std::int64_t steps = 0;
  std::vector<double> m;  // adam: first moment; sgd: velocity
  std::vector<double> v;  // adam: second moment
};

class Optimizer {
public:
  /// `trainable[i]` false freezes parameter i (it never changes).
  Optimizer(const OptimizerOptions& options, std::vector<bool> trainable);

  /// One update: params -= step(grad).
  void step(std::vector<double>& params, const std::vector<double>& grad);

  const OptimizerState& state() const noexcept { return state_; }
  /// Throws UsageError if the state does not fit the parameter count.
  void restore(const OptimizerState& state);

private:
  OptimizerOptions o_;
  std::vector<bool> trainable_;
  OptimizerState state_;
};

}  // namespace resqunn::train
