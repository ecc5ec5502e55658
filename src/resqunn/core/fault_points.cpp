#include "resqunn/core/fault_points.hpp"

#include <csignal>
#include <cstdlib>
#include <cstring>

namespace resqunn {

void fault_point(const char* name) {
  static const char* const target = std::getenv("RESQUNN_KILL_AT");
  if (target != nullptr && std::strcmp(target, name) == 0) std::raise(SIGKILL);
}

}  // namespace resqunn
