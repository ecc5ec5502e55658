#include "resqunn/sweep/spec.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <system_error>
#include <utility>

#include "resqunn/config/toml.hpp"
#include "resqunn/core/error.hpp"
#include "resqunn/core/sha256.hpp"
#include "resqunn/core/text.hpp"
#include "resqunn/sweep/cost.hpp"

namespace resqunn::sweep {

namespace {

const std::vector<std::string> kTopLevel = {"sweep", "base", "axes", "grids", "points"};
const std::vector<std::string> kGridKeys = {"name", "combine", "base", "axes"};
const std::vector<std::string> kSweepKeys = {"name", "base", "combine", "output"};
const std::vector<std::string> kRunConfigTables = {"data", "model", "train", "trace", "output"};

// ---- messages -------------------------------------------------------------

std::string position(const std::string& source, const toml::source_region& r) {
  if (r.begin.line == 0) return source;
  return source + ":" + std::to_string(r.begin.line) + ":" + std::to_string(r.begin.column);
}

std::string position(const std::string& source, const toml::node* n) {
  return n == nullptr ? source : position(source, n->source());
}

using config::type_name;

// "<did you mean 'x'?>" or "".
std::string suggestion(const std::string& word, const std::vector<std::string>& valid) {
  const std::string near = closest_match(word, valid);
  return near.empty() ? "" : " (did you mean '" + near + "'?)";
}

// ---- TOML values as text ----------------------------------------------------

bool is_bare_key(std::string_view k) {
  return !k.empty() && std::all_of(k.begin(), k.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

std::string toml_quoted(std::string_view text) { return config::quoted(text); }

std::string float_text(double v) {
  if (v != v) return "nan";
  if (v == 1.0 / 0.0) return "inf";
  if (v == -1.0 / 0.0) return "-inf";
  char buffer[64];
  const auto r = std::to_chars(buffer, buffer + sizeof buffer, v);
  std::string s(buffer, r.ptr);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

// A string as apply_override reads it back: bare unless a bare spelling
// would read as another value (true, 12, [1]) or is not one line.
std::string string_value_text(const std::string& s) {
  if (s.empty() || s.find_first_of("\n\r\"") != std::string::npos ||
      std::isspace(static_cast<unsigned char>(s.front())) ||
      std::isspace(static_cast<unsigned char>(s.back()))) {
    return toml_quoted(s);
  }
  try {
    const toml::table t = toml::parse("v = " + s);
    if (t.size() == 1) return toml_quoted(s);  // would read back as a TOML value
  } catch (const toml::parse_error&) {
  }
  return s;
}

// TOML text of a value; strings inside arrays and tables always quoted.
std::string value_text(const toml::node& n, bool top = true) {
  if (const auto* s = n.as_string())
    return top ? string_value_text(s->get()) : toml_quoted(s->get());
  if (const auto* i = n.as_integer()) return std::to_string(i->get());
  if (const auto* f = n.as_floating_point()) return float_text(f->get());
  if (const auto* b = n.as_boolean()) return b->get() ? "true" : "false";
  if (const auto* a = n.as_array()) {
    std::string out = "[";
    for (std::size_t i = 0; i < a->size(); ++i)
      out += (i ? ", " : "") + value_text(*a->get(i), false);
    return out + "]";
  }
  if (const auto* t = n.as_table()) {
    std::string out = "{";
    bool first = true;
    for (const auto& [k, v] : *t) {
      const std::string key(k.str());
      out += (first ? "" : ", ") + (is_bare_key(key) ? key : toml_quoted(key)) + " = " +
             value_text(v, false);
      first = false;
    }
    return out + "}";
  }
  std::ostringstream os;  // dates and times
  n.visit([&](const auto& v) { os << v; });
  return os.str();
}

// ---- leaves -------------------------------------------------------------------

/// A dotted key and the value it is set to.
struct Assignment {
  std::string key;
  toml::node* value = nullptr;
};

bool before(const toml::node* a, const toml::node* b) {
  const auto& x = a->source().begin;
  const auto& y = b->source().begin;
  return x.line != y.line ? x.line < y.line : x.column < y.column;
}

// Every non-table value under `t` (tables descend), keyed "prefix.a.b", in
// the order they appear in the file (toml++ orders tables by key).
void collect_leaves(toml::table& t, const std::string& prefix, std::vector<Assignment>& out,
                    bool sort = true) {
  for (auto&& [k, v] : t) {
    const std::string key =
        prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (auto* sub = v.as_table()) {
      collect_leaves(*sub, key, out, false);
    } else {
      out.push_back({key, &v});
    }
  }
  if (sort) {
    std::stable_sort(out.begin(), out.end(), [](const Assignment& a, const Assignment& b) {
      return before(a.value, b.value);
    });
  }
}

std::string first_segment(const std::string& key) { return key.substr(0, key.find_first_of(".[")); }

// Copies `value` (without its source position) into `table` at `key`.
void set_copy(toml::table& table, const std::string& key, const toml::node& value) {
  value.visit([&](const auto& v) {
    auto copy = v;  // toml++ copies drop source positions
    config::set_dotted(table, key, std::move(copy));
  });
}

// Is `message` ("model.depths[1]: expected ...") about `key` (it starts with
// the key, or an element of it), or about a table on the way to it
// ("train.lr: expected a number, got a table" for key train.lr.x)?
bool names_key(std::string_view message, const std::string& key) {
  const auto ends_key = [](char c) {
    return !(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.');
  };
  if (message.compare(0, key.size(), key) == 0) {
    return message.size() == key.size() || ends_key(message[key.size()]);
  }
  const std::string_view named = message.substr(0, message.find_first_of(": ="));
  return !named.empty() && key.size() > named.size() && key.compare(0, named.size(), named) == 0 &&
         (key[named.size()] == '.' || key[named.size()] == '[');
}

// ---- the spec ------------------------------------------------------------------

class Parser {
public:
  Parser(std::string_view text, std::string source, std::filesystem::path base_dir)
      : text_(text), source_(std::move(source)), base_dir_(std::move(base_dir)) {}

  SweepSpec run();

private:
  [[noreturn]] void fail(const toml::node* at, const std::string& key, const std::string& problem,
                         const std::string& fix = {}) const {
    throw UsageError(position(source_, at) + ": " + (key.empty() ? "" : key + ": ") + problem, fix);
  }
  [[noreturn]] void fail(const toml::source_region& at, const std::string& key,
                         const std::string& problem, const std::string& fix = {}) const {
    throw UsageError(position(source_, at) + ": " + (key.empty() ? "" : key + ": ") + problem, fix);
  }

  void check_top_level();
  void read_sweep_table();
  std::string read_string(const toml::table& t, const std::string& key, bool required,
                          const std::string& where = "sweep");
  std::string read_name(const toml::table& t, const std::string& where, const std::string& example);
  void read_base_file(const toml::node& at);
  void apply_base_table();
  struct Axis {
    std::string key;
    toml::array* values = nullptr;
    toml::node* node = nullptr;
  };
  // One grid: [axes] (unnamed, no overrides of its own) or a [[grids]] entry.
  struct Grid {
    std::string name;   // "" for [axes]
    std::string where;  // "axes" or "grids[i].axes", for messages
    std::string combine;
    std::vector<Assignment> base;  // the grid's own overrides, before its axes
    std::vector<Axis> axes;
  };
  std::vector<Axis> read_axis_table(toml::node& node, const std::string& where);
  std::string read_combine(const toml::table& t, const std::string& where);
  void read_axes();
  std::vector<toml::table*> table_array(const std::string& key, const std::string& array_fix,
                                        const std::string& entry, const std::string& entry_fix);
  void read_grids();
  void read_points();
  void expand();
  void expand_grid(const Grid& grid);
  void add_point(std::vector<Assignment> assignments);
  void check_not_output(const Assignment& a, const std::string& where) const;

  std::string text_;
  std::string source_;
  std::filesystem::path base_dir_;
  toml::table doc_;
  SweepSpec spec_;
  toml::table base_;         // base file + [base], without positions of the base file
  Grid axes_;                // [axes]
  std::vector<Grid> grids_;  // [[grids]]
  std::string grid_name_;    // the grid add_point is expanding ("" outside [[grids]])
  std::vector<std::vector<Assignment>> explicit_points_;
  std::map<std::string, std::size_t> ids_;
};

SweepSpec Parser::run() {
  spec_.source = source_;
  spec_.text = text_;
  doc_ = config::parse_toml(text_, source_);
  check_top_level();
  read_sweep_table();
  apply_base_table();
  read_axes();
  read_grids();
  read_points();
  expand();
  return std::move(spec_);
}

void Parser::check_top_level() {
  if (!doc_.contains("sweep")) {
    for (const auto& t : kRunConfigTables) {
      if (doc_.contains(t)) {
        fail(nullptr, "", "this is a run config, not a sweep spec: it has no [sweep] table",
             "train it with `resqunn train`, or write a sweep spec that names it: [sweep] name = "
             "\"...\", base = \"" +
                 source_ + "\" (docs/sweeps.md)");
      }
    }
    fail(nullptr, "", "missing [sweep] table",
         "start the spec with [sweep] and name = \"my-sweep\" (docs/sweeps.md)");
  }
  for (const auto& [k, v] : doc_) {
    const std::string key(k.str());
    if (std::find(kTopLevel.begin(), kTopLevel.end(), key) != kTopLevel.end()) continue;
    if (std::find(kRunConfigTables.begin(), kRunConfigTables.end(), key) !=
        kRunConfigTables.end()) {
      fail(k.source(), key, "run-config keys do not go at the top of a sweep spec",
           "put them under [base] (e.g. [base." + key +
               "]) or in the base file, or sweep them in [axes]");
    }
    fail(k.source(), key, "unknown key" + suggestion(key, kTopLevel),
         "valid top-level tables: [sweep], [base], [axes], [[grids]], [[points]]");
  }
}

// The string `key` of table `t`, which messages call `where` ("sweep",
// "grids[0]"); "" if absent and not required.
std::string Parser::read_string(const toml::table& t, const std::string& key, bool required,
                                const std::string& where) {
  const toml::node* n = t.get(key);
  if (n == nullptr) {
    if (required) {
      const std::string table = where == "sweep" ? "[sweep]" : where + " ([[grids]] entry)";
      fail(&t, where, "missing '" + key + "'", "add " + key + " = \"...\" to " + table);
    }
    return {};
  }
  if (!n->is_string()) fail(n, where + "." + key, "expected a string, got " + type_name(*n));
  return n->as_string()->get();
}

// The required `name` of table `t` (`where` in messages): [A-Za-z0-9_.-]+.
std::string Parser::read_name(const toml::table& t, const std::string& where,
                              const std::string& example) {
  std::string name = read_string(t, "name", true, where);
  const bool ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
  if (!ok) {
    fail(t.get("name"), where + ".name", "'" + name + "' is not a valid name",
         "use letters, digits, '_', '.' and '-' only, e.g. \"" + example + "\"");
  }
  return name;
}

void Parser::read_sweep_table() {
  toml::node* node = doc_.get("sweep");
  if (!node->is_table()) {
    fail(node, "sweep", "expected a table, got " + type_name(*node),
         "write [sweep] and its keys below it");
  }
  const toml::table& t = *node->as_table();
  for (const auto& [k, v] : t) {
    const std::string key(k.str());
    if (std::find(kSweepKeys.begin(), kSweepKeys.end(), key) == kSweepKeys.end()) {
      fail(k.source(), "sweep." + key, "unknown key" + suggestion(key, kSweepKeys),
           "valid keys in [sweep]: " + join(kSweepKeys) +
               "; run-config keys go in [base], [axes] or [[points]]");
    }
  }
  spec_.name = read_name(t, "sweep", "residuals-mnist");

  spec_.combine = read_combine(t, "sweep");
  if (spec_.combine.empty()) spec_.combine = "grid";

  spec_.output = read_string(t, "output", false);
  if (t.contains("output")) {
    const auto ends = [&](const std::string& ext) {
      return spec_.output.size() > ext.size() &&
             spec_.output.compare(spec_.output.size() - ext.size(), ext.size(), ext) == 0;
    };
    if (!ends(".h5") && !ends(".hdf5")) {
      fail(t.get("output"), "sweep.output",
           "'" + spec_.output + "' is not an HDF5 file name (.h5 or .hdf5)",
           "e.g. output = \"" + spec_.name + ".h5\"");
    }
  } else {
    spec_.output = spec_.name + ".h5";
  }

  if (const toml::node* b = t.get("base")) {
    read_string(t, "base", false);
    read_base_file(*b);
  }
}

void Parser::read_base_file(const toml::node& at) {
  const std::string given = at.as_string()->get();
  if (given.empty())
    fail(&at, "sweep.base", "empty path", "name a run config, e.g. base = \"paper.toml\"");
  const std::filesystem::path relative(given);
  const std::filesystem::path file = relative.is_absolute() || base_dir_.empty()
                                         ? relative
                                         : (base_dir_ / relative).lexically_normal();
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    fail(&at, "sweep.base", "'" + given + "' does not exist (looked for " + file.string() + ")",
         "base paths are relative to the sweep spec's directory");
  }
  if (std::filesystem::is_directory(file, ec)) {
    fail(&at, "sweep.base", "'" + given + "' is a directory", "name a run config (.toml file)");
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in || !text)
    fail(&at, "sweep.base", "cannot read '" + file.string() + "'", "check its permissions");
  spec_.base = file.string();
  spec_.base_text = text.str();
  try {
    const toml::table parsed = config::parse_toml(spec_.base_text, spec_.base);
    (void)config::from_table(parsed, spec_.base);
    base_ = toml::table(parsed);  // the copy drops the base file's positions
  } catch (const UsageError& e) {
    fail(&at, "sweep.base", "'" + given + "' is not a valid run config: " + e.problem(), e.fix());
  }
}

void Parser::check_not_output(const Assignment& a, const std::string& where) const {
  if (first_segment(a.key) == "output") {
    fail(a.value, where + a.key,
         "a sweep's points cannot set output keys: all results go to one file",
         "set [sweep] output = \"results.h5\", or pass -o to `resqunn sweep run`");
  }
}

void Parser::apply_base_table() {
  toml::node* node = doc_.get("base");
  if (node == nullptr) return;
  if (!node->is_table()) {
    fail(node, "base", "expected a table of run-config keys, got " + type_name(*node),
         "the base file is named by base = \"...\" inside [sweep]; a top-level [base] table "
         "holds run-config keys");
  }
  std::vector<Assignment> leaves;
  collect_leaves(*node->as_table(), "", leaves);
  for (auto& a : leaves) {
    check_not_output(a, "base.");
    try {
      // Moved, not copied: the values keep their positions in this file, so
      // that errors about them point here.
      a.value->visit([&](auto& v) { config::set_dotted(base_, a.key, std::move(v)); });
    } catch (const UsageError& e) {
      fail(a.value, "base." + a.key, e.problem(), e.fix());
    }
  }
  try {
    (void)config::from_table(base_, source_);
  } catch (const UsageError& e) {
    const std::string also = spec_.base.empty() ? "" : " over " + spec_.base;
    throw UsageError(e.problem() + " (in [base]" + also + ")", e.fix());
  }
  // Later uses copy base_, which drops positions; leaves were moved out.
  doc_.erase("base");
}

// "grid", "zip", or "" when `t` (called `where` in messages) has no combine key.
std::string Parser::read_combine(const toml::table& t, const std::string& where) {
  const std::string combine = read_string(t, "combine", false, where);
  if (t.contains("combine") && combine != "grid" && combine != "zip") {
    fail(t.get("combine"), where + ".combine",
         "unknown value '" + combine + "'" + suggestion(combine, {"grid", "zip"}),
         "valid: \"grid\" (every combination of the axes' values) or \"zip\" (the i-th values "
         "of all axes together)");
  }
  return combine;
}

// The axes of one grid: every array under `node` (at any depth).
std::vector<Parser::Axis> Parser::read_axis_table(toml::node& node, const std::string& where) {
  if (!node.is_table()) {
    fail(&node, where, "expected a table, got " + type_name(node),
         "write [" + where + "] and below it one line per axis: key = [values...]");
  }
  std::vector<Assignment> leaves;
  collect_leaves(*node.as_table(), "", leaves);
  std::vector<Axis> axes;
  std::map<std::string, const toml::node*> seen;
  for (auto& a : leaves) {
    const std::string key = where + "." + a.key;
    check_not_output(a, where + ".");
    if (!a.value->is_array()) {
      fail(a.value, key, "expected an array of values, got " + type_name(*a.value),
           "write " + a.key + " = [" + value_text(*a.value, false) +
               "] for a single value, or set it in [base]");
    }
    toml::array& values = *a.value->as_array();
    if (values.empty()) {
      fail(a.value, key, "empty list of values", "give at least one value, or remove the axis");
    }
    for (auto& v : values) {
      if (const auto* t = v.as_table(); t != nullptr && t->empty()) {
        fail(&v, key, "empty table value",
             "a table value sets each of its keys under " + a.key + "; give at least one");
      }
    }
    if (const auto it = seen.find(a.key); it != seen.end()) {
      fail(a.value, key, "this axis is given twice (also at " + position(source_, it->second) + ")",
           "merge the two lists into one");
    }
    seen[a.key] = a.value;
    axes.push_back({a.key, &values, a.value});
  }
  return axes;
}

void Parser::read_axes() {
  axes_.combine = spec_.combine;
  axes_.where = "axes";
  if (toml::node* node = doc_.get("axes")) axes_.axes = read_axis_table(*node, "axes");
  for (const auto& axis : axes_.axes) spec_.axis_keys.push_back(axis.key);
}

// The entries of the top-level array of tables `key` ([[key]]), none if it
// is absent. Not an array, or an entry not a table, is an error: `array_fix`
// and `entry` ("a table of overrides") with `entry_fix` say what to write.
std::vector<toml::table*> Parser::table_array(const std::string& key, const std::string& array_fix,
                                              const std::string& entry,
                                              const std::string& entry_fix) {
  toml::node* node = doc_.get(key);
  if (node == nullptr) return {};
  toml::array* array = node->as_array();
  if (array == nullptr) {
    fail(node, key, "expected an array of tables, got " + type_name(*node), array_fix);
  }
  std::vector<toml::table*> tables;
  for (std::size_t i = 0; i < array->size(); ++i) {
    toml::node& n = *array->get(i);
    if (!n.is_table()) {
      fail(&n, key + "[" + std::to_string(i) + "]", "expected " + entry + ", got " + type_name(n),
           entry_fix);
    }
    tables.push_back(n.as_table());
  }
  return tables;
}

void Parser::read_grids() {
  const auto grids = table_array(
      "grids", "write each grid as its own [[grids]] table with a name and a [grids.axes] table",
      "a table", "write [[grids]], then name = \"...\" and a [grids.axes] table");
  std::map<std::string, const toml::node*> names;
  for (std::size_t i = 0; i < grids.size(); ++i) {
    toml::table& t = *grids[i];
    const std::string where = "grids[" + std::to_string(i) + "]";
    for (const auto& [k, v] : t) {
      const std::string key(k.str());
      if (std::find(kGridKeys.begin(), kGridKeys.end(), key) == kGridKeys.end()) {
        fail(k.source(), where + "." + key, "unknown key" + suggestion(key, kGridKeys),
             "valid keys in [[grids]]: " + join(kGridKeys) +
                 "; run-config keys go in [grids.base] or [grids.axes]");
      }
    }
    Grid grid;
    grid.name = read_name(t, where, "depth-per-layer");
    if (const auto it = names.find(grid.name); it != names.end()) {
      fail(
          t.get("name"), where + ".name",
          "grid '" + grid.name + "' is named twice (also at " + position(source_, it->second) + ")",
          "give every grid its own name: it labels the grid's points in the results");
    }
    names[grid.name] = t.get("name");
    grid.combine = read_combine(t, where);
    if (grid.combine.empty()) grid.combine = spec_.combine;
    if (toml::node* b = t.get("base")) {
      if (!b->is_table()) {
        fail(b, where + ".base", "expected a table of run-config keys, got " + type_name(*b),
             "write [grids.base] and below it key = value lines");
      }
      collect_leaves(*b->as_table(), "", grid.base);
      for (const auto& a : grid.base) check_not_output(a, where + ".base.");
    }
    toml::node* axes = t.get("axes");
    if (axes == nullptr) {
      fail(&t, where, "grid '" + grid.name + "' has no axes",
           "add a [grids.axes] table below it (key = [values...]); a single configuration is "
           "a [[points]] entry");
    }
    grid.where = where + ".axes";
    grid.axes = read_axis_table(*axes, grid.where);
    if (grid.axes.empty()) {
      fail(axes, where + ".axes", "grid '" + grid.name + "' has no axes",
           "give at least one key = [values...] line");
    }
    SweepSpec::GridInfo info{grid.name, grid.combine, {}};
    for (const auto& axis : grid.axes) info.axis_keys.push_back(axis.key);
    spec_.grid_infos.push_back(std::move(info));
    grids_.push_back(std::move(grid));
  }
}

void Parser::read_points() {
  const auto points = table_array(
      "points", "write each point as its own [[points]] table", "a table of overrides",
      "write [[points]] followed by key = value lines, e.g. \"model.residual\" = \"X+O1\"");
  for (std::size_t i = 0; i < points.size(); ++i) {
    const std::string where = "points[" + std::to_string(i) + "]";
    std::vector<Assignment> leaves;
    collect_leaves(*points[i], "", leaves);
    for (const auto& a : leaves) check_not_output(a, where + ".");
    explicit_points_.push_back(std::move(leaves));
  }
}

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
  for (std::size_t c = 0; c < combinations; ++c) {
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
  for (const auto& a : assignments) overrides.push_back(a.key + "=" + value_text(*a.value));
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
    config = config::from_table(table, labelled);
  } catch (const UsageError& e) {
    throw relocate(e, labelled + ": ");
  }
  config.output = config::OutputOptions{};
  try {
    (void)estimate_cost(config);  // the checks only a built model would make
  } catch (const UsageError& e) {
    throw relocate(e, "");
  }

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

}  // namespace

std::string describe_overrides(const std::vector<std::string>& overrides) {
  return overrides.empty() ? "base" : join(overrides);
}

SweepSpec parse_sweep(std::string_view text, const std::string& source_name,
                      const std::filesystem::path& base_dir) {
  return Parser(text, source_name, base_dir).run();
}

SweepSpec load_sweep(const std::filesystem::path& file) {
  const std::string name = file.string();
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    throw UsageError("sweep spec '" + name + "' does not exist",
                     "check the path (relative paths start at the working directory)");
  }
  if (std::filesystem::is_directory(file, ec)) {
    throw UsageError("sweep spec '" + name + "' is a directory", "name a .toml file");
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in || !text)
    throw UsageError("cannot read sweep spec '" + name + "'", "check its permissions");
  return parse_sweep(text.str(), name, file.parent_path());
}

std::string spec_digest(const SweepSpec& spec) {
  Sha256 h;
  h.update("resqunn-sweep v1\n");
  for (const auto& p : spec.points) {
    h.update(p.id);
    h.update("\n");
  }
  return h.hex();
}

}  // namespace resqunn::sweep
