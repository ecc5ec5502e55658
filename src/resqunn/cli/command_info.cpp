// `resqunn info`: what this build and this process run on.
#include "resqunn/cli/command.hpp"
#include "resqunn/core/build_info.hpp"
#include "resqunn/data/catalog.hpp"
#include "resqunn/io/hdf5_info.hpp"
#include "resqunn/parallel/kokkos_info.hpp"
#include "resqunn/parallel/mpi_info.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <iostream>

namespace resqunn::cli {

namespace {

nlohmann::json collect(const Context& ctx) {
  const auto kokkos = parallel::kokkos_info();
  const auto mpi = parallel::mpi_info();
  const auto hdf5 = io::hdf5_info();
  return {
      {"resqunn",
       {{"version", version()},
        {"git_sha", git_sha()},
        {"git_dirty", git_dirty()},
        {"compiler", compiler()},
        {"build_type", build_type()}}},
      {"kokkos",
       {{"version", kokkos.version},
        {"backends", kokkos.backends},
        {"default_execution_space", kokkos.default_execution_space},
        {"concurrency", kokkos.concurrency}}},
      {"mpi",
       {{"library", mpi.library},
        {"standard", fmt::format("{}.{}", mpi.standard_major, mpi.standard_minor)},
        {"world_size", ctx.size}}},
      {"hdf5",
       {{"version", hdf5.version}, {"parallel", hdf5.parallel}, {"thread_safe", hdf5.thread_safe}}},
      {"data_dir", data::default_data_dir().string()},
  };
}

void print_text(const nlohmann::json& j) {
  const auto& r = j["resqunn"];
  const auto& k = j["kokkos"];
  const auto& m = j["mpi"];
  const auto& h = j["hdf5"];
  fmt::print("resqunn     {} (git {}{}), {}, {} build\n", r["version"].get<std::string>(),
             r["git_sha"].get<std::string>().substr(0, 12),
             r["git_dirty"].get<bool>() ? "-dirty" : "", r["compiler"].get<std::string>(),
             r["build_type"].get<std::string>());
  fmt::print("Kokkos      {}, backends: {}; default execution space {} with concurrency {}\n",
             k["version"].get<std::string>(),
             fmt::join(k["backends"].get<std::vector<std::string>>(), ", "),
             k["default_execution_space"].get<std::string>(), k["concurrency"].get<int>());
  fmt::print("MPI         {} (MPI {}), world size {}\n", m["library"].get<std::string>(),
             m["standard"].get<std::string>(), m["world_size"].get<int>());
  fmt::print("HDF5        {} ({}{})\n", h["version"].get<std::string>(),
             h["parallel"].get<bool>() ? "parallel" : "serial",
             h["thread_safe"].get<bool>() ? ", thread-safe" : "");
  fmt::print("data dir    {}\n", j["data_dir"].get<std::string>());
}

struct InfoOptions {
  bool json = false;
};

int run_info(const InfoOptions& o, const Context& ctx) {
  const auto j = collect(ctx);
  if (ctx.rank == 0) {
    if (o.json) {
      std::cout << j.dump(2) << '\n';
    } else {
      print_text(j);
    }
  }
  return 0;
}

}  // namespace

void add_info_command(CLI::App& app, ActionSlot& slot) {
  auto o = std::make_shared<InfoOptions>();
  auto* sub = add_action(
      app, slot, o, "info",
      "Show version, git revision, Kokkos backends and concurrency, MPI and HDF5 versions",
      run_info);
  sub->add_flag("--json", o->json, "Print machine-readable JSON instead of text");
}

}  // namespace resqunn::cli
