// Trains one point and records it: per-step gradient traces, per-epoch
// metrics, checkpoints and a summary in the results file, a progress line
// per epoch in the log. The point's row must already hold its info
// (write_point_info). A point with a checkpoint in the file continues from
// it, bit for bit as if it had never stopped.
#pragma once

#include "resqunn/io/results.hpp"
#include "resqunn/runner/point.hpp"
#include "resqunn/train/dataset.hpp"
#include "resqunn/train/reducer.hpp"

#include <filesystem>
#include <functional>
#include <string>

namespace resqunn::runner {

struct PointOutcome {
  bool finished = false;  // false: stopped early, checkpointed
  bool resumed = false;   // continued from a checkpoint
  int epochs_done = 0;
  double best_val_acc = 0.0;
  double final_val_acc = 0.0;
  double wall_s = 0.0;  // over every run of the point
  double io_s = 0.0;    // of this run, spent writing the results file
};

struct PointContext {
  /// Point index in the file. Every worker reads the checkpoint from
  /// `file`; only the one with `writer` set writes.
  int index = 0;
  io::ResultsFile* file = nullptr;
  bool writer = true;
  /// Prefix of log lines, e.g. "point 3/12 (id)"; empty for none.
  std::string label;
  /// Combines micro-batches across workers (null: this process alone).
  train::BatchReducer* reducer = nullptr;
  /// Asked after every step; must give the same answer on every worker.
  std::function<bool()> stop_requested;
};

/// Trains the point on `data` and records it.
PointOutcome train_point(const Point& point, const train::TrainingData& data,
                         const PointContext& ctx);

}  // namespace resqunn::runner
