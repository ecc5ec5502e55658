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

/// General single-qubit unitary u = {u00r, u00i, u01r, u01i, u10r, u10i,
/// u11r, u11i}: a' = u00 a + u01 b, b' = u10 a + u11 b.
template <int W>
KOKKOS_INLINE_FUNCTION void pair_u2(double* KOKKOS_RESTRICT ar, double* KOKKOS_RESTRICT ai,
                                    double* KOKKOS_RESTRICT br, double* KOKKOS_RESTRICT bi,
                                    const double* u) {
  const double u0r = u[0], u0i = u[1], u1r = u[2], u1i = u[3];
  const double u2r = u[4], u2i = u[5], u3r = u[6], u3i = u[7];
  for (int l = 0; l < W; ++l) {
    const double xr = ar[l], xi = ai[l], yr = br[l], yi = bi[l];
    ar[l] = u0r * xr - u0i * xi + u1r * yr - u1i * yi;
    ai[l] = u0r * xi + u0i * xr + u1r * yi + u1i * yr;
    br[l] = u2r * xr - u2i * xi + u3r * yr - u3i * yi;
    bi[l] = u2r * xi + u2i * xr + u3r * yi + u3i * yr;
  }
}

// ---- adjoint step: gradient of one rotation, then un-apply it -------------
// R(t) = cos(t/2) I - i sin(t/2) P; (c, s) = (cos(t/2), sin(t/2)); the
// inverse is the same with -s. With phi the state after the gate and lam the adjoint state after it,
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
