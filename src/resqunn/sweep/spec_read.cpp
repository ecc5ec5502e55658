// Reading a sweep spec's tables: [sweep], the base file and [base], [axes],
// [[grids]] and [[points]]; every mistake a UsageError at its position.
#include "resqunn/config/toml.hpp"
#include "resqunn/core/files.hpp"
#include "resqunn/core/text.hpp"
#include "resqunn/sweep/detail/spec_parser.hpp"

#include <algorithm>
#include <cctype>

namespace resqunn::sweep::detail {

namespace {

const std::vector<std::string> kTopLevel = {"sweep", "base", "axes", "grids", "points"};
const std::vector<std::string> kGridKeys = {"name", "combine", "base", "axes"};
const std::vector<std::string> kSweepKeys = {"name", "base", "combine", "output"};
const std::vector<std::string> kRunConfigTables = {"data", "model", "train", "trace", "output"};

using config::type_name;

}  // namespace

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
    fail(k.source(), key, "unknown key" + did_you_mean(key, kTopLevel),
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
      fail(k.source(), "sweep." + key, "unknown key" + did_you_mean(key, kSweepKeys),
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
  try {
    spec_.base_text =
        read_text_file(file, {"'" + given + "'", " (looked for " + file.string() + ")",
                              "base paths are relative to the sweep spec's directory"});
  } catch (const UsageError& e) {
    fail(&at, "sweep.base", e.problem(), e.fix());
  }
  spec_.base = file.string();
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
  std::string combine = read_string(t, "combine", false, where);
  if (t.contains("combine") && combine != "grid" && combine != "zip") {
    fail(t.get("combine"), where + ".combine",
         "unknown value '" + combine + "'" + did_you_mean(combine, {"grid", "zip"}),
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
           "write " + a.key + " = [" + config::value_text(*a.value, false) +
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
        fail(k.source(), where + "." + key, "unknown key" + did_you_mean(key, kGridKeys),
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

}  // namespace resqunn::sweep::detail
