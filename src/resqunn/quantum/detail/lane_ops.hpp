// Gate arithmetic on a lane-blocked batch of state vectors: amplitude i of
// circuit (lane) l lives at re[i * S + l], im[i * S + l], with the row
// stride S = W (one thread's W lanes, CPUs) or S = W x threads (the rows of
// a team's threads interleaved, GPUs; each thread passes its own offset).
// Every loop over
// lanes has the compile-time trip count W and touches only restrict-
// qualified, non-overlapping rows, so it vectorises across circuits.
// Internal to the quantum component; everything is KOKKOS_INLINE_FUNCTION
// and free of host-only code so that it compiles for GPUs too.
#pragma once

#include "resqunn/quantum/circuit.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>

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

// ---- product states (per-qubit 2-vectors v = (v0, v1), all lanes) ---------

/// A per-qubit 2-vector for all W lanes, stored [v0 re | v0 im | v1 re | v1 im]
/// (rows S apart).
struct PairLanes {
  const double* v0r;
  const double* v0i;
  const double* v1r;
  const double* v1i;
};

template <int S>
KOKKOS_INLINE_FUNCTION PairLanes pair_lanes(const double* v) {
  return {v, v + S, v + 2 * S, v + 3 * S};
}

/// One doubling step of a tensor product: (a, b) <- (x v0, x v1) with x = a;
/// with Conj, conj(v) instead (builds the conjugate of a product state).
template <int W, int S = W, bool Conj = false>
KOKKOS_INLINE_FUNCTION void expand_pair(double* KOKKOS_RESTRICT ar, double* KOKKOS_RESTRICT ai,
                                        double* KOKKOS_RESTRICT br, double* KOKKOS_RESTRICT bi,
                                        const double* KOKKOS_RESTRICT v) {
  const PairLanes p = pair_lanes<S>(v);
  // s * (x * v_im) folds to +-(x * v_im) at compile time: the same expressions,
  // and so the same rounding, as writing each variant out.
  constexpr double s = Conj ? -1.0 : 1.0;
  for (int l = 0; l < W; ++l) {
    const double xr = ar[l], xi = ai[l];
    br[l] = xr * p.v1r[l] - s * (xi * p.v1i[l]);
    bi[l] = s * (xr * p.v1i[l]) + xi * p.v1r[l];
    ar[l] = xr * p.v0r[l] - s * (xi * p.v0i[l]);
    ai[l] = s * (xr * p.v0i[l]) + xi * p.v0r[l];
  }
}

/// Contracts one qubit of a state with conj(v): a <- conj(v0) a + conj(v1) b.
template <int W, int S = W>
KOKKOS_INLINE_FUNCTION void contract_pair(double* KOKKOS_RESTRICT ar, double* KOKKOS_RESTRICT ai,
                                          const double* KOKKOS_RESTRICT br,
                                          const double* KOKKOS_RESTRICT bi,
                                          const double* KOKKOS_RESTRICT v) {
  const PairLanes p = pair_lanes<S>(v);
  for (int l = 0; l < W; ++l) {
    const double xr = ar[l], xi = ai[l], yr = br[l], yi = bi[l];
    ar[l] = (p.v0r[l] * xr + p.v0i[l] * xi) + (p.v1r[l] * yr + p.v1i[l] * yi);
    ai[l] = (p.v0r[l] * xi - p.v0i[l] * xr) + (p.v1r[l] * yi - p.v1i[l] * yr);
  }
}

/// m += w a (complex, per lane).
template <int W>
KOKKOS_INLINE_FUNCTION void complex_mac(double* KOKKOS_RESTRICT mr, double* KOKKOS_RESTRICT mi,
                                        const double* KOKKOS_RESTRICT wr,
                                        const double* KOKKOS_RESTRICT wi,
                                        const double* KOKKOS_RESTRICT ar,
                                        const double* KOKKOS_RESTRICT ai) {
  for (int l = 0; l < W; ++l) {
    mr[l] += wr[l] * ar[l] - wi[l] * ai[l];
    mi[l] += wr[l] * ai[l] + wi[l] * ar[l];
  }
}

// ---- readout -----------------------------------------------------------------

/// p = |amplitude|^2 per lane.
template <int W>
KOKKOS_INLINE_FUNCTION void probability(double* KOKKOS_RESTRICT p, const double* KOKKOS_RESTRICT re,
                                        const double* KOKKOS_RESTRICT im) {
  for (int l = 0; l < W; ++l) p[l] = re[l] * re[l] + im[l] * im[l];
}

/// o += sign p with sign = +-1, per lane.
template <int W>
KOKKOS_INLINE_FUNCTION void add_signed(double* KOKKOS_RESTRICT o, const double* KOKKOS_RESTRICT p,
                                       bool negative) {
  if (negative) {
    for (int l = 0; l < W; ++l) o[l] -= p[l];
  } else {
    for (int l = 0; l < W; ++l) o[l] += p[l];
  }
}

/// (lr, li) = h (pr, pi) per lane.
template <int W>
KOKKOS_INLINE_FUNCTION void scale_state(double* KOKKOS_RESTRICT lr, double* KOKKOS_RESTRICT li,
                                        const double* KOKKOS_RESTRICT h,
                                        const double* KOKKOS_RESTRICT pr,
                                        const double* KOKKOS_RESTRICT pi) {
  for (int l = 0; l < W; ++l) {
    lr[l] = h[l] * pr[l];
    li[l] = h[l] * pi[l];
  }
}

/// CZ on one slot: negate the amplitude.
template <int W>
KOKKOS_INLINE_FUNCTION void negate(double* KOKKOS_RESTRICT re, double* KOKKOS_RESTRICT im) {
  for (int l = 0; l < W; ++l) {
    re[l] = -re[l];
    im[l] = -im[l];
  }
}

// ---- adjoint step: gradient of one rotation, then un-apply it -------------
// R(t) = cos(t/2) I - i sin(t/2) P; (c, s) = (cos(t/2), sin(t/2)); the
// inverse is the same with -s. With phi the state after the gate and lam the adjoint state after
// it, dL/dtheta = Im <lam| P |phi> (from dR/dtheta = -i/2 P R). The same pass then applies R^dagger
// to both, so each gate costs one sweep of memory. The gradient terms are added to acc one by one
// (a chain of 4 FMAs).

template <int W, GateKind K, class C>
KOKKOS_INLINE_FUNCTION void adjoint_pair(double* KOKKOS_RESTRICT par, double* KOKKOS_RESTRICT pai,
                                         double* KOKKOS_RESTRICT pbr, double* KOKKOS_RESTRICT pbi,
                                         double* KOKKOS_RESTRICT lar, double* KOKKOS_RESTRICT lai,
                                         double* KOKKOS_RESTRICT lbr, double* KOKKOS_RESTRICT lbi,
                                         const C& c, const C& s, double* KOKKOS_RESTRICT acc) {
  for (int l = 0; l < W; ++l) {
    const double xr = par[l], xi = pai[l], yr = pbr[l], yi = pbi[l];
    const double ur = lar[l], ui = lai[l], vr = lbr[l], vi = lbi[l];
    const double cl = c[l], sl = -s[l];  // inverse rotation
    if constexpr (K == GateKind::rx) {
      // <lam|X|phi> = conj(u) y + conj(v) x
      acc[l] = acc[l] + ur * yi - ui * yr + vr * xi - vi * xr;
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
      acc[l] = acc[l] + vr * xr + vi * xi - ur * yr - ui * yi;
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
      acc[l] = acc[l] + ur * xi - ui * xr - vr * yi + vi * yr;
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

/// One rotation's adjoint step over every amplitude pair of a slot table
/// (Program::slots: `half` pairs of slots).
template <int W, int S, GateKind K>
KOKKOS_INLINE_FUNCTION void adjoint_slots(const std::int32_t* tab, int half, const Uniform& c,
                                          const Uniform& s, double* pre, double* pim, double* lre,
                                          double* lim, double* acc) {
  for (int k = 0; k < half; ++k) {
    const int a = tab[2 * k] * S, b = tab[2 * k + 1] * S;
    adjoint_pair<W, K>(pre + a, pim + a, pre + b, pim + b, lre + a, lim + a, lre + b, lim + b, c, s,
                       acc);
  }
}

/// Adds dL/dtheta of a rotation of axis `kind` to acc[0..W) and un-applies
/// it from phi and lam, over the pairs of a slot table.
template <int W, int S = W>
KOKKOS_INLINE_FUNCTION void adjoint_rotation(GateKind kind, const std::int32_t* tab, int half,
                                             const Uniform& c, const Uniform& s, double* pre,
                                             double* pim, double* lre, double* lim, double* acc) {
  switch (kind) {
    case GateKind::rx:
      adjoint_slots<W, S, GateKind::rx>(tab, half, c, s, pre, pim, lre, lim, acc);
      break;
    case GateKind::ry:
      adjoint_slots<W, S, GateKind::ry>(tab, half, c, s, pre, pim, lre, lim, acc);
      break;
    default:
      adjoint_slots<W, S, GateKind::rz>(tab, half, c, s, pre, pim, lre, lim, acc);
      break;
  }
}

/// The same for one pair of 2-vectors v (phi) and m (lam), each stored as
/// {re0, im0, re1, im1} rows of W lanes (S apart); c and s uniform or per lane.
template <int W, int S, class C>
KOKKOS_INLINE_FUNCTION void adjoint_local(GateKind kind, const C& c, const C& s, double* v,
                                          double* m, double* acc) {
  switch (kind) {
    case GateKind::rx:
      adjoint_pair<W, GateKind::rx>(v, v + S, v + 2 * S, v + 3 * S, m, m + S, m + 2 * S, m + 3 * S,
                                    c, s, acc);
      break;
    case GateKind::ry:
      adjoint_pair<W, GateKind::ry>(v, v + S, v + 2 * S, v + 3 * S, m, m + S, m + 2 * S, m + 3 * S,
                                    c, s, acc);
      break;
    default:
      adjoint_pair<W, GateKind::rz>(v, v + S, v + 2 * S, v + 3 * S, m, m + S, m + 2 * S, m + 3 * S,
                                    c, s, acc);
      break;
  }
}

}  // namespace resqunn::quantum::detail
