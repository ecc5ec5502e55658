// Expanding a sweep spec: the grids' combinations (row-major or zipped)
// and the explicit points, each validated as a run config (which plans its
// model), in a fixed order and with unique ids.
#include "resqunn/config/toml.hpp"
#include "resqunn/core/text.hpp"
#include "resqunn/runner/point.hpp"
#include "resqunn/sweep/detail/spec_parser.hpp"

#include <spdlog/spdlog.h>

namespace resqunn::sweep::detail {

void Parser::expand() {
  if (axes_.axes.empty() && grids_.empty() && explicit_points_.empty()) {
    add_point({});  // neither axes nor points: the base is the one point
  }
  expand_grid(axes_);
  spec_.axis_points = spec_.points.size();
  for (const auto& grid : grids_) expand_grid(grid);
  grid_name_.clear();
  for (auto& p : explicit_points_) add_point(std::move(p));
}

void Parser::expand_grid(const Grid& grid) {
  if (grid.axes.empty()) return;
  const std::string& where = grid.where;
  // The assignments of value v of an axis: one, or one per leaf of a table value.
  const auto assignments_of = [](const Axis& axis, std::size_t v) {
    std::vector<Assignment> out;
    toml::node* value = axis.values->get(v);
    if (auto* t = value->as_table()) {
      collect_leaves(*t, axis.key, out);
    } else {
      out.push_back({axis.key, value});
    }
    return out;
  };

  std::size_t combinations = 0;
  if (grid.combine == "zip") {
    combinations = grid.axes.front().values->size();
    for (const auto& axis : grid.axes) {
      if (axis.values->size() != combinations) {
        fail(axis.node, where + "." + axis.key,
             std::to_string(axis.values->size()) + " values, but " + where + "." +
                 grid.axes.front().key + " has " + std::to_string(combinations),
             "combine = \"zip\" takes the i-th value of every axis together: give every axis "
             "the same number of values, or use combine = \"grid\"");
      }
    }
  } else {
    combinations = 1;
    for (const auto& axis : grid.axes) {
      if (combinations > kMaxPoints / axis.values->size()) {
        fail(axis.node, where, "the grid has more than " + std::to_string(kMaxPoints) + " points",
             "use fewer axes or values, or combine = \"zip\"");
      }
      combinations *= axis.values->size();
    }
  }
  if (spec_.points.size() + combinations + explicit_points_.size() > kMaxPoints) {
    fail(nullptr, "", "the sweep has more than " + std::to_string(kMaxPoints) + " points",
         "split it into several specs");
  }

  grid_name_ = grid.name;
  // Checking a point takes ~0.1 ms: say how far a large grid has got.
  constexpr std::size_t kProgressEvery = 100000;
  for (std::size_t c = 0; c < combinations; ++c) {
    if (c > 0 && c % kProgressEvery == 0) {
      spdlog::info("{}: {} of {} points of {} expanded and checked", source_, c, combinations,
                   where);
    }
    std::vector<Assignment> assignments = grid.base;
    if (grid.combine == "zip") {
      for (const auto& axis : grid.axes) {
        auto a = assignments_of(axis, c);
        assignments.insert(assignments.end(), a.begin(), a.end());
      }
    } else {
      // Row-major: the first axis varies slowest.
      std::vector<std::size_t> index(grid.axes.size());
      std::size_t rest = c;
      for (std::size_t k = grid.axes.size(); k-- > 0;) {
        index[k] = rest % grid.axes[k].values->size();
        rest /= grid.axes[k].values->size();
      }
      for (std::size_t k = 0; k < grid.axes.size(); ++k) {
        auto a = assignments_of(grid.axes[k], index[k]);
        assignments.insert(assignments.end(), a.begin(), a.end());
      }
    }
    add_point(std::move(assignments));
  }
}

void Parser::add_point(std::vector<Assignment> assignments) {
  const std::size_t index = spec_.points.size();
  std::vector<std::string> overrides;
  overrides.reserve(assignments.size());
  for (const auto& a : assignments) overrides.push_back(a.key + "=" + config::value_text(*a.value));
  const std::string label =
      "point " + std::to_string(index) + " (" + describe_overrides(overrides) + ")";
  const std::string labelled = source_ + ": " + label;

  // Re-throws `e` (whose message starts with `prefix`) at the position of
  // the override it names, if any.
  const auto relocate = [&](const UsageError& e, const std::string& prefix) -> UsageError {
    std::string rest = e.problem();
    if (rest.compare(0, prefix.size(), prefix) == 0) rest = rest.substr(prefix.size());
    const toml::node* at = nullptr;
    for (const auto& a : assignments) {
      if (names_key(rest, a.key)) at = a.value;
    }
    return UsageError(position(source_, at) + ": " + label + ": " + rest, e.fix());
  };

  toml::table table = base_;  // a copy: no source positions
  config::RunConfig config;
  for (const auto& a : assignments) {
    try {
      set_copy(table, a.key, *a.value);
    } catch (const UsageError& e) {
      throw UsageError(position(source_, a.value) + ": " + label + ": " + e.problem(), e.fix());
    }
  }
  try {
    config = config::from_table(table, labelled);  // plans the model too
  } catch (const UsageError& e) {
    throw relocate(e, labelled + ": ");
  }
  config.output = config::OutputOptions{};

  runner::Point point = runner::make_point(config);
  if (index > 0) {
    const auto& first = spec_.points.front().config;
    if (runner::class_names(config) != runner::class_names(first)) {
      throw UsageError(position(source_, nullptr) + ": " + label + ": classifies " +
                           join(runner::class_names(config)) + ", but point 0 classifies " +
                           join(runner::class_names(first)),
                       "the points of one sweep share one results file and must classify the "
                       "same classes (data.dataset, data.classes): split the sweep");
    }
  }
  if (const auto it = ids_.find(point.id); it != ids_.end()) {
    throw UsageError(source_ + ": " + label + " is the same configuration as point " +
                         std::to_string(it->second) + " (" +
                         describe_overrides(spec_.overrides[it->second]) + "), id " + point.id,
                     "remove one of them; a value equal to the base's or the default counts as "
                     "the same configuration");
  }
  ids_.emplace(point.id, index);
  spec_.overrides.push_back(std::move(overrides));
  spec_.grids.push_back(grid_name_);
  spec_.points.push_back(std::move(point));
}

}  // namespace resqunn::sweep::detail
