// Gate arithmetic on a lane-blocked batch of state vectors: amplitude i of
// circuit (lane) l lives at re[i * W + l], im[i * W + l]. Every loop over
// lanes has the compile-time trip count W and touches only restrict-
// qualified, non-overlapping rows, so it vectorises across circuits.
// Internal to the quantum component; everything is KOKKOS_INLINE_FUNCTION
// and free of host-only code so that it compiles for GPUs too.
#pragma once

#include <Kokkos_Core.hpp>

#include "resqunn/quantum/circuit.hpp"

namespace resqunn::quantum::detail {

/// A coefficient that is the same for every lane (shared weights).
struct Uniform {
  double v;
  KOKKOS_INLINE_FUNCTION double operator[](int) const { return v; }
};

/// A coefficient per lane (encoding angles differ per circuit).
struct PerLane {
  const double* v;
  KOKKOS_INLINE_FUNCTION double operator[](int l) const { return v[l]; }
};

/// Index of the k-th basis state whose bit `bit` is 0.
KOKKOS_INLINE_FUNCTION int insert_zero(int k, int bit) {
  return ((k >> bit) << (bit + 1)) | (k & ((1 << bit) - 1));
}

// ---- one amplitude pair (a = bit 0, b = bit 1), all lanes ----------------
// R(t) = cos(t/2) I - i sin(t/2) P; (c, s) = (cos(t/2), sin(t/2)); the
// inverse is the same with -s.

template <int W, class C>
KOKKOS_INLINE_FUNCTION void pair_rx(double* KOKKOS_RESTRICT ar, double* KOKKOS_RESTRICT ai,
                                    double* KOKKOS_RESTRICT br, double* KOKKOS_RESTRICT bi,
                                    const C& c, const C& s) {
  for (int l = 0; l < W; ++l) {
    const double xr = ar[l], xi = ai[l], yr = br[l], yi = bi[l];
    ar[l] = c[l] * xr + s[l] * yi;
    ai[l] = c[l] * xi - s[l] * yr;
    br[l] = c[l] * yr + s[l] * xi;
    bi[l] = c[l] * yi - s[l] * xr;
  }
}

template <int W, class C>
KOKKOS_INLINE_FUNCTION void pair_ry(double* KOKKOS_RESTRICT ar, double* KOKKOS_RESTRICT ai,
                                    double* KOKKOS_RESTRICT br, double* KOKKOS_RESTRICT bi,
                                    const C& c, const C& s) {
  for (int l = 0; l < W; ++l) {
    const double xr = ar[l], xi = ai[l], yr = br[l], yi = bi[l];
    ar[l] = c[l] * xr - s[l] * yr;
    ai[l] = c[l] * xi - s[l] * yi;
    br[l] = s[l] * xr + c[l] * yr;
    bi[l] = s[l] * xi + c[l] * yi;
  }
}

template <int W, class C>
KOKKOS_INLINE_FUNCTION void pair_rz(double* KOKKOS_RESTRICT ar, double* KOKKOS_RESTRICT ai,
                                    double* KOKKOS_RESTRICT br, double* KOKKOS_RESTRICT bi,
                                    const C& c, const C& s) {
  for (int l = 0; l < W; ++l) {
    const double xr = ar[l], xi = ai[l], yr = br[l], yi = bi[l];
    ar[l] = c[l] * xr + s[l] * xi;
    ai[l] = c[l] * xi - s[l] * xr;
    br[l] = c[l] * yr - s[l] * yi;
    bi[l] = c[l] * yi + s[l] * yr;
  }
}

template <int W>
KOKKOS_INLINE_FUNCTION void pair_swap(double* KOKKOS_RESTRICT ar, double* KOKKOS_RESTRICT ai,
                                      double* KOKKOS_RESTRICT br, double* KOKKOS_RESTRICT bi) {
  for (int l = 0; l < W; ++l) {
    const double xr = ar[l], xi = ai[l];
    ar[l] = br[l];
    ai[l] = bi[l];
    br[l] = xr;
    bi[l] = xi;
  }
}

template <int W, GateKind K, class C>
KOKKOS_INLINE_FUNCTION void rotate_pairs(int t, const C& c, const C& s, int dim, double* re,
                                         double* im) {
  const int half = dim >> 1;
  const int stride = (1 << t) * W;
  for (int k = 0; k < half; ++k) {
    const int a = insert_zero(k, t) * W;
    double* ar = re + a;
    double* ai = im + a;
    if constexpr (K == GateKind::rx) {
      pair_rx<W>(ar, ai, ar + stride, ai + stride, c, s);
    } else if constexpr (K == GateKind::ry) {
      pair_ry<W>(ar, ai, ar + stride, ai + stride, c, s);
    } else {
      pair_rz<W>(ar, ai, ar + stride, ai + stride, c, s);
    }
  }
}

/// Applies a rotation about `kind`'s axis to qubit t of all lanes. The
/// switch sits outside the loops so that each loop body is branch-free.
template <int W, class C>
KOKKOS_INLINE_FUNCTION void apply_rotation(GateKind kind, int t, const C& c, const C& s, int dim,
                                           double* re, double* im) {
  switch (kind) {
    case GateKind::rx: rotate_pairs<W, GateKind::rx>(t, c, s, dim, re, im); break;
    case GateKind::ry: rotate_pairs<W, GateKind::ry>(t, c, s, dim, re, im); break;
    default: rotate_pairs<W, GateKind::rz>(t, c, s, dim, re, im); break;
  }
}

/// CNOT(control, target) on all lanes. Self-inverse.
template <int W>
KOKKOS_INLINE_FUNCTION void apply_cnot(int control, int target, int dim, double* re, double* im) {
  const int half = dim >> 1;
  const int stride = (1 << target) * W;
  for (int k = 0; k < half; ++k) {
    const int i0 = insert_zero(k, target);
    if ((i0 >> control) & 1) {
      pair_swap<W>(re + i0 * W, im + i0 * W, re + i0 * W + stride, im + i0 * W + stride);
    }
  }
}

/// CZ(control, target) on all lanes. Self-inverse and symmetric.
template <int W>
KOKKOS_INLINE_FUNCTION void apply_cz(int control, int target, int dim, double* re, double* im) {
  const int both = (1 << control) | (1 << target);
  for (int i = 0; i < dim; ++i) {
    if ((i & both) == both) {
      for (int l = 0; l < W; ++l) {
        re[i * W + l] = -re[i * W + l];
        im[i * W + l] = -im[i * W + l];
      }
    }
  }
}

// ---- adjoint step: gradient of one rotation, then un-apply it -------------
// With phi the state after the gate and lam the adjoint state after it,
// dL/dtheta = Im <lam| P |phi> (from dR/dtheta = -i/2 P R). The same pass
// then applies R^dagger to both, so each gate costs one sweep of memory.

template <int W, GateKind K, class C>
KOKKOS_INLINE_FUNCTION void adjoint_pair(double* KOKKOS_RESTRICT par,
                                         double* KOKKOS_RESTRICT pai, double* KOKKOS_RESTRICT pbr,
                                         double* KOKKOS_RESTRICT pbi, double* KOKKOS_RESTRICT lar,
                                         double* KOKKOS_RESTRICT lai, double* KOKKOS_RESTRICT lbr,
                                         double* KOKKOS_RESTRICT lbi, const C& c, const C& s,
                                         double* KOKKOS_RESTRICT acc) {
  for (int l = 0; l < W; ++l) {
    const double xr = par[l], xi = pai[l], yr = pbr[l], yi = pbi[l];
    const double ur = lar[l], ui = lai[l], vr = lbr[l], vi = lbi[l];
    const double cl = c[l], sl = -s[l];  // inverse rotation
    if constexpr (K == GateKind::rx) {
      // <lam|X|phi> = conj(u) y + conj(v) x
      acc[l] += (ur * yi - ui * yr) + (vr * xi - vi * xr);
      par[l] = cl * xr + sl * yi;
      pai[l] = cl * xi - sl * yr;
      pbr[l] = cl * yr + sl * xi;
      pbi[l] = cl * yi - sl * xr;
      lar[l] = cl * ur + sl * vi;
      lai[l] = cl * ui - sl * vr;
      lbr[l] = cl * vr + sl * ui;
      lbi[l] = cl * vi - sl * ur;
    } else if constexpr (K == GateKind::ry) {
      // <lam|Y|phi> = conj(u)(-i y) + conj(v)(i x)
      acc[l] += (vr * xr + vi * xi) - (ur * yr + ui * yi);
      par[l] = cl * xr - sl * yr;
      pai[l] = cl * xi - sl * yi;
      pbr[l] = sl * xr + cl * yr;
      pbi[l] = sl * xi + cl * yi;
      lar[l] = cl * ur - sl * vr;
      lai[l] = cl * ui - sl * vi;
      lbr[l] = sl * ur + cl * vr;
      lbi[l] = sl * ui + cl * vi;
    } else {
      // <lam|Z|phi> = conj(u) x - conj(v) y
      acc[l] += (ur * xi - ui * xr) - (vr * yi - vi * yr);
      par[l] = cl * xr + sl * xi;
      pai[l] = cl * xi - sl * xr;
      pbr[l] = cl * yr - sl * yi;
      pbi[l] = cl * yi + sl * yr;
      lar[l] = cl * ur + sl * ui;
      lai[l] = cl * ui - sl * ur;
      lbr[l] = cl * vr - sl * vi;
      lbi[l] = cl * vi + sl * vr;
    }
  }
}

template <int W, GateKind K, class C>
KOKKOS_INLINE_FUNCTION void adjoint_pairs(int t, const C& c, const C& s, int dim, double* pre,
                                          double* pim, double* lre, double* lim, double* acc) {
  const int half = dim >> 1;
  const int stride = (1 << t) * W;
  for (int k = 0; k < half; ++k) {
    const int a = insert_zero(k, t) * W;
    adjoint_pair<W, K>(pre + a, pim + a, pre + a + stride, pim + a + stride, lre + a, lim + a,
                       lre + a + stride, lim + a + stride, c, s, acc);
  }
}

/// Adds dL/dtheta of a rotation on qubit t to acc[0..W) and un-applies it
/// from phi and lam.
template <int W, class C>
KOKKOS_INLINE_FUNCTION void adjoint_rotation(GateKind kind, int t, const C& c, const C& s, int dim,
                                             double* pre, double* pim, double* lre, double* lim,
                                             double* acc) {
  switch (kind) {
    case GateKind::rx: adjoint_pairs<W, GateKind::rx>(t, c, s, dim, pre, pim, lre, lim, acc); break;
    case GateKind::ry: adjoint_pairs<W, GateKind::ry>(t, c, s, dim, pre, pim, lre, lim, acc); break;
    default: adjoint_pairs<W, GateKind::rz>(t, c, s, dim, pre, pim, lre, lim, acc); break;
  }
}

}  // namespace resqunn::quantum::detail
