// One value per lane as a single register-sized value: Pack<W> holds the W
// lanes of a lane-blocked row (batch_support.hpp) and supports +, -, * with
// packs and with scalars (broadcast).
//
// Why not arrays: a kernel that keeps its accumulators as `double acc[k][W]`
// leaves register allocation to GCC's scalar replacement, which gives up
// once the arrays are indexed under a runtime bound or carried across an
// outer loop; the arrays then live on the stack, are zeroed with `rep stos`
// and copied out with `rep movs` (perf showed 25 % of the compiled kernel's
// time there). A GCC vector-extension value is a first-class value: it sits
// in one register (W = 8 doubles: one AVX-512 register, two AVX2 ones) for
// as long as the code holds it.
//
// W = 1 (device spaces) is plain double, so the same kernel source is the
// one-circuit-per-thread GPU variant. Under nvcc (host or device pass), and
// for compilers without GCC's vector extensions, W > 1 falls back to a
// struct of W doubles with the same operators: correct, only slower.
#pragma once

#include <Kokkos_Core.hpp>

namespace resqunn::quantum::detail {

#if defined(__GNUC__) && !defined(__CUDACC__) && !defined(__HIPCC__)
#define RESQUNN_VECTOR_PACKS 1
#endif

/// W doubles with the operators the kernels use, lane by lane: the
/// portable representation (device passes, other compilers, other widths).
template <int W>
struct LaneArray {
  double v[W];
  KOKKOS_INLINE_FUNCTION friend LaneArray operator+(LaneArray a, const LaneArray& b) {
    for (int l = 0; l < W; ++l) a.v[l] += b.v[l];
    return a;
  }
  KOKKOS_INLINE_FUNCTION friend LaneArray operator-(LaneArray a, const LaneArray& b) {
    for (int l = 0; l < W; ++l) a.v[l] -= b.v[l];
    return a;
  }
  KOKKOS_INLINE_FUNCTION friend LaneArray operator*(LaneArray a, const LaneArray& b) {
    for (int l = 0; l < W; ++l) a.v[l] *= b.v[l];
    return a;
  }
  KOKKOS_INLINE_FUNCTION friend LaneArray operator-(LaneArray a) {
    for (int l = 0; l < W; ++l) a.v[l] = -a.v[l];
    return a;
  }
  KOKKOS_INLINE_FUNCTION LaneArray& operator+=(const LaneArray& b) { return *this = *this + b; }
  KOKKOS_INLINE_FUNCTION LaneArray& operator-=(const LaneArray& b) { return *this = *this - b; }
};

template <int W>
struct PackOf {
  using type = LaneArray<W>;
  static constexpr bool vector = false;
};

template <>
struct PackOf<1> {
  using type = double;
  static constexpr bool vector = false;
};

#ifdef RESQUNN_VECTOR_PACKS
// Non-dependent typedefs: GCC drops vector_size on a type that depends on a
// template parameter (the pack silently becomes one double).
typedef double LaneVector8 __attribute__((vector_size(8 * sizeof(double))));
typedef double LaneVector4 __attribute__((vector_size(4 * sizeof(double))));
template <>
struct PackOf<8> {
  using type = LaneVector8;
  static constexpr bool vector = true;
};
template <>
struct PackOf<4> {
  using type = LaneVector4;
  static constexpr bool vector = true;
};
#endif

template <int W>
using Pack = typename PackOf<W>::type;

/// The pack of lanes p[0..W).
template <int W>
KOKKOS_INLINE_FUNCTION Pack<W> pack_load(const double* p) {
  Pack<W> v;
  if constexpr (W == 1) {
    v = *p;
  } else if constexpr (PackOf<W>::vector) {
    __builtin_memcpy(&v, p, sizeof v);  // an unaligned vector load
  } else {
    for (int l = 0; l < W; ++l) v.v[l] = p[l];
  }
  return v;
}

template <int W>
KOKKOS_INLINE_FUNCTION void pack_store(double* p, const Pack<W>& v) {
  if constexpr (W == 1) {
    *p = v;
  } else if constexpr (PackOf<W>::vector) {
    __builtin_memcpy(p, &v, sizeof v);
  } else {
    for (int l = 0; l < W; ++l) p[l] = v.v[l];
  }
}

/// Every lane `s`.
template <int W>
KOKKOS_INLINE_FUNCTION Pack<W> pack_splat(double s) {
  if constexpr (W == 1) {
    return s;
  } else if constexpr (PackOf<W>::vector) {
    return s - Pack<W>{};  // GCC converts the scalar operand to the vector type
  } else {
    Pack<W> v;
    for (int l = 0; l < W; ++l) v.v[l] = s;
    return v;
  }
}

template <int W>
KOKKOS_INLINE_FUNCTION Pack<W> pack_zero() {
  return pack_splat<W>(0.0);
}

#ifdef RESQUNN_VECTOR_PACKS
/// Lanes I... of the 16 lanes of (a, b), a's first.
template <int... I>
inline LaneVector8 pack_shuffle(LaneVector8 a, LaneVector8 b) {
  static_assert(sizeof...(I) == 8, "eight lanes");
#if defined(__clang__)
  return __builtin_shufflevector(a, b, I...);
#else
  typedef long long Mask __attribute__((vector_size(8 * sizeof(long long))));
  return __builtin_shuffle(a, b, Mask{I...});
#endif
}

/// 8 rows of 4 (32 consecutive doubles at `rows`) -> 4 columns of 8 lanes:
/// col[f][l] = rows[4 l + f], in two rounds of shuffles.
inline void transpose_8x4_in(const double* rows, LaneVector8 col[4]) {
  const LaneVector8 z0 = pack_load<8>(rows), z1 = pack_load<8>(rows + 8);
  const LaneVector8 z2 = pack_load<8>(rows + 16), z3 = pack_load<8>(rows + 24);
  // Rows 0-3 (a, b) and 4-7 (c, d): columns 0, 1 (a, c) and 2, 3 (b, d).
  const LaneVector8 a = pack_shuffle<0, 4, 8, 12, 1, 5, 9, 13>(z0, z1);
  const LaneVector8 b = pack_shuffle<2, 6, 10, 14, 3, 7, 11, 15>(z0, z1);
  const LaneVector8 c = pack_shuffle<0, 4, 8, 12, 1, 5, 9, 13>(z2, z3);
  const LaneVector8 d = pack_shuffle<2, 6, 10, 14, 3, 7, 11, 15>(z2, z3);
  col[0] = pack_shuffle<0, 1, 2, 3, 8, 9, 10, 11>(a, c);
  col[1] = pack_shuffle<4, 5, 6, 7, 12, 13, 14, 15>(a, c);
  col[2] = pack_shuffle<0, 1, 2, 3, 8, 9, 10, 11>(b, d);
  col[3] = pack_shuffle<4, 5, 6, 7, 12, 13, 14, 15>(b, d);
}

/// The inverse: rows[4 l + f] = col[f][l].
inline void transpose_8x4_out(const LaneVector8 col[4], double* rows) {
  const LaneVector8 a = pack_shuffle<0, 1, 2, 3, 8, 9, 10, 11>(col[0], col[1]);
  const LaneVector8 c = pack_shuffle<4, 5, 6, 7, 12, 13, 14, 15>(col[0], col[1]);
  const LaneVector8 b = pack_shuffle<0, 1, 2, 3, 8, 9, 10, 11>(col[2], col[3]);
  const LaneVector8 d = pack_shuffle<4, 5, 6, 7, 12, 13, 14, 15>(col[2], col[3]);
  pack_store<8>(rows, pack_shuffle<0, 4, 8, 12, 1, 5, 9, 13>(a, b));
  pack_store<8>(rows + 8, pack_shuffle<2, 6, 10, 14, 3, 7, 11, 15>(a, b));
  pack_store<8>(rows + 16, pack_shuffle<0, 4, 8, 12, 1, 5, 9, 13>(c, d));
  pack_store<8>(rows + 24, pack_shuffle<2, 6, 10, 14, 3, 7, 11, 15>(c, d));
}
#endif

}  // namespace resqunn::quantum::detail
