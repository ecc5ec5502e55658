// Graceful stop on SIGTERM, SIGINT and SIGUSR1 (SLURM's --signal): the
// handler only records the signal; the sweep checks at step boundaries,
// agrees across ranks, checkpoints and exits with the "resubmit" code.
#pragma once

namespace resqunn::sweep {

/// Installs the handlers for its lifetime and restores the previous ones.
class StopSignals {
public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  /// The signal received since installation (0: none).
  static int received() noexcept;
};

}  // namespace resqunn::sweep
