#include "resqunn/train/options.hpp"

#include <string>

#include "resqunn/core/error.hpp"

namespace resqunn::train {

std::string_view to_string(OptimizerKind k) noexcept {
  return k == OptimizerKind::adam ? "adam" : "sgd";
}

OptimizerKind parse_optimizer(std::string_view name) {
  if (name == "adam") return OptimizerKind::adam;
  if (name == "sgd") return OptimizerKind::sgd;
  throw UsageError("unknown optimizer '" + std::string(name) + "'", "use one of: adam, sgd");
}

}  // namespace resqunn::train
