// Trains one point and records it: per-step gradient traces, per-epoch
// metrics and a summary in the results file, a progress line per epoch in
// the log. The point's row must already hold its info (write_point_info).
#pragma once

#include <filesystem>
#include <string>

#include "resqunn/io/results.hpp"
#include "resqunn/runner/point.hpp"
#include "resqunn/train/dataset.hpp"

namespace resqunn::runner {

struct PointOutcome {
  bool finished = false;  // false: stopped early at an epoch end
  int epochs_done = 0;
  double best_val_acc = 0.0;
  double final_val_acc = 0.0;
  double wall_s = 0.0;
};

/// Loads the point's data from `data_dir`, trains it, and records it as
/// point `index` of `file`. Log lines are prefixed with `label` (e.g.
/// "point 3/12 (id)"); empty for none.
PointOutcome train_point(const Point& point, const std::filesystem::path& data_dir,
                         io::ResultsFile& file, int index, const std::string& label);

/// The same with data already loaded (sweeps share data between points).
PointOutcome train_point(const Point& point, const train::TrainingData& data,
                         io::ResultsFile& file, int index, const std::string& label);

}  // namespace resqunn::runner
