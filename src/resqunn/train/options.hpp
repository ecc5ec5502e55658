// What a training run is, besides the model: which data, which optimizer,
// how long, what to trace. Plain data, filled from TOML by the config
// component; defaults are documented in docs/config.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace resqunn::train {

struct DataOptions {
  std::string dataset = "mnist";  // data::datasets(): "mnist", "fashion-mnist"
  /// Side length after average pooling of the 28x28 images: 28, 14 or 7.
  int image_size = 14;
  /// Classes to keep (relabelled 0..k-1 in this order); empty = all.
  std::vector<int> classes;
  /// Images drawn (stratified, seeded) from the dataset's "train" split.
  int train = 1000;
  int validation = 250;
  std::uint64_t seed = 1;
};

enum class OptimizerKind : std::uint8_t { adam, sgd };

struct OptimizerOptions {
  OptimizerKind kind = OptimizerKind::adam;
  double lr = 0.005;
  double beta1 = 0.9;     // adam
  double beta2 = 0.999;   // adam
  double eps = 1e-8;      // adam
  double momentum = 0.0;  // sgd
};

struct TrainOptions {
  OptimizerOptions optimizer;
  int batch_size = 32;
  /// Images per gradient micro-batch. A batch's gradient is the sum of its
  /// micro-batches' gradients in micro-batch order, so the result does not
  /// depend on how micro-batches are spread over threads or MPI ranks.
  int micro_batch = 8;
  int epochs = 5;
  /// Seeds the shuffling of the training set (one stream per epoch).
  std::uint64_t seed = 1;
};

struct TraceOptions {
  /// Also store every step's full weight-gradient vector.
  bool full = false;
};

std::string_view to_string(OptimizerKind k) noexcept;
/// Throws UsageError listing the valid names.
OptimizerKind parse_optimizer(std::string_view name);

}  // namespace resqunn::train
