// cos and sin for a block of W lanes in one vectorisable pass. Scalar libm
// calls cost more than a whole 4-qubit circuit layer, and angle encoding
// needs one pair per qubit per circuit.
//
// Method: Cody–Waite reduction by pi/2 (k = nearest integer to 2x/pi) with a three-part constant
// (exact products for |k| < 2^20), then Taylor polynomials on |r| <= pi/4 (degree 17 for sin, 18
// for cos; truncation below 1e-19), quadrant selection by arithmetic blends. Error within a few ulp
// of libm for |x| <= 2^19; larger arguments fall back to libm per lane, so a lane's result depends
// only on its own input, never on its neighbours.
#pragma once

#include "resqunn/quantum/detail/kokkos_math.hpp"

#include <Kokkos_Core.hpp>

namespace resqunn::quantum::detail {

inline constexpr double kLaneTrigLimit = 524288.0;  // 2^19

template <int W>
KOKKOS_INLINE_FUNCTION void sincos_lanes(const double* KOKKOS_RESTRICT x, double* KOKKOS_RESTRICT c,
                                         double* KOKKOS_RESTRICT s) {
  // pi/2 split: the first two parts have trailing zero bits (fdlibm).
  constexpr double two_over_pi = 6.36619772367581382433e-01;
  constexpr double p1 = 1.57079632673412561417e+00;
  constexpr double p2 = 6.07710050630396597660e-11;
  constexpr double p3 = 2.02226624879595063154e-21;
  // Branch-free, with functions GCC vectorises under default FP flags
  // (nearbyint, not floor), so that the lane loop vectorises.
  long long slow = 0;
  for (int l = 0; l < W; ++l) {
    const double xl = x[l];
    const double kf = kmath::nearbyint(xl * two_over_pi);
    const double r = ((xl - kf * p1) - kf * p2) - kf * p3;
    const double z = r * r;
    const double sp =
        r + r * z *
                (-1.0 / 6 +
                 z * (1.0 / 120 +
                      z * (-1.0 / 5040 +
                           z * (1.0 / 362880 + z * (-1.0 / 39916800 +
                                                    z * (1.0 / 6227020800.0 +
                                                         z * (-1.0 / 1307674368000.0 +
                                                              z * (1.0 / 355687428096000.0))))))));
    const double cp =
        1.0 +
        z * (-0.5 +
             z * (1.0 / 24 + z * (-1.0 / 720 +
                                  z * (1.0 / 40320 +
                                       z * (-1.0 / 3628800 +
                                            z * (1.0 / 479001600.0 +
                                                 z * (-1.0 / 87178291200.0 +
                                                      z * (1.0 / 20922789888000.0 +
                                                           z * (-1.0 / 6402373705728000.0)))))))));
    // Quadrant q = k - 4 round(k / 4) in {-2, -1, 0, 1, 2} (k mod 4, with 3
    // as -1 and 2 possibly as -2): (sin, cos) = (sp, cp) for 0, (cp, -sp)
    // for 1, (-sp, -cp) for +-2, (-cp, sp) for -1.
    const double q = kf - 4.0 * kmath::nearbyint(kf * 0.25);
    const bool odd = q == 1.0 || q == -1.0;
    const double sn = odd ? cp : sp;
    const double cs = odd ? sp : cp;
    s[l] = (q >= 0.0 && q <= 1.0) ? sn : -sn;
    c[l] = (q >= -1.0 && q <= 0.0) ? cs : -cs;
    slow += kmath::fabs(xl) <= kLaneTrigLimit ? 0 : 1;
  }
  if (slow) {
    for (int l = 0; l < W; ++l) {
      if (!(kmath::fabs(x[l]) <= kLaneTrigLimit)) {
        c[l] = kmath::cos(x[l]);
        s[l] = kmath::sin(x[l]);
      }
    }
  }
}

}  // namespace resqunn::quantum::detail
