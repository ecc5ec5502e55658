// What both evaluators (state vector and compiled) share around their batch
// kernels: uploading their programs, gathering rows into lane blocks and
// back, the per-team partial sums, the launch with per-team scratch, and
// the fixed-order sum over teams that makes a batch's result independent of
// the thread count.
#pragma once

#include "resqunn/quantum/detail/lane_pack.hpp"

#include <Kokkos_Core.hpp>

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace resqunn::quantum::detail {

/// Row-major rows -> lane blocks: dst[f * S + l] = v(base + l, f) for the
/// `valid` circuits of a chunk; lanes past the batch read as 0. Only the
/// last chunk of a batch can be partial: full chunks skip the bounds check.
/// Full chunks of 8 circuits of 4 columns (the 2x2-patch case) go through
/// register shuffles instead of 32 scalar moves.
template <int W, int S = W, class V>
KOKKOS_INLINE_FUNCTION void load_rows(const V& v, long base, int valid, int cols, double* dst) {
  if (valid == W) {
#ifdef RESQUNN_VECTOR_PACKS
    if constexpr (W == 8 && S == 8) {
      if (cols == 4 && v.stride(0) == 4 && v.stride(1) == 1) {
        LaneVector8 col[4];
        transpose_8x4_in(&v(base, 0), col);
        for (int f = 0; f < 4; ++f) pack_store<8>(dst + f * 8, col[f]);
        return;
      }
    }
#endif
    for (int l = 0; l < W; ++l) {
      for (int f = 0; f < cols; ++f) dst[f * S + l] = v(base + l, f);
    }
  } else {
    for (int l = 0; l < W; ++l) {
      for (int f = 0; f < cols; ++f) dst[f * S + l] = l < valid ? v(base + l, f) : 0.0;
    }
  }
}

/// Lane blocks -> rows: v(base + l, f) = factor * src[f * S + l] for the
/// lanes inside the batch.
template <int W, int S = W, class V>
KOKKOS_INLINE_FUNCTION void store_rows(const V& v, long base, int valid, int cols,
                                       const double* src, double factor = 1.0) {
#ifdef RESQUNN_VECTOR_PACKS
  if constexpr (W == 8 && S == 8) {
    if (valid == 8 && cols == 4 && v.stride(0) == 4 && v.stride(1) == 1) {
      LaneVector8 col[4];
      for (int f = 0; f < 4; ++f) col[f] = pack_load<8>(src + f * 8) * factor;
      transpose_8x4_out(col, &v(base, 0));
      return;
    }
  }
#endif
  for (int l = 0; l < valid; ++l) {
    for (int f = 0; f < cols; ++f) v(base + l, f) = factor * src[f * S + l];
  }
}

/// p[r * S + l] = value for `rows` rows of one thread's W lanes.
template <int W, int S = W>
KOKKOS_INLINE_FUNCTION void fill_rows(double* p, long rows, double value) {
  for (long r = 0; r < rows; ++r) {
    for (int l = 0; l < W; ++l) p[r * S + l] = value;
  }
}

/// body(t) for each of a team's T thread slots t (their rows interleaved in
/// scratch: slot t's lanes start at t * W). On GPUs the team's T threads
/// take one slot each; on host spaces (teams of one thread) that thread
/// takes them in turn.
template <int T, class Member, class Body>
KOKKOS_INLINE_FUNCTION void for_each_slot(const Member& team, const Body& body) {
  if constexpr (T == 1) {
    body(0);
  } else {
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, T), body);
  }
}

/// partial(team, i) = sum over the team's T slots t and W lanes l of
/// rows[i * S + t * W + l], in ascending (t, l), for i < count: the team's
/// share of a batch sum, in an order fixed by the shape (the team's threads
/// take different i, never parts of one sum).
template <int W, int T, int S, class Member, class Partial>
KOKKOS_INLINE_FUNCTION void sum_team_rows(const Member& team, const double* rows, long count,
                                          const Partial& partial) {
  const auto row = [&](long i) {
    double sum = 0.0;
    for (int j = 0; j < W * T; ++j) sum += rows[i * S + j];
    partial(team.league_rank(), i) = sum;
  };
  if constexpr (T == 1) {
    for (long i = 0; i < count; ++i) row(i);
  } else {
    team.team_barrier();
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, count), row);
  }
}

/// A host vector copied into a new View of `space`'s memory.
template <class T, class Space>
Kokkos::View<T*, typename Space::memory_space> upload(const std::vector<T>& v, const char* label,
                                                      const Space& space) {
  Kokkos::View<T*, typename Space::memory_space> d(std::string(label), v.size());
  auto h = Kokkos::create_mirror_view(d);
  for (std::size_t i = 0; i < v.size(); ++i) h(i) = v[i];
  Kokkos::deep_copy(space, d, h);
  return d;
}

/// The first `teams` rows of `partial`, reallocated (as `label`) when it has
/// fewer rows or other than `cols` columns: one row of partial sums per team.
template <class Matrix>
Matrix team_rows(Matrix& partial, long teams, long cols, const char* label) {
  if (partial.extent(0) < static_cast<std::size_t>(teams) ||
      partial.extent(1) != static_cast<std::size_t>(cols)) {
    partial =
        Matrix(std::string(label), static_cast<std::size_t>(teams), static_cast<std::size_t>(cols));
  }
  return Kokkos::subview(partial, std::make_pair(0L, teams), Kokkos::ALL);
}

/// Runs `kernel` on `teams` teams, each with the kernel's scratch
/// (kernel.L.total doubles): level 0 (GPU shared memory) up to 40 KiB (CUDA
/// gives a block 48 KiB, of which Kokkos keeps some for team reductions), else
/// level 1. Sets kernel.scratch_level. Teams have Kernel::T threads where
/// the space runs threads of a team at once (GPUs), one on host spaces
/// (for_each_slot then takes the slots in turn).
template <class Kernel, class Space>
void launch_teams(const char* label, const Space& space, long teams, Kernel& kernel) {
  if (teams <= 0) return;
  const std::size_t bytes = sizeof(double) * static_cast<std::size_t>(kernel.L.total);
  kernel.scratch_level = bytes <= 40 * 1024 ? 0 : 1;
  constexpr bool host =
      Kokkos::SpaceAccessibility<Kokkos::HostSpace, typename Space::memory_space>::accessible;
  typename Kernel::Policy policy(space, static_cast<int>(teams), host ? 1 : Kernel::T);
  Kokkos::parallel_for(label, policy.set_scratch_size(kernel.scratch_level, Kokkos::PerTeam(bytes)),
                       kernel);
}

/// out(i) = sum over rows t of partial(t, i), in row (team) order.
template <class ExecSpace>
struct SumOverTeams {
  using MemSpace = typename ExecSpace::memory_space;
  Kokkos::View<const double**, Kokkos::LayoutRight, MemSpace> partial;
  Kokkos::View<double*, MemSpace> out;
  KOKKOS_INLINE_FUNCTION void operator()(long i) const {
    double sum = 0.0;
    for (std::size_t t = 0; t < partial.extent(0); ++t) sum += partial(t, i);
    out(i) = sum;
  }
};

}  // namespace resqunn::quantum::detail
