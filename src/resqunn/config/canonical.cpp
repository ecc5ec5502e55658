// The canonical form: one fixed rendering of a RunConfig, as TOML text and
// as flattened (key, value) pairs. Both come from the same list of entries,
// so the two can never disagree on keys or order.
#include "resqunn/config/detail/toml_text.hpp"
#include "resqunn/config/run_config.hpp"
#include "resqunn/core/error.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace resqunn::config {

namespace {

struct Entry {
  std::string key;
  std::string toml;   // the value as TOML
  std::string plain;  // the value for flatten(): strings unquoted
};

struct Table {
  std::string header;    // "model.head"
  bool element = false;  // [[header]]: an element of an array of tables
  std::string flat;      // "model.layers[1]" for elements, else header
  std::vector<Entry> entries;

  void text(const std::string& k, const std::string& v) {
    entries.push_back({k, detail::toml_string(v), v});
  }
  void raw(const std::string& k, const std::string& v) { entries.push_back({k, v, v}); }
  void name(const std::string& k, std::string_view v) { text(k, std::string(v)); }
  void integer(const std::string& k, long long v) { raw(k, std::to_string(v)); }
  void number(const std::string& k, double v) { raw(k, detail::toml_float(v)); }
  void boolean(const std::string& k, bool v) { raw(k, v ? "true" : "false"); }
  void seed(const std::string& k, std::uint64_t v) {
    if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      throw UsageError(flat + "." + k + " = " + std::to_string(v) + " does not fit a TOML integer",
                       "use a seed below 2^63");
    }
    raw(k, std::to_string(v));
  }
  template <class Int>
  void integers(const std::string& k, const std::vector<Int>& values) {
    std::string list = "[";
    for (std::size_t i = 0; i < values.size(); ++i) {
      list += (i == 0 ? "" : ", ") + std::to_string(values[i]);
    }
    raw(k, list + "]");
  }
};

Table table(const std::string& header) { return Table{header, false, header, {}}; }

std::vector<Table> canonical_tables(const RunConfig& c) {
  std::vector<Table> out;

  Table data_t = table("data");
  data_t.text("dataset", c.data.dataset);
  data_t.integer("image_size", c.data.image_size);
  data_t.integers("classes", c.data.classes);
  data_t.integer("train", c.data.train);
  data_t.integer("validation", c.data.validation);
  data_t.seed("seed", c.data.seed);
  out.push_back(std::move(data_t));

  Table model_t = table("model");
  std::vector<int> depths;
  for (const auto& layer : c.model.layers) depths.push_back(layer.depth);
  model_t.integers("depths", depths);
  model_t.text("residual", c.model.residual);
  model_t.name("gradient_mode", model::to_string(c.model.gradient_mode));
  model_t.seed("seed", c.model.seed);
  out.push_back(std::move(model_t));

  for (std::size_t i = 0; i < c.model.layers.size(); ++i) {
    const auto& q = c.model.layers[i];
    Table layer{"model.layers", true, "model.layers[" + std::to_string(i) + "]", {}};
    layer.integer("kernel", q.kernel);
    layer.integer("stride", q.stride);
    layer.name("padding", model::to_string(q.padding));
    layer.name("encoding", quantum::to_string(q.encoding));
    layer.name("angle_axis", quantum::to_string(q.angle_axis));
    layer.number("angle_scale", q.angle_scale);
    layer.name("ansatz", quantum::to_string(q.ansatz));
    layer.boolean("trainable", q.trainable);
    layer.name("channel_mode", model::to_string(q.channel_mode));
    layer.name("evaluator", quantum::to_string(q.evaluator));
    out.push_back(std::move(layer));
  }

  Table head_t = table("model.head");
  head_t.name("type", model::to_string(c.model.head.kind));
  head_t.name("ansatz", quantum::to_string(c.model.head.ansatz));
  head_t.integer("depth", c.model.head.depth);
  head_t.name("evaluator", quantum::to_string(c.model.head.evaluator));
  out.push_back(std::move(head_t));

  Table train_t = table("train");
  const auto& o = c.train.optimizer;
  train_t.name("optimizer", train::to_string(o.kind));
  train_t.number("lr", o.lr);
  train_t.number("beta1", o.beta1);
  train_t.number("beta2", o.beta2);
  train_t.number("eps", o.eps);
  train_t.number("momentum", o.momentum);
  train_t.integer("batch_size", c.train.batch_size);
  train_t.integer("micro_batch", c.train.micro_batch);
  train_t.integer("epochs", c.train.epochs);
  train_t.seed("seed", c.train.seed);
  out.push_back(std::move(train_t));

  Table trace_t = table("trace");
  trace_t.boolean("full", c.trace.full);
  out.push_back(std::move(trace_t));

  Table output_t = table("output");
  output_t.text("path", c.output.path);
  out.push_back(std::move(output_t));
  return out;
}

}  // namespace

std::string canonical_toml(const RunConfig& config) {
  std::string text;
  for (const auto& t : canonical_tables(config)) {
    if (!text.empty()) text += '\n';
    text += t.element ? "[[" + t.header + "]]\n" : "[" + t.header + "]\n";
    for (const auto& e : t.entries) text += e.key + " = " + e.toml + "\n";
  }
  return text;
}

std::vector<std::pair<std::string, std::string>> flatten(const RunConfig& config) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& t : canonical_tables(config)) {
    for (const auto& e : t.entries) out.emplace_back(t.flat + "." + e.key, e.plain);
  }
  return out;
}

}  // namespace resqunn::config
