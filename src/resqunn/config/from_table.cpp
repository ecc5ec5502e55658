// The schema reader: walks a parsed TOML table, rejects unknown keys and
// wrong types, checks ranges, fills a RunConfig and runs the model's own
// validation, reporting every error at the position of the value it is
// about.
#include "resqunn/config/detail/schema.hpp"
#include "resqunn/config/detail/toml_text.hpp"
#include "resqunn/config/toml.hpp"
#include "resqunn/core/error.hpp"
#include "resqunn/core/text.hpp"
#include "resqunn/data/catalog.hpp"
#include "resqunn/model/plan.hpp"
#include "resqunn/model/residual.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace resqunn::config {

namespace {

constexpr std::int64_t kIntMax = std::numeric_limits<int>::max();
constexpr std::int64_t kIntMin = std::numeric_limits<int>::min();
constexpr std::int64_t kSeedMax = std::numeric_limits<std::int64_t>::max();

/// Where a value came from: its node (for the position; null when the value
/// is absent or its section is) and its key as written in the file.
struct Origin {
  const toml::node* node = nullptr;
  std::string key;
};

std::string range_text(std::int64_t lo, std::int64_t hi) {
  if (hi == kIntMax || hi == kSeedMax) return ">= " + std::to_string(lo);
  return std::to_string(lo) + ".." + std::to_string(hi);
}

bool starts_with_key(const std::string& text, const std::string& key) {
  if (key.empty() || text.compare(0, key.size(), key) != 0) return false;
  if (text.size() == key.size()) return true;
  const char next = text[key.size()];
  return !(std::isalnum(static_cast<unsigned char>(next)) || next == '_' || next == '.' ||
           next == '[');
}

/// Turns problems into UsageErrors "source:line:column: key: problem".
class Reporter {
public:
  explicit Reporter(std::string source) : source_(std::move(source)) {}

  std::string locate(const toml::node* node) const {
    if (node == nullptr) return source_;
    return locate(node->source());
  }
  std::string locate(const toml::source_region& region) const {
    if (region.begin.line == 0) return source_;  // built in code, not read from a file
    return source_ + ":" + std::to_string(region.begin.line) + ":" +
           std::to_string(region.begin.column);
  }

  [[noreturn]] void fail(const std::string& where, const std::string& key,
                         const std::string& problem, const std::string& fix = {}) const {
    // Messages from the model name the key themselves ("model.layers[0].kernel = 9 ...").
    const bool keyed = key.empty() || starts_with_key(problem, key);
    throw UsageError(where + ": " + (keyed ? "" : key + ": ") + problem, fix);
  }
  [[noreturn]] void fail(const Origin& at, const std::string& problem,
                         const std::string& fix = {}) const {
    fail(locate(at.node), at.key, problem, fix);
  }

private:
  std::string source_;
};

std::int64_t read_integer(const Reporter& r, const toml::node& n, const std::string& key,
                          std::int64_t lo, std::int64_t hi) {
  if (const auto* v = n.as_integer()) {
    const std::int64_t x = v->get();
    if (x < lo || x > hi) {
      r.fail({&n, key}, std::to_string(x) + " is out of range; valid: " + range_text(lo, hi));
    }
    return x;
  }
  std::string fix;
  if (const auto* f = n.as_floating_point()) {
    const double x = f->get();
    if (std::isfinite(x) && x == std::floor(x) && std::fabs(x) < 1e15) {
      fix = "write " + std::to_string(static_cast<long long>(x)) + " (no decimal point)";
    }
  }
  r.fail({&n, key}, std::string("expected an integer, got ") + type_name(n), fix);
}

double read_number(const Reporter& r, const toml::node& n, const std::string& key) {
  double x = 0.0;
  if (const auto* f = n.as_floating_point()) {
    x = f->get();
  } else if (const auto* i = n.as_integer()) {
    x = static_cast<double>(i->get());
  } else {
    r.fail({&n, key}, std::string("expected a number, got ") + type_name(n));
  }
  if (!std::isfinite(x)) r.fail({&n, key}, detail::toml_float(x) + " is not a finite number");
  return x;
}

/// One table of the config. Construction rejects keys the schema does not
/// list for it; an absent table (null) leaves every default in place.
class Section {
public:
  Section(const Reporter& r, const toml::table* table, std::string path,
          std::string_view schema_path)
      : r_(&r), table_(table), path_(std::move(path)), keys_(&detail::schema_keys(schema_path)) {
    if (table_ != nullptr) reject_unknown_keys(schema_path);
  }

  const toml::table* table() const { return table_; }
  const std::string& path() const { return path_; }
  std::string key(std::string_view k) const {
    return path_.empty() ? std::string(k) : path_ + "." + std::string(k);
  }
  const toml::node* find(std::string_view k) const {
    return table_ == nullptr ? nullptr : table_->get(k);
  }
  Origin origin(std::string_view k) const { return {find(k), key(k)}; }
  Origin self() const { return {table_, path_}; }

  [[noreturn]] void fail(std::string_view k, const std::string& problem,
                         const std::string& fix = {}) const {
    r_->fail(origin(k), problem, fix);
  }

  Section section(std::string_view k, std::string_view schema_path) const {
    const toml::node* n = find(k);
    if (n != nullptr && !n->is_table()) {
      fail(k, std::string("expected a table, got ") + type_name(*n),
           "write [" + key(k) + "] and its keys on the lines below");
    }
    return Section(*r_, n == nullptr ? nullptr : n->as_table(), key(k), schema_path);
  }

  bool integer(std::string_view k, std::int64_t& out, std::int64_t lo, std::int64_t hi) const {
    const toml::node* n = find(k);
    if (n == nullptr) return false;
    out = read_integer(*r_, *n, key(k), lo, hi);
    return true;
  }
  bool integer(std::string_view k, int& out, std::int64_t lo = kIntMin,
               std::int64_t hi = kIntMax) const {
    std::int64_t x = 0;
    if (!integer(k, x, lo, hi)) return false;
    out = static_cast<int>(x);
    return true;
  }
  bool seed(std::string_view k, std::uint64_t& out) const {
    std::int64_t x = 0;
    if (!integer(k, x, 0, kSeedMax)) return false;
    out = static_cast<std::uint64_t>(x);
    return true;
  }

  /// A float (integers accepted) for which `ok` holds; `valid` says which.
  template <class Ok>
  bool number(std::string_view k, double& out, Ok ok, const char* valid) const {
    const toml::node* n = find(k);
    if (n == nullptr) return false;
    const double x = read_number(*r_, *n, key(k));
    if (!ok(x)) fail(k, detail::toml_float(x) + " is out of range; valid: " + valid);
    out = x;
    return true;
  }

  bool boolean(std::string_view k, bool& out) const {
    const toml::node* n = find(k);
    if (n == nullptr) return false;
    const auto* v = n->as_boolean();
    if (v == nullptr) fail(k, std::string("expected true or false, got ") + type_name(*n));
    out = v->get();
    return true;
  }

  bool string(std::string_view k, std::string& out) const {
    const toml::node* n = find(k);
    if (n == nullptr) return false;
    const auto* v = n->as_string();
    if (v == nullptr) {
      fail(k, std::string("expected a string, got ") + type_name(*n),
           "quote the value: " + std::string(k) + " = \"...\"");
    }
    out = v->get();
    return true;
  }

  /// A name read with `parse` (one of the parse_* of model, quantum, train
  /// or data), whose UsageError ("unknown ansatz 'x' (did you mean ...)")
  /// gets the position.
  template <class T, class Parse>
  bool choice(std::string_view k, T& out, Parse parse) const {
    std::string name;
    if (!string(k, name)) return false;
    try {
      out = parse(name);
    } catch (const UsageError& e) {
      fail(k, e.problem(), e.fix());
    }
    return true;
  }

  const toml::array* array(std::string_view k) const {
    const toml::node* n = find(k);
    if (n == nullptr) return nullptr;
    if (!n->is_array()) fail(k, std::string("expected an array, got ") + type_name(*n));
    return n->as_array();
  }

  /// An array of integers in lo..hi; `nodes` receives each element's node.
  bool integers(std::string_view k, std::vector<std::int64_t>& out, std::int64_t lo,
                std::int64_t hi, std::vector<const toml::node*>& nodes) const {
    const toml::array* a = array(k);
    if (a == nullptr) return false;
    out.clear();
    nodes.clear();
    for (std::size_t i = 0; i < a->size(); ++i) {
      const toml::node& n = *a->get(i);
      out.push_back(read_integer(*r_, n, key(k) + "[" + std::to_string(i) + "]", lo, hi));
      nodes.push_back(&n);
    }
    return true;
  }

private:
  void reject_unknown_keys(std::string_view schema_path) const {
    // toml::table iterates in key order; report the unknown key that comes
    // first in the file.
    const toml::key* first = nullptr;
    for (auto&& [k, v] : *table_) {
      (void)v;
      if (std::find(keys_->begin(), keys_->end(), k.str()) != keys_->end()) continue;
      const auto& at = k.source().begin;
      if (first == nullptr ||
          std::make_pair(at.line, at.column) <
              std::make_pair(first->source().begin.line, first->source().begin.column)) {
        first = &k;
      }
    }
    if (first == nullptr) return;
    const std::string name(first->str());
    std::string hint;
    if (schema_path == "model.quanv" && name == "depth") {
      hint = " (per-layer depths go in model.depths, or in [[model.layers]] tables)";
    } else {
      hint = did_you_mean(name, *keys_);
      if (hint.empty()) hint = suggestion_text(detail::closest_key_anywhere(name));
    }
    r_->fail(r_->locate(first->source()), key(name), "unknown key" + hint,
             (path_.empty() ? std::string("valid top-level tables: ")
                            : "valid keys in [" + path_ + "]: ") +
                 join(*keys_));
  }

  const Reporter* r_;
  const toml::table* table_;
  std::string path_;
  const std::vector<std::string>* keys_;
};

/// Runs `check` (a validate() of the model); a UsageError it throws is
/// re-thrown at the value it names: the earliest "<prefix>.<field>" in the
/// message that has an origin, else `fallback`.
template <class Check>
void located(const Reporter& r, Check check, const std::string& prefix,
             const std::map<std::string, Origin>& origins, const Origin& fallback) {
  try {
    check();
  } catch (const UsageError& e) {
    const std::string& problem = e.problem();
    const Origin* at = &fallback;
    std::size_t earliest = std::string::npos;
    for (const auto& [field, origin] : origins) {
      const std::string named = prefix + "." + field;
      for (auto pos = problem.find(named); pos != std::string::npos;
           pos = problem.find(named, pos + 1)) {
        if (!starts_with_key(problem.substr(pos), named)) continue;
        if (pos < earliest) {
          earliest = pos;
          at = &origin;
        }
        break;
      }
    }
    r.fail(*at, problem, e.fix());
  }
}

using Origins = std::map<std::string, Origin>;

void read_data(const Section& s, train::DataOptions& d) {
  const data::DatasetSpec* dataset = nullptr;
  s.choice("dataset", dataset, [](const std::string& name) { return &data::dataset_spec(name); });
  if (dataset != nullptr) d.dataset = dataset->name;
  const int num_classes = data::dataset_spec(d.dataset).num_classes;
  if (s.integer("image_size", d.image_size) &&
      !(d.image_size == 28 || d.image_size == 14 || d.image_size == 7)) {
    s.fail("image_size",
           std::to_string(d.image_size) + " is not a supported size; valid: 28, 14 or 7",
           "images are 28x28, average-pooled by 1, 2 or 4");
  }
  std::vector<std::int64_t> classes;
  std::vector<const toml::node*> nodes;
  if (s.integers("classes", classes, 0, num_classes - 1, nodes)) {
    for (std::size_t i = 0; i < classes.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (classes[j] == classes[i]) {
          s.fail("classes",
                 "class " + std::to_string(classes[i]) + " is listed twice (entries " +
                     std::to_string(j) + " and " + std::to_string(i) + ")",
                 "list each class once");
        }
      }
    }
    if (classes.size() == 1) {
      s.fail("classes", "a single class leaves nothing to classify",
             "list at least two classes, or [] for all " + std::to_string(num_classes));
    }
    d.classes.assign(classes.begin(), classes.end());
  }
  s.integer("train", d.train, 1, kIntMax);
  s.integer("validation", d.validation, 1, kIntMax);
  s.seed("seed", d.seed);
}

void read_quanv(const Section& s, model::QuanvSpec& q, Origins& origins) {
  const auto note = [&](bool present, const char* k) {
    if (present) origins[k] = s.origin(k);
  };
  note(s.integer("kernel", q.kernel), "kernel");
  note(s.integer("stride", q.stride), "stride");
  note(s.choice("padding", q.padding, model::parse_padding), "padding");
  note(s.choice("encoding", q.encoding, quantum::parse_encoding), "encoding");
  note(s.choice("angle_axis", q.angle_axis, quantum::parse_rotation), "angle_axis");
  note(s.number(
           "angle_scale", q.angle_scale, [](double x) { return x > 0; }, "> 0"),
       "angle_scale");
  note(s.choice("ansatz", q.ansatz, quantum::parse_ansatz), "ansatz");
  note(s.boolean("trainable", q.trainable), "trainable");
  note(s.choice("channel_mode", q.channel_mode, model::parse_channel_mode), "channel_mode");
  note(s.choice("evaluator", q.evaluator, quantum::parse_evaluator), "evaluator");
}

// model.depths as read (if given), with each entry's node for messages.
struct Depths {
  bool given = false;
  std::vector<std::int64_t> values;
  std::vector<const toml::node*> nodes;

  Origin origin(const Section& s, std::size_t i) const {
    return {nodes[i], s.key("depths") + "[" + std::to_string(i) + "]"};
  }
};

// Where each layer's fields were set (messages point there), and the layer
// itself for messages about no single field.
struct LayerOrigins {
  std::vector<Origins> fields;
  std::vector<Origin> self;
};

// Without [[model.layers]]: one layer per depth (the default model's when
// model.depths is absent too), each the shared [model.quanv] layer.
void layers_from_depths(const Section& s, const Section& quanv, const Depths& depths,
                        const model::QuanvSpec& shared, const Origins& shared_origins,
                        model::ModelSpec& m, LayerOrigins& origins) {
  std::vector<std::int64_t> values = depths.values;
  if (!depths.given) {
    for (const auto& layer : default_model().layers) values.push_back(layer.depth);
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    model::QuanvSpec layer = shared;
    layer.depth = static_cast<int>(values[i]);
    m.layers.push_back(layer);
    Origins o = shared_origins;
    if (depths.given) o["depth"] = depths.origin(s, i);
    origins.fields.push_back(std::move(o));
    origins.self.push_back(quanv.table() != nullptr ? quanv.self() : s.origin("depths"));
  }
}

// One [[model.layers]] table per layer, over the shared [model.quanv] keys;
// its depth from the table or model.depths (which must agree).
void layers_from_tables(const Reporter& r, const Section& s, const toml::array& tables,
                        const Depths& depths, const model::QuanvSpec& shared,
                        const Origins& shared_origins, model::ModelSpec& m, LayerOrigins& origins) {
  if (tables.empty()) {
    s.fail("layers", "is empty", "give one [[model.layers]] table per layer, or remove it");
  }
  if (depths.given && depths.values.size() != tables.size()) {
    s.fail("depths",
           "has " + std::to_string(depths.values.size()) + " entries but there are " +
               std::to_string(tables.size()) + " [[model.layers]] tables",
           "give one depth per layer, or only one of model.depths and [[model.layers]]");
  }
  for (std::size_t i = 0; i < tables.size(); ++i) {
    const toml::node& n = *tables.get(i);
    const std::string where = s.key("layers") + "[" + std::to_string(i) + "]";
    if (!n.is_table()) {
      r.fail({&n, where}, std::string("expected a table, got ") + type_name(n),
             "write each layer as a [[model.layers]] table");
    }
    const Section layer_section(r, n.as_table(), where, "model.layers[]");
    model::QuanvSpec layer = shared;
    Origins o = shared_origins;
    read_quanv(layer_section, layer, o);
    if (layer_section.integer("depth", layer.depth)) {
      o["depth"] = layer_section.origin("depth");
      if (depths.given && depths.values[i] != layer.depth) {
        layer_section.fail("depth",
                           std::to_string(layer.depth) + " disagrees with model.depths[" +
                               std::to_string(i) + "] = " + std::to_string(depths.values[i]),
                           "give each depth in one place only");
      }
    } else if (depths.given) {
      layer.depth = static_cast<int>(depths.values[i]);
      o["depth"] = depths.origin(s, i);
    } else {
      r.fail(layer_section.self(), "has no depth",
             "add `depth = ...` to each [[model.layers]] table, or give model.depths");
    }
    m.layers.push_back(layer);
    origins.fields.push_back(std::move(o));
    origins.self.push_back(layer_section.self());
  }
}

// [model.head]; returns where its fields were set.
Origins read_head(const Section& head, model::HeadSpec& h) {
  Origins origins;
  if (head.choice("type", h.kind, model::parse_head_kind)) origins["type"] = head.origin("type");
  if (head.choice("ansatz", h.ansatz, quantum::parse_ansatz)) {
    origins["ansatz"] = head.origin("ansatz");
  }
  if (head.integer("depth", h.depth)) origins["depth"] = head.origin("depth");
  if (head.choice("evaluator", h.evaluator, quantum::parse_evaluator)) {
    origins["evaluator"] = head.origin("evaluator");
  }
  return origins;
}

// The model's own checks, each error placed at the value it names.
void check_model(const Reporter& r, const Section& s, const Section& head,
                 const Origins& head_origins, const LayerOrigins& layers,
                 const Origin& count_origin, const model::ModelSpec& m, model::Shape input,
                 int classes) {
  for (std::size_t i = 0; i < m.layers.size(); ++i) {
    const std::string where = "model.layers[" + std::to_string(i) + "]";
    // A message naming no field is about the qubit count: kernel and encoding.
    const auto kernel = layers.fields[i].find("kernel");
    const Origin& fallback = kernel != layers.fields[i].end() ? kernel->second : layers.self[i];
    located(
        r, [&] { m.layers[i].validate(where); }, where, layers.fields[i], fallback);
  }
  located(
      r, [&] { m.head.validate(); }, "model.head", head_origins,
      head.table() != nullptr ? head.self() : s.self());
  if (m.layers.size() <= 16) {
    try {
      (void)model::parse_residual(m.residual, static_cast<int>(m.layers.size()));
    } catch (const UsageError& e) {
      r.fail(s.origin("residual"), e.problem(), e.fix());  // names the text and column
    }
  }
  const Origins model_origins = {{"depths", count_origin},
                                 {"layers", count_origin},
                                 {"residual", s.origin("residual")},
                                 {"gradient_mode", s.origin("gradient_mode")}};
  located(
      r, [&] { m.validate(); }, "model", model_origins, count_origin);
  // What only the input shape can tell (a window that does not fit the
  // image the layers before leave it, a residual sum that cannot be
  // aligned, a quantum head too large): planned here so that it is placed
  // in the file like any other error.
  if (input.height <= 0 || classes < 2) return;  // reported with the data keys
  try {
    (void)model::plan_model(m, input, classes);
  } catch (const UsageError& e) {
    // The plan names a layer ("model.layers[2]: ...") or a residual sum
    // ("residual X+O2 (input of head): ..."); anything else is the head's.
    const std::string& problem = e.problem();
    const toml::node* at = head.table() != nullptr ? head.self().node : s.self().node;
    for (std::size_t i = 0; i < m.layers.size(); ++i) {
      if (starts_with_key(problem, "model.layers[" + std::to_string(i) + "]")) {
        at = layers.self[i].node;
      }
    }
    if (problem.rfind("residual ", 0) == 0) at = s.origin("residual").node;
    r.fail(r.locate(at), "", problem, e.fix());
  }
}

// `input` and `classes`: what the data section says the model will see.
void read_model(const Reporter& r, const Section& s, model::ModelSpec& m, model::Shape input,
                int classes) {
  // Layer count and depths: model.depths, or one [[model.layers]] per layer,
  // or both (then they must agree).
  Depths depths;
  depths.given = s.integers("depths", depths.values, kIntMin, kIntMax, depths.nodes);
  if (depths.given && depths.values.empty()) {
    s.fail("depths", "is empty", "give one ansatz depth per quanvolution layer, e.g. [4, 1]");
  }

  model::QuanvSpec shared;
  Origins shared_origins;
  const Section quanv = s.section("quanv", "model.quanv");
  read_quanv(quanv, shared, shared_origins);

  if (const toml::node* n = s.find("layers"); n != nullptr && n->is_table()) {
    s.fail("layers", "expected an array of tables, got a table",
           "write [[model.layers]] (double brackets), once per layer");
  }
  const toml::array* layer_tables = s.array("layers");
  LayerOrigins origins;
  m.layers.clear();
  if (layer_tables == nullptr) {
    layers_from_depths(s, quanv, depths, shared, shared_origins, m, origins);
  } else {
    layers_from_tables(r, s, *layer_tables, depths, shared, shared_origins, m, origins);
  }

  s.string("residual", m.residual);
  s.choice("gradient_mode", m.gradient_mode, model::parse_gradient_mode);
  s.seed("seed", m.seed);

  const Section head = s.section("head", "model.head");
  const Origins head_origins = read_head(head, m.head);
  const Origin count_origin = depths.given              ? s.origin("depths")
                              : layer_tables != nullptr ? s.origin("layers")
                                                        : s.self();
  check_model(r, s, head, head_origins, origins, count_origin, m, input, classes);
  // One spelling per wiring, so that equal wirings share a point id (an
  // invalid one was reported above, with its position).
  try {
    m.residual = model::canonical_residual(m.residual, static_cast<int>(m.layers.size()));
  } catch (const UsageError&) {
  }
}

void read_train(const Section& s, train::TrainOptions& t) {
  auto& o = t.optimizer;
  s.choice("optimizer", o.kind, train::parse_optimizer);
  s.number(
      "lr", o.lr, [](double x) { return x > 0; }, "> 0");
  const auto unit = [](double x) { return x >= 0 && x < 1; };
  s.number("beta1", o.beta1, unit, "0 <= beta1 < 1");
  s.number("beta2", o.beta2, unit, "0 <= beta2 < 1");
  s.number(
      "eps", o.eps, [](double x) { return x > 0; }, "> 0");
  s.number("momentum", o.momentum, unit, "0 <= momentum < 1");
  s.integer("batch_size", t.batch_size, 1, kIntMax);
  s.integer("micro_batch", t.micro_batch, 1, kIntMax);
  s.integer("epochs", t.epochs, 1, 100000);
  s.seed("seed", t.seed);
}

void read_output(const Section& s, OutputOptions& o) {
  if (s.string("path", o.path) && o.path.empty()) {
    s.fail("path", "is empty", "name the HDF5 result file, e.g. path = \"run.h5\"");
  }
}

}  // namespace

model::ModelSpec default_model() {
  model::ModelSpec m;
  m.layers.resize(2);
  m.layers[0].depth = 4;
  m.layers[1].depth = 1;
  return m;
}

RunConfig from_table(const toml::table& table, const std::string& source_name) {
  const Reporter r(source_name);
  const Section root(r, &table, "", "");
  RunConfig c;
  read_data(root.section("data", "data"), c.data);
  const int classes = c.data.classes.empty() ? data::dataset_spec(c.data.dataset).num_classes
                                             : static_cast<int>(c.data.classes.size());
  read_model(r, root.section("model", "model"), c.model, {1, c.data.image_size, c.data.image_size},
             classes);
  read_train(root.section("train", "train"), c.train);
  root.section("trace", "trace").boolean("full", c.trace.full);
  read_output(root.section("output", "output"), c.output);
  return c;
}

}  // namespace resqunn::config
