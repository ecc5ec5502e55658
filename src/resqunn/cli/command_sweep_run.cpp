// `resqunn sweep run SWEEP.toml -o results.h5 [--group-size G]`: run a
// sweep over MPI rank groups (docs/sweeps.md).
#include "resqunn/cli/app.hpp"
#include "resqunn/cli/command.hpp"
#include "resqunn/cli/output_path.hpp"
#include "resqunn/cli/provenance.hpp"
#include "resqunn/data/catalog.hpp"
#include "resqunn/parallel/agreement.hpp"
#include "resqunn/sweep/engine.hpp"
#include "resqunn/sweep/spec.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <vector>

namespace resqunn::cli {

namespace {

struct SweepRunOptions {
  std::string spec;
  std::string output;
  std::string data_dir;
  int group_size = 1;
  bool overwrite = false;
};

int run_sweep(const SweepRunOptions& o, const Context& ctx) {
  // Every rank expands the spec; an invalid one fails on all of them alike.
  const auto spec =
      parallel::collectively(MPI_COMM_WORLD, [&] { return sweep::load_sweep(o.spec); });
  sweep::RunOptions run;
  run.output = parallel::collectively(MPI_COMM_WORLD, [&] {
    std::vector<std::filesystem::path> inputs{o.spec};
    if (!spec.base.empty()) inputs.emplace_back(spec.base);
    return results_path(o.output, spec.output, "sweep.output", inputs);
  });
  run.overwrite = o.overwrite;
  run.group_size = o.group_size;
  run.data_dir = o.data_dir.empty() ? data::default_data_dir() : std::filesystem::path(o.data_dir);
  run.provenance = run_provenance(ctx);
  // Before any work: every rank runs the same sweep into the same file.
  parallel::require_same(MPI_COMM_WORLD, {{"sweep spec (its text, or its base config's)",
                                           spec.text + '\0' + spec.base_text},
                                          {"-o/--output", run.output.string()},
                                          {"-g/--group-size", std::to_string(run.group_size)},
                                          {"--overwrite", run.overwrite ? "yes" : "no"},
                                          {"--data-dir", run.data_dir.string()}});
  const auto r = sweep::run_sweep(spec, run, MPI_COMM_WORLD);
  if (r.stopped) {
    if (ctx.rank == 0) {
      spdlog::warn(
          "stopped by a signal with {}/{} points done; everything is checkpointed in {}. "
          "Run the same command again to resume (exit code {})",
          r.done, r.points, run.output.string(), static_cast<int>(ExitCode::resubmit));
    }
    return ExitCode::resubmit;
  }
  if (ctx.rank == 0) {
    spdlog::info(
        "sweep {} complete: {}/{} points done in {:.1f} s (writing results: {:.2f} s, "
        "{:.1f}% of rank time); results in {} (see `resqunn status {}`)",
        spec.name, r.done, r.points, r.wall_s, r.io_s,
        r.wall_s > 0 ? 100.0 * r.io_s / (r.wall_s * ctx.size) : 0.0, run.output.string(),
        run.output.string());
  }
  return ExitCode::ok;
}

}  // namespace

void add_sweep_run_command(CLI::App& sweep, ActionSlot& slot) {
  auto o = std::make_shared<SweepRunOptions>();
  auto* sub = add_action(
      sweep, slot, o, "run",
      "Run (or resume) a sweep under MPI: mpirun -n N resqunn sweep run SWEEP.toml -o results.h5",
      run_sweep);
  sub->add_option("SWEEP", o->spec, "Sweep spec (TOML; format: docs/sweeps.md)")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("-o,--output", o->output,
                  "Results file (HDF5; default: the spec's sweep.output, else <name>.h5). An "
                  "existing file of the same sweep is resumed")
      ->check(non_empty_path());
  sub->add_option("-g,--group-size", o->group_size,
                  "MPI ranks per group: a group trains one point at a time, its ranks sharing "
                  "each batch; must divide the rank count")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  sub->add_flag("--overwrite", o->overwrite,
                "Replace an existing results file instead of resuming it");
  sub->add_option("--data-dir", o->data_dir,
                  "Dataset directory (default: $RESQUNN_DATA, else ~/.cache/resqunn/data)");
}

}  // namespace resqunn::cli
