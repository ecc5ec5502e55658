#include "resqunn/core/logging.hpp"

#include "resqunn/core/error.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <algorithm>
#include <array>
#include <memory>

namespace resqunn {

spdlog::level::level_enum parse_log_level(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, spdlog::level::level_enum>, 8> levels{{
      {"trace", spdlog::level::trace},
      {"debug", spdlog::level::debug},
      {"info", spdlog::level::info},
      {"warn", spdlog::level::warn},
      {"warning", spdlog::level::warn},
      {"error", spdlog::level::err},
      {"critical", spdlog::level::critical},
      {"off", spdlog::level::off},
  }};
  for (const auto& [key, level] : levels) {
    if (key == name) return level;
  }
  throw UsageError("unknown log level '" + std::string(name) + "'",
                   "use one of trace, debug, info, warn, error, critical, off");
}

void setup_logging(const LogSetup& setup) {
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("resqunn", sink);
  std::string pattern = "[%Y-%m-%d %H:%M:%S.%e] [%^%l%$] ";
  if (setup.size > 1) {
    pattern += "[rank " + std::to_string(setup.rank) + "/" + std::to_string(setup.size) + "] ";
  }
  logger->set_pattern(pattern + "%v");
  auto level = setup.level;
  if (setup.rank != 0 && !setup.all_ranks) level = std::max(level, spdlog::level::warn);
  logger->set_level(level);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace resqunn
