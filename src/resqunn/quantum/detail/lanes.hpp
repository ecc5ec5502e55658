// How the batch kernels map circuits onto an execution space's threads, and
// how many circuits a kernel processes together in one structure-of-arrays
// block.
#pragma once

#include <Kokkos_Core.hpp>

namespace resqunn::quantum::detail {

/// The two shapes of the batch kernels (docs/quantum.md, "Kernel shapes"):
///  - lanes:   one thread per team; each thread runs chunks of 8 circuits
///             whose states are vectorised across SIMD lanes (one AVX-512
///             register or two AVX2 registers per operand). The CPU shape.
///  - threads: kTeamThreads threads per team, kThreadLanes (one) circuit
///             per thread; the threads' rows are interleaved in team
///             scratch, so that a warp's loads and stores of one row are
///             consecutive words (coalesced, free of shared-memory bank
///             conflicts). The GPU shape; it runs on host spaces too (the
///             team's threads then take turns on one thread), which is how
///             it is tested there.
/// Both sum every weight gradient in an order fixed by the shape alone.
enum class KernelShape { lanes, threads };

// The threads shape's circuits per thread and threads per team. Fixed per
// build (the weight-gradient sums' order depends on them). The defaults are
// a first choice, not yet measured on a GPU; bench/device_check.sh with
// VARIANTS=1 times the alternatives. Other values are for measuring only.
#ifndef RESQUNN_THREAD_LANES
#define RESQUNN_THREAD_LANES 1
#endif
#ifndef RESQUNN_TEAM_THREADS
#define RESQUNN_TEAM_THREADS 32
#endif
inline constexpr int kThreadLanes = RESQUNN_THREAD_LANES;
inline constexpr int kTeamThreads = RESQUNN_TEAM_THREADS;

/// Doubles between consecutive rows of a team's scratch for W lanes per
/// thread and T threads: W x T, plus one for teams of several threads, so
/// that threads reading one row each of T consecutive rows at the same
/// slot (the compiled VJP's team sums) hit different shared-memory banks.
constexpr int row_stride(int lanes, int threads) { return lanes * threads + (threads > 1 ? 1 : 0); }

/// Whether the host can access `ExecSpace`'s memory (CPU spaces).
template <class ExecSpace>
constexpr bool host_space() {
  return Kokkos::SpaceAccessibility<Kokkos::HostSpace,
                                    typename ExecSpace::memory_space>::accessible;
}

/// The shape an execution space gets by default: lanes where the host can
/// access its memory (CPU spaces), threads elsewhere (CUDA, HIP).
template <class ExecSpace>
constexpr KernelShape default_shape() {
  return host_space<ExecSpace>() ? KernelShape::lanes : KernelShape::threads;
}

/// Lanes per thread (W) and threads per team (T) of a shape; a team's
/// scratch rows are S = row_stride(W, T) doubles apart.
template <KernelShape K>
struct ShapeTraits {
  static constexpr int W = 8;
  static constexpr int T = 1;
  static constexpr int S = row_stride(W, T);
};
template <>
struct ShapeTraits<KernelShape::threads> {
  static constexpr int W = kThreadLanes;
  static constexpr int T = kTeamThreads;
  static constexpr int S = row_stride(W, T);
};

/// Circuits per chunk (SIMD width) of an execution space's default shape.
template <class ExecSpace>
constexpr int lanes_for() {
  return ShapeTraits<default_shape<ExecSpace>()>::W;
}

/// Row stride in doubles of a shape: what a team's scratch holds per row,
/// and what the kernels' footprints scale with.
constexpr int row_width(KernelShape k) {
  return k == KernelShape::lanes ? ShapeTraits<KernelShape::lanes>::S
                                 : ShapeTraits<KernelShape::threads>::S;
}

}  // namespace resqunn::quantum::detail
