// `resqunn train CONFIG -o run.h5`: train one configured model and record
// metrics, gradient traces and final weights in an HDF5 results file.
#include "resqunn/cli/command.hpp"
#include "resqunn/cli/output_path.hpp"
#include "resqunn/cli/provenance.hpp"
#include "resqunn/config/run_config.hpp"
#include "resqunn/core/error.hpp"
#include "resqunn/core/process_info.hpp"
#include "resqunn/core/writer_lock.hpp"
#include "resqunn/data/catalog.hpp"
#include "resqunn/io/provenance.hpp"
#include "resqunn/parallel/agreement.hpp"
#include "resqunn/runner/point.hpp"
#include "resqunn/runner/train_point.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>

namespace resqunn::cli {

namespace {

struct TrainOptions {
  std::string config;
  std::string output;
  std::string data_dir;
  bool overwrite = false;
};

int run_train(const TrainOptions& o, const Context& ctx) {
  // Rank 0 trains; the others wait for the outcome, so that an error on
  // rank 0 ends every rank the same way. (Data-parallel training across
  // ranks is the sweep engine's job.)
  parallel::collectively(MPI_COMM_WORLD, [&] {
    if (ctx.rank != 0) return;
    if (ctx.size > 1) {
      spdlog::warn("resqunn train uses one process; the other {} ranks idle", ctx.size - 1);
    }
    const auto config = config::load_run_config(o.config);
    const auto point = runner::make_point(config);
    const std::filesystem::path out =
        results_path(o.output, config.output.path, "output.path", {o.config});
    const std::filesystem::path data_dir =
        o.data_dir.empty() ? data::default_data_dir() : std::filesystem::path(o.data_dir);
    // Check the data before creating the output: a bad run leaves no file.
    const auto data = train::load_training_data(config.data, data_dir);
    std::vector<std::string> columns;
    for (const auto& kv : config::flatten(config)) columns.push_back(kv.first);
    const auto layout = runner::layout_for({point}, columns);
    const auto lock = WriterLock::acquire(out);
    auto provenance = run_provenance(ctx);
    provenance.data_manifests =
        config.data.dataset + "=" + data::manifest_sha256(config.data.dataset, data_dir);
    auto file = io::ResultsFile::create(out, layout, point.canonical(), provenance, o.overwrite);
    file.write_point_info(0, runner::point_info(point, layout));
    file.publish();
    spdlog::info("training point {} ({} train / {} validation images, {} epochs) -> {}", point.id,
                 data.train.labels.size(), data.validation.labels.size(), config.train.epochs,
                 out.string());
    runner::PointContext context;
    context.file = &file;
    const auto outcome = runner::train_point(point, data, context);
    file.set_end_time(utc_timestamp());
    file.close();
    spdlog::info("done: best validation accuracy {:.1f}%, {:.1f} s; results in {}",
                 100.0 * outcome.best_val_acc, outcome.wall_s, out.string());
  });
  return 0;
}

}  // namespace

void add_train_command(CLI::App& app, ActionSlot& slot) {
  auto o = std::make_shared<TrainOptions>();
  auto* sub = add_action(
      app, slot, o, "train",
      "Train one model from a TOML config and write metrics, gradient traces and weights to HDF5",
      run_train);
  sub->add_option("CONFIG", o->config,
                  "Run config (TOML), e.g. examples/quickstart.toml; keys: "
                  "docs/config.md")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("-o,--output", o->output,
                  "Results file (HDF5; default: the config's output.path); schema: "
                  "docs/hdf5-schema.md")
      ->check(non_empty_path());
  sub->add_flag("--overwrite", o->overwrite, "Replace an existing results file");
  sub->add_option("--data-dir", o->data_dir,
                  "Dataset directory (default: $RESQUNN_DATA, else ~/.cache/resqunn/data)");
}

}  // namespace resqunn::cli
