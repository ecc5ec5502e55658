// `resqunn status results.h5`: a table of a results file's points — id, the
// hyperparameters that vary, state, epochs, best validation accuracy, wall
// time. Safe while a sweep writes the file (readers never lock it).
#include "resqunn/cli/command.hpp"
#include "resqunn/core/writer_lock.hpp"
#include "resqunn/io/results.hpp"
#include "resqunn/parallel/agreement.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iostream>
#include <optional>

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

// The file's points with their ids, summaries and hyperparameters, and the
// columns to show (those that vary between points, or all).
struct StatusTable {
  std::vector<Row> rows;
  std::vector<std::size_t> cols;
  io::ResultsLayout layout;
  std::optional<LockHolder> writer;  // the lock file's holder, if any
};

StatusTable read_status(const StatusOptions& o) {
  const auto file = io::ResultsFile::open(o.file, io::OpenMode::read_only);
  StatusTable t;
  t.layout = file.layout();
  t.writer = WriterLock::holder(o.file);
  const auto summaries = file.read_summaries();
  const auto ids = file.read_point_ids();
  const auto params = file.read_params();  // [column][point]
  t.rows.resize(summaries.size());
  for (std::size_t p = 0; p < t.rows.size(); ++p) {
    t.rows[p].id = ids[p];
    t.rows[p].summary = summaries[p];
    for (const auto& column : params) t.rows[p].params.push_back(column[p]);
  }
  if (o.all_params) {
    for (std::size_t c = 0; c < t.layout.param_names.size(); ++c) t.cols.push_back(c);
  } else {
    t.cols = varying(t.rows, t.layout.param_names.size());
  }
  return t;
}

void print_json(const StatusOptions& o, const StatusTable& t) {
  nlohmann::json j;
  j["file"] = o.file;
  j["points"] = t.rows.size();
  j["epochs"] = t.layout.epochs;
  if (t.writer) {
    j["writer"] = {{"host", t.writer->host},
                   {"pid", t.writer->pid},
                   {"since", t.writer->since},
                   {"slurm_job", t.writer->slurm_job}};
  }
  const auto or_null = [](double v) { return v >= 0 ? nlohmann::json(v) : nlohmann::json(); };
  for (const auto& r : t.rows) {
    nlohmann::json row = {{"id", r.id},
                          {"state", io::to_string(r.summary.state)},
                          {"epochs_done", r.summary.epochs_done},
                          {"best_val_acc", or_null(r.summary.best_val_acc)},
                          {"wall_s", or_null(r.summary.wall_s)}};
    for (auto c : t.cols) row["params"][t.layout.param_names[c]] = r.params[c];
    j["rows"].push_back(row);
  }
  std::cout << j.dump(2) << '\n';
}

void print_table(const StatusOptions& o, const StatusTable& t) {
  std::size_t counts[4] = {0, 0, 0, 0};
  for (const auto& r : t.rows) ++counts[static_cast<int>(r.summary.state) & 3];
  std::vector<std::string> header = {"#", "id"};
  for (auto c : t.cols) header.push_back(t.layout.param_names[c]);
  for (const char* h : {"state", "epochs", "best val acc", "wall"}) header.emplace_back(h);
  std::vector<std::vector<std::string>> table;
  for (std::size_t p = 0; p < t.rows.size(); ++p) {
    const auto& r = t.rows[p];
    std::vector<std::string> line = {std::to_string(p), r.id.empty() ? "-" : r.id};
    for (auto c : t.cols) line.push_back(r.params[c]);
    line.emplace_back(io::to_string(r.summary.state));
    line.push_back(r.summary.epochs_done < 0
                       ? "-"
                       : fmt::format("{}/{}", r.summary.epochs_done, t.layout.epochs));
    line.push_back(
        r.summary.best_val_acc >= 0 ? fmt::format("{:.1f}%", 100 * r.summary.best_val_acc) : "-");
    line.push_back(wall(r.summary.wall_s));
    table.push_back(std::move(line));
  }
  // Column widths from the content.
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
                           t.rows.size(), counts[2], counts[1], counts[0], counts[3]);
  if (t.writer) {
    std::cout << fmt::format("written by {} (or left locked by a run that was killed)\n",
                             describe(*t.writer));
  }
  print(header);
  for (const auto& line : table) print(line);
}

int run_status(const StatusOptions& o, const Context& ctx) {
  parallel::collectively(MPI_COMM_WORLD, [&] {
    if (ctx.rank != 0) return;
    const StatusTable t = read_status(o);
    if (o.json) {
      print_json(o, t);
    } else {
      print_table(o, t);
    }
  });
  return 0;
}

}  // namespace

void add_status_command(CLI::App& app, ActionSlot& slot) {
  auto o = std::make_shared<StatusOptions>();
  auto* sub = add_action(
      app, slot, o, "status",
      "Show the points of a results file: varying hyperparameters, state, epochs, best validation "
      "accuracy, wall time (safe while a sweep writes it)",
      run_status);
  sub->add_option("RESULTS", o->file, "Results file (HDF5) written by `train` or `sweep run`")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_flag("--json", o->json, "Print machine-readable JSON");
  sub->add_flag("--all-params", o->all_params,
                "Show every hyperparameter column, not only those that vary");
}

}  // namespace resqunn::cli
