// Process-wide logging on spdlog. Messages go to stderr so that stdout stays
// machine-readable (JSON, tables). Under MPI with more than one rank every
// line carries "[rank r/N]"; by default only rank 0 logs below `warn`.
#pragma once

#include <spdlog/spdlog.h>

#include <string>
#include <string_view>

namespace resqunn {

/// Parses "trace|debug|info|warn|error|critical|off"; throws UsageError
/// naming the valid levels otherwise.
spdlog::level::level_enum parse_log_level(std::string_view name);

struct LogSetup {
  spdlog::level::level_enum level = spdlog::level::info;
  int rank = 0;
  int size = 1;
  /// When false, ranks other than 0 only report warnings and errors.
  bool all_ranks = false;
};

/// Installs the default logger. Safe to call again (e.g. once MPI is up).
void setup_logging(const LogSetup& setup);

}  // namespace resqunn
