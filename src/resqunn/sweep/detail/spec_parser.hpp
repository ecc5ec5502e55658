// The sweep spec reader: one pass over the TOML document that checks every
// table ([sweep], [base], [axes], [[grids]], [[points]]) and expands the
// grids and points into validated, unique points. Internal to the sweep
// component: spec_read.cpp reads the tables, spec_expand.cpp expands them.
#pragma once

#include "resqunn/core/error.hpp"
#include "resqunn/sweep/detail/toml_leaves.hpp"
#include "resqunn/sweep/spec.hpp"

#include <toml++/toml.h>

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace resqunn::sweep::detail {

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

}  // namespace resqunn::sweep::detail
