// `resqunn sweep`: the command group for sweeps. `sweep plan SWEEP.toml`
// expands and checks a spec and lists its points with their relative cost,
// running nothing; `sweep run` (command_sweep_run.cpp) runs them.
#include "resqunn/cli/command.hpp"
#include "resqunn/core/text.hpp"
#include "resqunn/parallel/agreement.hpp"
#include "resqunn/runner/point.hpp"
#include "resqunn/sweep/cost.hpp"
#include "resqunn/sweep/engine.hpp"
#include "resqunn/sweep/spec.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

namespace resqunn::cli {

namespace {

struct PlanOptions {
  std::string spec;
  bool json = false;
  bool all = false;
};

// A table of more points than this lists the first kHeadRows and the last
// kTailRows (--all lists every one): 10^6 rows help no one on a terminal.
constexpr std::size_t kHeadRows = 20;
constexpr std::size_t kTailRows = 5;
constexpr std::size_t kMaxRows = kHeadRows + kTailRows + 10;

std::string mebibytes(std::uint64_t bytes) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buffer;
}

struct PlannedPoint {
  double work = 0.0;  // estimate_cost(...).total
  int epochs = 0;
  int steps = 0;
};

std::string fixed(double v, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, v);
  return buffer;
}

// The points' estimated work, epochs and steps, and their totals.
struct Planned {
  std::vector<PlannedPoint> rows;
  double cheapest = 0.0, total_work = 0.0;
  long total_epochs = 0, total_steps = 0;

  /// Work relative to the cheapest point (1 when nothing costs anything).
  double relative(double work) const { return cheapest > 0.0 ? work / cheapest : 1.0; }
};

Planned plan_points(const sweep::SweepSpec& spec) {
  Planned planned;
  for (const auto& p : spec.points) {
    PlannedPoint r;
    r.work = sweep::estimated_cost(p);
    r.epochs = p.config.train.epochs;
    r.steps = runner::total_steps(p.config);
    planned.cheapest = planned.rows.empty() ? r.work : std::min(planned.cheapest, r.work);
    planned.total_work += r.work;
    planned.total_epochs += r.epochs;
    planned.total_steps += r.steps;
    planned.rows.push_back(r);
  }
  return planned;
}

std::string plan_json(const sweep::SweepSpec& spec, const Planned& planned,
                      const std::string& digest, std::uint64_t file_bytes) {
  const auto& rows = planned.rows;
  nlohmann::json j;
  j["name"] = spec.name;
  j["source"] = spec.source;
  j["base"] = spec.base;
  j["combine"] = spec.combine;
  j["output"] = spec.output;
  j["estimated_file_bytes"] = file_bytes;
  j["digest"] = digest;
  j["axes"] = spec.axis_keys;
  j["grids"] = nlohmann::json::array();
  for (const auto& grid : spec.grid_infos) {
    j["grids"].push_back(
        {{"name", grid.name}, {"combine", grid.combine}, {"axes", grid.axis_keys}});
  }
  j["points"] = nlohmann::json::array();
  for (std::size_t i = 0; i < spec.points.size(); ++i) {
    const auto& p = spec.points[i];
    j["points"].push_back({{"index", i},
                           {"id", p.id},
                           {"from", i < spec.axis_points     ? "axes"
                                    : !spec.grids[i].empty() ? "grids"
                                                             : "points"},
                           {"grid", spec.grids[i]},
                           {"overrides", spec.overrides[i]},
                           {"cost", planned.relative(rows[i].work)},
                           {"work", rows[i].work},
                           {"epochs", rows[i].epochs},
                           {"steps", rows[i].steps},
                           {"train_images", p.config.data.train},
                           {"validation_images", p.config.data.validation}});
  }
  j["totals"] = {{"points", spec.points.size()},
                 {"epochs", planned.total_epochs},
                 {"steps", planned.total_steps},
                 {"cost", planned.relative(planned.total_work)},
                 {"work", planned.total_work}};
  return j.dump(2) + "\n";
}

// The table's heading: name, point count, where the points come from
// ([axes], each [[grids]] entry, [[points]]), base, results and digest.
void plan_heading(std::ostream& out, const sweep::SweepSpec& spec, const std::string& digest,
                  std::uint64_t file_bytes) {
  const std::size_t n = spec.points.size();
  out << "sweep " << spec.name << " (" << spec.source << "): " << n << " point"
      << (n == 1 ? "" : "s");
  std::vector<std::string> parts;
  if (!spec.axis_keys.empty()) parts.push_back(spec.combine + " over " + join(spec.axis_keys));
  for (const auto& grid : spec.grid_infos) {
    const auto size = std::count(spec.grids.begin(), spec.grids.end(), grid.name);
    parts.push_back("grid " + grid.name + " (" + std::to_string(size) + ", " + grid.combine +
                    " over " + join(grid.axis_keys) + ")");
  }
  const std::size_t explicit_points =
      static_cast<std::size_t>(std::count(spec.grids.begin(), spec.grids.end(), "")) -
      spec.axis_points;
  if (!parts.empty()) {
    if (explicit_points > 0) parts.push_back(std::to_string(explicit_points) + " explicit");
    out << ", " << join(parts, " + ");
  }
  out << "\n";
  if (!spec.base.empty()) out << "base:    " << spec.base << "\n";
  out << "results: " << spec.output << " (about " << mebibytes(file_bytes) << " when created)\n";
  out << "digest:  " << digest << "\n\n";
}

std::string plan_table(const sweep::SweepSpec& spec, const Planned& planned,
                       const std::string& digest, std::uint64_t file_bytes, bool all) {
  const auto& rows = planned.rows;
  std::ostringstream out;
  plan_heading(out, spec, digest, file_bytes);
  const std::size_t n = spec.points.size();
  std::size_t cost_width = 4;
  for (const auto& r : rows) {
    cost_width = std::max(cost_width, fixed(planned.relative(r.work), 2).size());
  }
  const auto pad = [](const std::string& s, std::size_t w) {
    return s.size() >= w ? s : std::string(w - s.size(), ' ') + s;
  };
  const std::size_t index_width = std::max<std::size_t>(5, std::to_string(n).size());
  out << pad("point", index_width) << "  id" << std::string(16 - 2, ' ') << "  "
      << pad("cost", cost_width) << "  epochs     steps  overrides\n";
  const bool summarised = !all && n > kMaxRows;
  for (std::size_t i = 0; i < n; ++i) {
    if (summarised && i == kHeadRows) {
      out << pad("...", index_width) << "  (" << n - kHeadRows - kTailRows
          << " more points; --all lists every one, --json all of them with their details)\n";
      i = n - kTailRows;
    }
    out << pad(std::to_string(i), index_width) << "  " << spec.points[i].id << "  "
        << pad(fixed(planned.relative(rows[i].work), 2), cost_width) << "  "
        << pad(std::to_string(rows[i].epochs), 6) << "  " << pad(std::to_string(rows[i].steps), 8)
        << "  " << sweep::describe_overrides(spec.overrides[i]) << "\n";
  }
  out << "\ntotal: " << n << " point" << (n == 1 ? "" : "s") << ", " << planned.total_epochs
      << " epochs, " << planned.total_steps << " steps; cost "
      << fixed(planned.relative(planned.total_work), 2)
      << " (relative: the cheapest point = 1.00; docs/sweeps.md)\n";
  return out.str();
}

std::string plan(const PlanOptions& o) {
  const auto spec = sweep::load_sweep(o.spec);
  const Planned planned = plan_points(spec);
  const std::string digest = sweep::spec_digest(spec);
  const std::uint64_t file_bytes = sweep::estimated_results_bytes(spec);
  return o.json ? plan_json(spec, planned, digest, file_bytes)
                : plan_table(spec, planned, digest, file_bytes, o.all);
}

int run_plan(const PlanOptions& o, const Context& ctx) {
  const auto text = parallel::collectively(MPI_COMM_WORLD,
                                           [&] { return ctx.rank == 0 ? plan(o) : std::string(); });
  if (ctx.rank == 0) std::cout << text << std::flush;
  return 0;
}

}  // namespace

void add_sweep_command(CLI::App& app, ActionSlot& slot) {
  auto* sweep = app.add_subcommand("sweep", "Plan and run hyperparameter sweeps (docs/sweeps.md)");
  sweep->require_subcommand(1);

  auto o = std::make_shared<PlanOptions>();
  auto* plan_cmd = add_action(*sweep, slot, o, "plan",
                              "Expand and check a sweep spec and list its points (ids, overrides, "
                              "relative cost, epochs, steps) without running anything",
                              run_plan);
  plan_cmd->add_option("SWEEP", o->spec, "Sweep spec (TOML; format: docs/sweeps.md)")->required();
  plan_cmd->add_flag("--json", o->json, "Print machine-readable JSON instead of a table");
  plan_cmd->add_flag("--all", o->all,
                     "List every point (a table of more than " + std::to_string(kMaxRows) +
                         " shows the first " + std::to_string(kHeadRows) + " and the last " +
                         std::to_string(kTailRows) + ")");

  add_sweep_run_command(*sweep, slot);
}

}  // namespace resqunn::cli
