#include "resqunn/cli/app.hpp"

#include "resqunn/cli/command.hpp"
#include "resqunn/core/build_info.hpp"
#include "resqunn/core/error.hpp"
#include "resqunn/core/logging.hpp"
#include "resqunn/io/hdf5.hpp"
#include "resqunn/parallel/agreement.hpp"
#include "resqunn/parallel/runtime.hpp"

#include <mpi.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

namespace resqunn::cli {

void ActionSlot::bind(CLI::App* sub, Action action) {
  sub->callback([this, action = std::move(action)] { action_ = action; });
}

namespace {

struct GlobalOptions {
  std::string log_level = "info";
  bool log_all_ranks = false;
  int threads = 0;
};

void add_global_options(CLI::App& app, GlobalOptions& g) {
  app.add_option("--log-level", g.log_level, "Log verbosity: trace, debug, info, warn, error, off")
      ->envname("RESQUNN_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
  app.add_flag("--log-all-ranks", g.log_all_ranks,
               "Under MPI, let every rank log info messages (default: rank 0 only)");
  app.add_option("--threads", g.threads,
                 "Kokkos host threads per rank, at most the machine's hardware threads "
                 "(default: OMP_NUM_THREADS, else all cores)")
      ->check(CLI::Validator(
          [](const std::string& value) -> std::string {
            // A plain message: CLI11's range check prints DBL_MAX in full.
            std::size_t used = 0;
            int n = -1;
            try {
              n = std::stoi(value, &used);
            } catch (const std::exception&) {
              used = 0;
            }
            if (used == value.size() && n >= 0) return {};
            return "--threads " + value +
                   ": not a thread count; use a positive number (or leave it out: "
                   "OMP_NUM_THREADS, else every core)";
          },
          "COUNT"));
}

// An error one rank saw alone cannot unwind through MPI_Finalize on a
// multi-rank run: peers may wait in a collective forever. Abort instead.
[[noreturn]] void abort_world(int code) {
  spdlog::default_logger()->flush();
  MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);
}

// An agreed error is known to every rank: rank 0 reports it once, all
// ranks return the same code and finalize together.
int report(const std::exception& e, int code, int rank, int size) {
  const bool agreed = parallel::is_agreed(e);
  if (!agreed || rank == 0) spdlog::error("{}", e.what());
  if (size > 1 && !agreed) abort_world(code);
  return code;
}

// CLI11 reports an unknown word in the subcommand position as "A subcommand
// is required"; name the word and the valid commands instead. Subcommands
// fall through to the top level, so the word belongs to the innermost
// command given: if that takes no subcommands (`train a b`), the word is an
// unexpected argument and CLI11's own message says so.
std::string unknown_subcommand_message(const CLI::App& app) {
  const auto extras = app.remaining();
  if (extras.empty() || extras.front().rfind('-', 0) == 0) return {};
  const CLI::App* at = &app;
  std::string path;
  while (!at->get_subcommands().empty()) {
    at = at->get_subcommands().front();
    path += " " + at->get_name();
  }
  const auto subs = at->get_subcommands({});
  if (subs.empty()) return {};
  std::string known;
  for (const auto* sub : subs) known += (known.empty() ? "" : ", ") + sub->get_name();
  return "unknown command '" + extras.front() + "'" +
         (path.empty() ? "" : " for `resqunn" + path + "`") + " (commands: " + known +
         ")\n"
         "Run `resqunn" +
         path + " --help` for more information.";
}

// The rank a launcher gave this process, read before MPI starts (command
// lines are parsed first, so that --help needs no MPI): Open MPI, MPICH's
// Hydra, PMIx and srun each set one of these. 0 when none is set.
int launcher_rank() {
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"}) {
    if (const char* v = std::getenv(name); v != nullptr && *v != '\0') {
      char* end = nullptr;
      const long r = std::strtol(v, &end, 10);
      if (end != nullptr && *end == '\0' && r >= 0) return static_cast<int>(r);
    }
  }
  return 0;
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{
      "resqunn: batched quantum-circuit simulation and MPI hyperparameter sweeps of "
      "residual quanvolutional neural networks (ResQuNNs).",
      "resqunn"};
  app.set_version_flag("--version", std::string("resqunn ") + version());
  app.require_subcommand(1);
  app.fallthrough();
  app.footer(
      "Exit codes: 0 ok, 1 failure, 2 invalid usage, 3 checkpointed (resubmit).\n"
      "Run `resqunn SUBCOMMAND --help` for the options of a subcommand.");

  GlobalOptions global;
  add_global_options(app, global);
  ActionSlot action;
  add_info_command(app, action);
  add_data_command(app, action);
  add_circuit_command(app, action);
  add_model_command(app, action);
  add_train_command(app, action);
  add_status_command(app, action);
  add_sweep_command(app, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Every rank of `mpirun -n N` parses the same words: one says what is
    // wrong (or prints the help), the others exit with the same code.
    std::ostringstream discard;
    const bool speaks = launcher_rank() == 0;
    std::ostream& out = speaks ? std::cout : discard;
    std::ostream& err = speaks ? std::cerr : discard;
    int rc = ExitCode::usage;
    if (const auto msg = unknown_subcommand_message(app); !msg.empty()) {
      err << msg << '\n';
    } else {
      rc = app.exit(e, out, err) == 0 ? ExitCode::ok : ExitCode::usage;  // help, version, error
    }
    // The launcher ends the job at the first non-zero exit, dropping output
    // not yet forwarded: the silent ranks leave rank 0 time to be heard.
    if (!speaks && rc != ExitCode::ok) std::this_thread::sleep_for(std::chrono::milliseconds(500));
    return rc;
  }

  try {
    // Logging works before MPI is up, so that runtime start-up errors show.
    const auto level = parse_log_level(global.log_level);
    setup_logging({level, 0, 1, global.log_all_ranks});
    parallel::Runtime runtime(argc, argv, {global.threads});
    setup_logging({level, runtime.rank(), runtime.size(), global.log_all_ranks});
    // Errors are handled while the runtime is alive: an error only one rank
    // saw must abort before MPI_Finalize could wait for the others.
    const int code = [&] {
      try {
        return action({runtime.rank(), runtime.size()});
      } catch (const UsageError& e) {
        return report(e, ExitCode::usage, runtime.rank(), runtime.size());
      } catch (const std::exception& e) {
        return report(e, ExitCode::failure, runtime.rank(), runtime.size());
      }
    }();
    // Every results file is closed by now; HDF5 shuts down before MPI does.
    io::h5::close_library();
    return code;
  } catch (const UsageError& e) {
    return report(e, ExitCode::usage, 0, 1);
  } catch (const std::exception& e) {
    return report(e, ExitCode::failure, 0, 1);
  }
}

}  // namespace resqunn::cli
