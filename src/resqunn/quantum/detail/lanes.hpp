// How many circuits a kernel processes together in one structure-of-arrays
// block, per execution space.
#pragma once

#include <Kokkos_Core.hpp>

namespace resqunn::quantum::detail {

/// 8 doubles = one AVX-512 register or two AVX2 registers per operand on
/// CPUs; on GPUs one circuit per team (portable and correct, not yet tuned).
template <class ExecSpace>
constexpr int lanes_for() {
  return Kokkos::SpaceAccessibility<Kokkos::HostSpace, typename ExecSpace::memory_space>::accessible
             ? 8
             : 1;
}

}  // namespace resqunn::quantum::detail
