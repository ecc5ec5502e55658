// Test data for results files, shared by the serial tests, the MPI tests
// and the helper processes that write a file and are killed: every value a
// point can have, as a function of the point (and epoch, step, checkpoint
// number), so that a reader can check a file without knowing who wrote it.
#pragma once

#include "resqunn/io/results.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace resqunn::io::testing {

inline ResultsLayout small_layout(int points = 3) {
  ResultsLayout layout;
  layout.points = points;
  layout.epochs = 4;
  layout.steps = 5;
  layout.trace_layers = {"QCL1", "head"};
  layout.class_names = {"zero", "one", "two"};
  layout.max_weights = 10;
  layout.full_traces = true;
  layout.param_names = {"model.residual", "train.optimizer.lr"};
  return layout;
}

inline Provenance fixed_provenance() {
  Provenance p;
  p.resqunn_version = "0.1.0";
  p.git_sha = "0123456789abcdef0123456789abcdef01234567";
  p.git_dirty = true;
  p.compiler = "GNU 12.2.0";
  p.build_type = "Release";
  p.kokkos_version = "3.4.1";
  p.kokkos_backends = "OpenMP,Serial";
  p.mpi_version = "Open MPI v4.1.4";
  p.mpi_size = 3;
  p.hdf5_version = "1.10.8";
  p.host = "node01";
  p.slurm_job_id = "12345";
  p.slurm_array_job_id = "12340";
  p.slurm_array_task_id = "5";
  p.start_time_utc = "2024-05-01T12:00:00Z";
  return p;
}

inline const char* const kSpec = "[model]\nname = \"résumé\"\n[sweep]\nlr = [0.1, 0.01]\n";

// Point p has 4 + p % 7 weights over the two trace layers (at most 10).
inline int weights_of(int p) { return 4 + p % 7; }

inline PointInfo info_for(int p) {
  PointInfo info;
  info.id = "point-" + std::to_string(p);
  info.config_toml = "[train]\nseed = " + std::to_string(p) + "\n";
  info.config_sha256 = std::string(64, static_cast<char>('a' + p % 26));
  info.params = {p % 2 ? "true" : "false", std::to_string(0.1 / (p + 1))};
  info.weight_count = weights_of(p);
  info.layer_weight_offsets = {0, 3, weights_of(p)};
  return info;
}

inline EpochMetrics epoch_for(int p, int e) {
  EpochMetrics m;
  m.train_loss = 2.0 - 0.1 * e - p;
  m.train_acc = 0.5 + 0.01 * e;
  m.val_loss = 2.5 - 0.1 * e;
  m.val_acc = 0.4 + 0.02 * e + 0.001 * p;
  m.wall_s = 10.0 + e;
  m.images_per_s = 1000.0 * (p + 1);
  m.val_class_acc = {0.1 * e, 0.2, 0.3 + p};
  return m;
}

inline StepTrace step_for(int p, int s) {
  StepTrace t;
  t.norm = {1.0 + s, 2.0 + p};
  t.mean_abs = {0.1 * s, 0.2};
  t.max_abs = {3.0, 4.0 * s};
  for (int w = 0; w < weights_of(p); ++w) t.full.push_back(100.0 * s + w);
  t.loss = 1.0 / (s + 1);
  return t;
}

inline std::vector<std::int64_t> confusion_for(int p) { return {5, 1, 0, 2, 6, 1, 0, 0, 9 + p}; }

inline std::vector<double> weights_for(int p) {
  std::vector<double> weights;
  for (int w = 0; w < weights_of(p); ++w) weights.push_back(0.5 * w - p);
  return weights;
}

inline PointSummary summary_for(int p) { return {PointState::done, 4, 0.47 + p, 123.5}; }

// The k-th checkpoint of point p. Values with every mantissa bit in use
// (thirds, square roots), so that a round trip that is not bit for bit
// shows; odd points train with SGD (no second moment).
inline Checkpoint checkpoint_for(int p, int k) {
  Checkpoint c;
  c.epochs_done = k;
  c.steps_done = 3 + k;
  c.optimizer_steps = 100 * k + p;
  c.epoch_correct = 7 * k + p;
  c.epoch_loss_sum = k / 3.0 + p;
  c.best_val_acc = k == 0 ? std::numeric_limits<double>::quiet_NaN() : 0.3 + k / 7.0;
  c.wall_s = 1.5 * k + 0.1 * p;
  for (int w = 0; w < weights_of(p); ++w) {
    c.params.push_back(std::sqrt(2.0 + w) * (k + 1) - p);
    c.moment1.push_back((w - k) / 3.0);
    if (p % 2 == 0) c.moment2.push_back((w + 1) / (9.0 + k));
  }
  return c;
}

// Everything of point p, as a trainer writes it: epochs, steps in two
// parts, confusion, weights, checkpoints 0 and 1 (so both slots are used),
// and the summary last.
inline void write_point(ResultsFile& results, int p) {
  const auto layout = results.layout();
  for (int e = 0; e < layout.epochs; ++e) results.write_epoch(p, e, epoch_for(p, e));
  std::vector<StepTrace> steps;
  for (int s = 0; s < layout.steps; ++s) steps.push_back(step_for(p, s));
  results.write_steps(p, 0, {steps.begin(), steps.begin() + 2});
  results.write_steps(p, 2, {steps.begin() + 2, steps.end()});
  results.write_checkpoint(p, checkpoint_for(p, 0));
  results.write_confusion(p, confusion_for(p));
  results.write_weights(p, weights_for(p));
  results.write_checkpoint(p, checkpoint_for(p, 1));
  results.write_summary(p, summary_for(p));
}

}  // namespace resqunn::io::testing
