#include "resqunn/train/options.hpp"

#include "resqunn/core/error.hpp"
#include "resqunn/core/text.hpp"

#include <string>

namespace resqunn::train {

namespace {

constexpr Named<OptimizerKind> kOptimizers[] = {{OptimizerKind::adam, "adam"},
                                                {OptimizerKind::sgd, "sgd"}};

}  // namespace

std::string_view to_string(OptimizerKind k) noexcept { return name_of(k, kOptimizers); }

OptimizerKind parse_optimizer(std::string_view name) {
  return parse_name(name, kOptimizers, "optimizer");
}

}  // namespace resqunn::train
