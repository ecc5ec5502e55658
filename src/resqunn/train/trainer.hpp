// The training loop: seeded shuffling, mini-batches made of fixed
// micro-batches, the optimizer, validation, per-epoch metrics and per-step
// gradient traces. What happens to the records (log lines, HDF5) is the
// observer's business.
#pragma once

#include "resqunn/model/model.hpp"
#include "resqunn/train/dataset.hpp"
#include "resqunn/train/optimizer.hpp"
#include "resqunn/train/options.hpp"
#include "resqunn/train/reducer.hpp"

#include <cstdint>
#include <vector>

namespace resqunn::train {

/// Size of one parameter group's weight gradient.
struct GradientStats {
  double norm = 0.0;      // L2 norm
  double mean_abs = 0.0;  // mean |g|
  double max_abs = 0.0;   // max |g|
};

GradientStats gradient_stats(const double* g, int count);

struct StepRecord {
  std::int64_t step = 0;  // 0-based, counted over the whole run
  int epoch = 0;
  double loss = 0.0;                  // mean cross-entropy of the batch
  std::vector<GradientStats> groups;  // one per model parameter group
  std::vector<double> gradient;       // the full gradient (TraceOptions::full only)
};

struct EpochRecord {
  int epoch = 0;            // 0-based
  double train_loss = 0.0;  // mean over the epoch's images, with the weights of each step
  double train_acc = 0.0;
  double val_loss = 0.0;
  double val_acc = 0.0;
  std::vector<double> val_class_acc;    // per class (NaN for a class without images)
  std::vector<std::int64_t> confusion;  // classes x classes, [true][predicted]
  double wall_s = 0.0;
  double images_per_s = 0.0;  // training images per second of the epoch
  // Bytes this process's circuit calls copied between host and device memory
  // in the epoch (training and validation; model::Work): per-circuit data
  // and parameters. 0 on CPU backends, where the kernels read the model's
  // arrays in place.
  std::int64_t circuit_bytes_moved = 0;
  std::int64_t parameter_bytes_moved = 0;
};

/// Everything needed to continue a run exactly where it stopped, also in
/// the middle of an epoch (the shuffle depends on (seed, epoch) only).
struct TrainerState {
  int epochs_done = 0;
  std::int64_t steps_done = 0;  // over the whole run, including the current epoch's
  std::vector<double> parameters;
  OptimizerState optimizer;
  double best_val_acc = -1.0;
  // The current epoch's running sums (zero at an epoch boundary).
  double epoch_loss_sum = 0.0;
  std::int64_t epoch_correct = 0;
  double epoch_wall_s = 0.0;
};

class TrainingObserver {
public:
  virtual ~TrainingObserver() = default;
  virtual void on_step(const StepRecord&) {}
  /// After the epoch's validation; `state` is the checkpoint to resume from.
  virtual void on_epoch(const EpochRecord&, const TrainerState&) {}
  /// Asked after every step (on every worker: the answer must agree);
  /// true stops the run right there, resumable from Trainer::state().
  virtual bool stop_requested() { return false; }
};

class Trainer {
public:
  /// Throws UsageError on invalid options (batch sizes, epochs). Without a
  /// reducer the trainer works alone (LocalReducer).
  Trainer(model::Model& model, const TrainingData& data, const TrainOptions& options,
          const TraceOptions& trace, BatchReducer* reducer = nullptr);

  int steps_per_epoch() const noexcept;
  /// Trains the remaining epochs; returns false if the observer stopped it
  /// early (after a step; state() then resumes it).
  bool run(TrainingObserver* observer = nullptr);

  /// Validation pass with the current parameters (collective over the
  /// reducer's workers).
  EpochRecord validate();

  const TrainerState& state() const noexcept { return state_; }
  /// Continue from a checkpoint (UsageError if it does not fit the model).
  void restore(const TrainerState& state);

private:
  /// Loss sum and correct count of the batch; `grad` = gradient of its mean loss.
  Partial train_batch(const std::vector<std::size_t>& order, std::size_t first, std::size_t count);

  model::Model& model_;
  LocalReducer local_;
  BatchReducer* reducer_;
  const TrainingData& data_;
  TrainOptions options_;
  TraceOptions trace_;
  Optimizer optimizer_;
  TrainerState state_;
};

}  // namespace resqunn::train
