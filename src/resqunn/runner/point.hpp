// One trainable point: a validated config, its canonical text and its id,
// and how it maps onto a results file (layout, point info). Shared by
// `resqunn train` (one point) and sweeps (many).
#pragma once

#include "resqunn/config/run_config.hpp"
#include "resqunn/io/results.hpp"
#include "resqunn/model/plan.hpp"

#include <string>
#include <vector>

namespace resqunn::runner {

struct Point {
  config::RunConfig config;  // output.path reset to the default
  /// First 16 hex digits of SHA-256 over "resqunn-point v<schema>\n" +
  /// canonical(): stable across runs, machines and key order in the file.
  std::string id;
  /// config::canonical_toml(config), made on demand: a sweep of 10^6
  /// points should not hold 10^6 copies of a kilobyte of TOML.
  std::string canonical() const;
};

Point make_point(const config::RunConfig& config);

/// Input shape and class count a point's model is built for (no data read).
model::Shape input_shape(const config::RunConfig& config);
int class_count(const config::RunConfig& config);
std::vector<std::string> class_names(const config::RunConfig& config);

/// The plan of the point's model (model/plan.hpp): its shapes, circuits,
/// parameter groups and gradient passes. Throws UsageError for a model
/// that cannot be built for this data.
model::ModelPlan model_plan(const config::RunConfig& config);

/// Optimiser steps a point takes over all its epochs.
int total_steps(const config::RunConfig& config);

/// The results-file layout that holds `points` (sizes are the maxima over
/// the points; trace layers and classes must agree, else UsageError).
/// `param_names` are the hyperparameter columns (flattened config keys).
io::ResultsLayout layout_for(const std::vector<Point>& points,
                             const std::vector<std::string>& param_names);

/// The point's row of the /points table for `layout`.
io::PointInfo point_info(const Point& point, const io::ResultsLayout& layout);

}  // namespace resqunn::runner
