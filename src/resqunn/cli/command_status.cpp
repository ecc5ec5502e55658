// `resqunn status results.h5`: a table of a results file's points — id, the
// hyperparameters that vary, state, epochs, best validation accuracy, wall
// time. Safe while a sweep writes the file (readers never lock it).
#include <fmt/format.h>
#include <iostream>
#include <nlohmann/json.hpp>

#include "resqunn/cli/command.hpp"
#include "resqunn/io/results.hpp"
#include "resqunn/parallel/agreement.hpp"

namespace resqunn::cli {

namespace {

struct StatusOptions {
  std::string file;
  bool json = false;
  bool all_params = false;
};

struct Row {
  std::string id;
  std::vector<std::string> params;
  io::PointSummary summary;
};

// The hyperparameter columns whose values differ between points (all of
// them for a single point would be noise: none then).
std::vector<std::size_t> varying(const std::vector<Row>& rows, std::size_t columns) {
  std::vector<std::size_t> out;
  for (std::size_t c = 0; c < columns; ++c) {
    for (const auto& r : rows) {
      if (r.params[c] != rows.front().params[c]) {
        out.push_back(c);
        break;
      }
    }
  }
  return out;
}

std::string wall(double s) {
  if (!(s >= 0)) return "-";
  if (s < 60) return fmt::format("{:.1f}s", s);
  if (s < 3600)
    return fmt::format("{}m{:02}s", static_cast<long>(s) / 60, static_cast<long>(s) % 60);
  return fmt::format("{}h{:02}m", static_cast<long>(s) / 3600, (static_cast<long>(s) % 3600) / 60);
}

int run_status(const StatusOptions& o, const Context& ctx) {
  parallel::collectively(MPI_COMM_WORLD, [&] {
    if (ctx.rank != 0) return;
    const auto file = io::ResultsFile::open(o.file, io::OpenMode::read_only);
    const auto& layout = file.layout();
    const auto summaries = file.read_summaries();
    const auto ids = file.read_point_ids();
    const auto params = file.read_params();  // [column][point]
    std::vector<Row> rows(summaries.size());
    for (std::size_t p = 0; p < rows.size(); ++p) {
      rows[p].id = ids[p];
      rows[p].summary = summaries[p];
      for (const auto& column : params) rows[p].params.push_back(column[p]);
    }
    std::vector<std::size_t> cols;
    if (o.all_params) {
      for (std::size_t c = 0; c < layout.param_names.size(); ++c) cols.push_back(c);
    } else {
      cols = varying(rows, layout.param_names.size());
    }
    std::size_t counts[4] = {0, 0, 0, 0};
    for (const auto& r : rows) ++counts[static_cast<int>(r.summary.state) & 3];

    if (o.json) {
      nlohmann::json j;
      j["file"] = o.file;
      j["points"] = rows.size();
      j["epochs"] = layout.epochs;
      for (const auto& r : rows) {
        nlohmann::json row = {
            {"id", r.id},
            {"state", io::to_string(r.summary.state)},
            {"epochs_done", r.summary.epochs_done},
            {"best_val_acc", r.summary.best_val_acc >= 0 ? nlohmann::json(r.summary.best_val_acc)
                                                         : nlohmann::json()},
            {"wall_s",
             r.summary.wall_s >= 0 ? nlohmann::json(r.summary.wall_s) : nlohmann::json()}};
        for (auto c : cols) row["params"][layout.param_names[c]] = r.params[c];
        j["rows"].push_back(row);
      }
      std::cout << j.dump(2) << '\n';
      return;
    }
    // Column widths from the content.
    std::vector<std::string> header = {"#", "id"};
    for (auto c : cols) header.push_back(layout.param_names[c]);
    for (const char* h : {"state", "epochs", "best val acc", "wall"}) header.emplace_back(h);
    std::vector<std::vector<std::string>> table;
    for (std::size_t p = 0; p < rows.size(); ++p) {
      const auto& r = rows[p];
      std::vector<std::string> line = {std::to_string(p), r.id.empty() ? "-" : r.id};
      for (auto c : cols) line.push_back(r.params[c]);
      line.emplace_back(io::to_string(r.summary.state));
      line.push_back(r.summary.epochs_done < 0
                         ? "-"
                         : fmt::format("{}/{}", r.summary.epochs_done, layout.epochs));
      line.push_back(
          r.summary.best_val_acc >= 0 ? fmt::format("{:.1f}%", 100 * r.summary.best_val_acc) : "-");
      line.push_back(wall(r.summary.wall_s));
      table.push_back(std::move(line));
    }
    std::vector<std::size_t> width(header.size());
    for (std::size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
    for (const auto& line : table) {
      for (std::size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], line[i].size());
    }
    auto print = [&](const std::vector<std::string>& line) {
      std::string s;
      for (std::size_t i = 0; i < line.size(); ++i) {
        s += fmt::format("{:<{}}", line[i], width[i]) + (i + 1 < line.size() ? "  " : "");
      }
      while (!s.empty() && s.back() == ' ') s.pop_back();
      std::cout << s << '\n';
    };
    std::cout << fmt::format("{}: {} points: {} done, {} running, {} pending, {} failed\n", o.file,
                             rows.size(), counts[2], counts[1], counts[0], counts[3]);
    print(header);
    for (const auto& line : table) print(line);
  });
  return 0;
}

}  // namespace

void add_status_command(CLI::App& app, ActionSlot& slot) {
  auto o = std::make_shared<StatusOptions>();
  auto* sub = app.add_subcommand(
      "status",
      "Show the points of a results file: varying hyperparameters, state, epochs, best validation "
      "accuracy, wall time (safe while a sweep writes it)");
  sub->add_option("RESULTS", o->file, "Results file (HDF5) written by `train` or `sweep run`")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_flag("--json", o->json, "Print machine-readable JSON");
  sub->add_flag("--all-params", o->all_params,
                "Show every hyperparameter column, not only those that vary");
  slot.bind(sub, [o](const Context& ctx) { return run_status(*o, ctx); });
}

}  // namespace resqunn::cli
