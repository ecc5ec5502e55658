#include "resqunn/runner/point.hpp"

#include "resqunn/core/error.hpp"
#include "resqunn/core/sha256.hpp"
#include "resqunn/data/catalog.hpp"

#include <algorithm>
#include <map>

namespace resqunn::runner {

std::string Point::canonical() const { return config::canonical_toml(config); }

Point make_point(const config::RunConfig& config) {
  Point p;
  p.config = config;
  // Where results go is not part of what a point is.
  p.config.output = config::OutputOptions{};
  const std::string keyed =
      "resqunn-point v" + std::to_string(config::kSchemaVersion) + "\n" + p.canonical();
  p.id = sha256_hex(keyed.data(), keyed.size()).substr(0, 16);
  return p;
}

model::Shape input_shape(const config::RunConfig& c) {
  return {1, c.data.image_size, c.data.image_size};
}

int class_count(const config::RunConfig& c) {
  return c.data.classes.empty() ? data::dataset_spec(c.data.dataset).num_classes
                                : static_cast<int>(c.data.classes.size());
}

std::vector<std::string> class_names(const config::RunConfig& c) {
  const auto& spec = data::dataset_spec(c.data.dataset);
  if (c.data.classes.empty()) return spec.class_names;
  std::vector<std::string> names;
  for (int k : c.data.classes) names.push_back(spec.class_names.at(k));
  return names;
}

model::ModelPlan model_plan(const config::RunConfig& c) {
  return model::plan_model(c.model, input_shape(c), class_count(c));
}

int total_steps(const config::RunConfig& c) {
  const int per_epoch = (c.data.train + c.train.batch_size - 1) / c.train.batch_size;
  return per_epoch * c.train.epochs;
}

io::ResultsLayout layout_for(const std::vector<Point>& points,
                             const std::vector<std::string>& param_names) {
  if (points.empty()) throw UsageError("a results file needs at least one point");
  io::ResultsLayout l;
  l.points = static_cast<int>(points.size());
  l.epochs = 0;
  l.steps = 0;
  l.param_names = param_names;
  std::size_t most_layers = 0;
  for (const auto& p : points) {
    const model::ModelPlan m = model_plan(p.config);
    l.epochs = std::max(l.epochs, p.config.train.epochs);
    l.steps = std::max(l.steps, total_steps(p.config));
    l.max_weights = std::max(l.max_weights, m.parameter_count());
    l.full_traces = l.full_traces || p.config.trace.full;
    most_layers = std::max(most_layers, m.groups.size());
    const auto names = class_names(p.config);
    if (l.class_names.empty()) {
      l.class_names = names;
    } else if (l.class_names != names) {
      throw UsageError("points of one results file must classify the same classes",
                       "split the sweep by dataset and data.classes");
    }
  }
  // Trace columns: QCL1..QCLn for the deepest model, then the head; a point
  // with fewer layers leaves its missing columns NaN.
  for (std::size_t k = 0; k + 1 < most_layers; ++k)
    l.trace_layers.push_back("QCL" + std::to_string(k + 1));
  l.trace_layers.push_back("head");
  l.validate();
  return l;
}

io::PointInfo point_info(const Point& p, const io::ResultsLayout& layout) {
  io::PointInfo info;
  info.id = p.id;
  info.config_toml = p.canonical();
  info.config_sha256 = sha256_hex(info.config_toml.data(), info.config_toml.size());
  std::map<std::string, std::string> flat;
  for (auto& [k, v] : config::flatten(p.config)) flat[k] = v;
  for (const auto& name : layout.param_names) {
    const auto it = flat.find(name);
    info.params.push_back(it == flat.end() ? "" : it->second);
  }
  const model::ModelPlan m = model_plan(p.config);
  info.weight_count = m.parameter_count();
  // Offsets per trace column: a shallower model's missing layers are empty.
  const auto& groups = m.groups;
  const int layers = static_cast<int>(groups.size()) - 1;
  const int columns = static_cast<int>(layout.trace_layers.size()) - 1;
  for (int k = 0; k < columns; ++k) {
    info.layer_weight_offsets.push_back(k < layers ? groups[k].offset : groups.back().offset);
  }
  info.layer_weight_offsets.push_back(groups.back().offset);
  info.layer_weight_offsets.push_back(m.parameter_count());
  return info;
}

}  // namespace resqunn::runner
