#include "resqunn/core/profiling.hpp"

#include <atomic>

namespace resqunn {

namespace {

std::atomic<void (*)(const char*)> g_push{nullptr};
std::atomic<void (*)()> g_pop{nullptr};

}  // namespace

void set_region_hooks(RegionHooks hooks) noexcept {
  g_pop.store(hooks.pop);
  g_push.store(hooks.push);
}

ScopedRegion::ScopedRegion(const char* name) noexcept {
  auto* push = g_push.load(std::memory_order_relaxed);
  pop_ = g_pop.load(std::memory_order_relaxed);
  if (push == nullptr || pop_ == nullptr) {
    pop_ = nullptr;
    return;
  }
  push(name);
}

ScopedRegion::~ScopedRegion() {
  if (pop_ != nullptr) pop_();
}

}  // namespace resqunn
