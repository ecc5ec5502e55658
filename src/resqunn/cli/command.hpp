// How subcommands plug into the application: each registers its CLI11
// subcommand and an action that runs once parsing succeeded and the runtime
// (MPI, Kokkos, logging) is up.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>
#include <utility>

namespace resqunn::cli {

/// Process facts an action may need.
struct Context {
  int rank = 0;
  int size = 1;
};

using Action = std::function<int(const Context&)>;

/// Collects the action of whichever subcommand the user chose.
class ActionSlot {
public:
  /// Makes `sub` store `action` when it is selected on the command line.
  void bind(CLI::App* sub, Action action);
  bool empty() const noexcept { return !action_; }
  int operator()(const Context& ctx) const { return action_(ctx); }

private:
  Action action_;
};

/// Adds subcommand `name` to `parent`, run as `run(*options, ctx)` when the
/// user chooses it; the subcommand's flags write into `*options`, which the
/// action keeps alive. `run` returns an int or an ExitCode.
template <class Options, class Run>
CLI::App* add_action(CLI::App& parent, ActionSlot& slot, std::shared_ptr<Options> options,
                     const std::string& name, const std::string& description, Run run) {
  CLI::App* sub = parent.add_subcommand(name, description);
  slot.bind(sub, [options = std::move(options), run](const Context& ctx) {
    return static_cast<int>(run(*options, ctx));
  });
  return sub;
}

void add_info_command(CLI::App& app, ActionSlot& slot);
void add_data_command(CLI::App& app, ActionSlot& slot);
void add_circuit_command(CLI::App& app, ActionSlot& slot);
void add_model_command(CLI::App& app, ActionSlot& slot);
void add_train_command(CLI::App& app, ActionSlot& slot);
void add_status_command(CLI::App& app, ActionSlot& slot);
/// `resqunn sweep` and its `plan` subcommand (command_sweep.cpp); it calls
/// add_sweep_run_command for `sweep run` (command_sweep_run.cpp).
void add_sweep_command(CLI::App& app, ActionSlot& slot);
void add_sweep_run_command(CLI::App& sweep, ActionSlot& slot);

}  // namespace resqunn::cli
