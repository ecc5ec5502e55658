// Entry point of the `resqunn` command line. Exit codes (docs/cli.md):
//   0 success, 1 runtime failure (data, I/O, MPI), 2 invalid usage
//   (arguments, config), 3 reserved: checkpointed, resubmit (sweeps).
#pragma once

namespace resqunn::cli {

enum ExitCode : int { ok = 0, failure = 1, usage = 2, resubmit = 3 };

/// Parses arguments, starts the runtime (MPI, Kokkos) and runs the chosen
/// subcommand. Never throws: errors are logged and turned into exit codes.
int run(int argc, char** argv);

}  // namespace resqunn::cli
