// The compiled evaluator's per-call kernels on Pauli-coefficient vectors
// (pauli_program.hpp): Heisenberg compilation of the observables and the
// weight-gradient pass from the batch's moments. The K observables' vectors
// are stored as rows: (4^n, K) row-major, so every gate updates K adjacent
// values per Pauli string (one vector operation, whatever the qubit). The
// gate walks run in one team, its threads sharing each gate's independent
// pairs (a barrier between gates); sums run in a fixed order for a fixed
// team size, so results do not depend on the number of threads or ranks.
// docs/quantum.md derives the maps.
#pragma once

#include "resqunn/quantum/detail/kokkos_math.hpp"
#include "resqunn/quantum/detail/pauli_program.hpp"

#include <Kokkos_Core.hpp>

namespace resqunn::quantum::detail {

/// Index arithmetic of one gate on 4^n coefficients.
struct PauliStrides {
  KOKKOS_INLINE_FUNCTION static long power(int q) { return 1L << (2 * q); }
  KOKKOS_INLINE_FUNCTION static int digit(long index, int q) {
    return static_cast<int>((index >> (2 * q)) & 3);
  }
};

/// The maps of one gate on K coefficient vectors stored as rows of K, in
/// place.
template <class Member>
struct PauliMaps {
  const Member& team;
  long size;  // 4^n
  int rows;   // K

  /// Schroedinger rotation by (c, s) = (cos t, sin t) on the pairs (b, c) of
  /// op.qubit: (r_b, r_c) <- (c r_b - s r_c, c r_c + s r_b). Heisenberg
  /// conjugation and the inverse are the same map with -s.
  KOKKOS_INLINE_FUNCTION void rotate(double* v, const PauliOp& op, double c, double s) const {
    const long stride = PauliStrides::power(op.qubit);
    const long groups = size / (4 * stride);
    const int K = rows;
    // Group g holds the strings whose digits below op.qubit run over
    // [0, stride) and whose digit at op.qubit is b or c: two contiguous runs
    // of stride rows.
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, groups), [&](long g) {
      double* vb = v + ((g * 4 + op.b) * stride) * K;
      double* vc = v + ((g * 4 + op.c) * stride) * K;
      for (long k = 0; k < stride * K; ++k) {
        const double rb = vb[k], rc = vc[k];
        vb[k] = c * rb - s * rc;
        vc[k] = c * rc + s * rb;
      }
    });
    team.team_barrier();
  }

  /// Conjugation by CNOT or CZ (self-inverse, so Schroedinger, Heisenberg
  /// and inverse alike): an involution on strings, with signs, that acts on
  /// the two qubits' digits only. Strings are visited as 4^(n-2) groups of
  /// 16 that share their other digits (the group index r with two digits
  /// inserted at the gate's qubits); in each group, every pair of the
  /// table is swapped (with signs) by its lower digit pair, and fixed
  /// strings with sign -1 are negated: no per-string digit arithmetic.
  KOKKOS_INLINE_FUNCTION void clifford(double* v, const PauliOp& op,
                                       const CliffordTable& table) const {
    const long pc = PauliStrides::power(op.qubit), pt = PauliStrides::power(op.target);
    const int lo = op.qubit < op.target ? op.qubit : op.target;
    const int hi = op.qubit < op.target ? op.target : op.qubit;
    const long low_mask = PauliStrides::power(lo) - 1;
    const long mid_mask = (PauliStrides::power(hi - 1) - 1) & ~low_mask;
    const int K = rows;
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, size / 16), [&](long r) {
      const long base =
          (r & low_mask) | ((r & mid_mask) << 2) | ((r & ~(low_mask | mid_mask)) << 4);
      for (int pair = 0; pair < 16; ++pair) {
        const int image = table.image[pair];
        if (image < pair) continue;  // swapped from its partner
        double* vi = v + (base + (pair & 3) * pc + (pair >> 2) * pt) * K;
        if (image == pair) {
          if (table.sign[pair] < 0) {
            for (int k = 0; k < K; ++k) vi[k] = -vi[k];
          }
          continue;
        }
        double* vj = v + (base + (image & 3) * pc + (image >> 2) * pt) * K;
        const double si = table.sign[pair], sj = table.sign[image];
        for (int k = 0; k < K; ++k) {
          const double x = vi[k], y = vj[k];
          vj[k] = si * x;
          vi[k] = sj * y;
        }
      }
    });
    team.team_barrier();
  }

  /// d/dt of sum_j <o_j, r_j> through a rotation, with r after it: the
  /// pairs' 90-degree turn, sum over pairs (in index order) of
  /// sum_j (o_c r_b - o_b r_c).
  KOKKOS_INLINE_FUNCTION double rotation_gradient(const double* o, const double* r,
                                                  const PauliOp& op) const {
    const long stride = PauliStrides::power(op.qubit);
    const long groups = size / (4 * stride);
    const int K = rows;
    double sum = 0.0;
    Kokkos::parallel_reduce(
        Kokkos::TeamThreadRange(team, groups),
        [&](long g, double& acc) {
          const long b = (g * 4 + op.b) * stride * K, c = (g * 4 + op.c) * stride * K;
          double part = 0.0;
          for (long k = 0; k < stride * K; ++k) part += o[c + k] * r[b + k] - o[b + k] * r[c + k];
          acc += part;
        },
        sum);
    return sum;
  }

  /// Gate `op` on v: the Schroedinger map for direction +1, the Heisenberg
  /// conjugation (= the inverse) for -1; rotations read their angle from
  /// `weights`.
  template <class Weights, class Tables>
  KOKKOS_INLINE_FUNCTION void apply(double* v, const PauliOp& op, const Weights& weights,
                                    const Tables& tables, double direction) const {
    if (op.kind == 0) {
      const double t = weights(op.param);
      rotate(v, op, kmath::cos(t), direction * kmath::sin(t));
    } else {
      clifford(v, op, tables(op.kind - 1));
    }
  }

  /// v_j = the unit vector at string starts(j), for every row j.
  template <class Starts>
  KOKKOS_INLINE_FUNCTION void unit_rows(double* v, const Starts& starts) const {
    const int K = rows;
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, size), [&](long i) {
      for (int k = 0; k < K; ++k) v[i * K + k] = i == starts(k) ? 1.0 : 0.0;
    });
    team.team_barrier();
  }
};

/// The Pauli string of qubit-wise (x, z) bits: I (0, 0), X (1, 0), Y (1, 1),
/// Z (0, 1); and the real part of the phase of its matrix elements,
/// Q[a][a ^ x] = (-i)^{|x & z|} (-1)^{|a & z|}: (-1)^{|x & z| / 2} when
/// |x & z| is even, else 0 (those strings are imaginary).
struct XzPauli {
  KOKKOS_INLINE_FUNCTION static long index(int n, int x, int z) {
    long q_index = 0;
    for (int q = 0; q < n; ++q) {
      const int xb = (x >> q) & 1, zb = (z >> q) & 1;
      const long d = xb ? (zb ? kY : kX) : (zb ? kZ : kI);
      q_index |= d << (2 * q);
    }
    return q_index;
  }
  KOKKOS_INLINE_FUNCTION static double real_phase(int x, int z) {
    int y = 0;
    for (int v = x & z; v != 0; v &= v - 1) ++y;
    if (y & 1) return 0.0;
    return (y >> 1) & 1 ? -1.0 : 1.0;
  }
  /// In place: u_b <- sum_S (-1)^{|b & S|} u_S over `dim` entries.
  KOKKOS_INLINE_FUNCTION static void walsh_hadamard(double* u, int dim) {
    for (int h = 1; h < dim; h <<= 1) {
      for (int i = 0; i < dim; i += 2 * h) {
        for (int j = i; j < i + h; ++j) {
          const double a = u[j], b = u[j + h];
          u[j] = a + b;
          u[j + h] = a - b;
        }
      }
    }
  }
};

/// What the batch kernel reads from the Heisenberg observables h_j:
///  angle:     C(j, P) = sign_P h_j[pauli_P] for the 3^n monomials;
///  amplitude: S_j = Re(H_j), dense, at (j, a * dim + b): for each x,
///             S_j[a][a ^ x] = sum_z phase(x, z) h_j[Q(x, z)] (-1)^{|a & z|},
///             a Walsh-Hadamard transform over z (row x of `work`).
template <class ExecSpace>
struct ExtractCoefficients {
  using MemSpace = typename ExecSpace::memory_space;
  using Policy = Kokkos::TeamPolicy<ExecSpace>;
  using Member = typename Policy::member_type;

  int n = 0;
  bool angle = true;
  Kokkos::View<const double**, Kokkos::LayoutRight, MemSpace> heisenberg;
  Kokkos::View<const std::int32_t*, MemSpace> monomial_pauli;
  Kokkos::View<const std::int8_t*, MemSpace> monomial_sign;
  Kokkos::View<double**, Kokkos::LayoutRight, MemSpace> work;
  Kokkos::View<double**, Kokkos::LayoutRight, MemSpace> coeffs;

  KOKKOS_INLINE_FUNCTION void operator()(const Member& team) const {
    const int j = team.league_rank();
    if (angle) {
      const long count = static_cast<long>(monomial_pauli.extent(0));
      Kokkos::parallel_for(Kokkos::TeamThreadRange(team, count), [&](long m) {
        coeffs(j, m) = monomial_sign(m) * heisenberg(monomial_pauli(m), j);
      });
      return;
    }
    const int dim = 1 << n;
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, dim), [&](int x) {
      double* row = &work(j, static_cast<long>(x) * dim);
      for (int z = 0; z < dim; ++z) {
        row[z] = XzPauli::real_phase(x, z) * heisenberg(XzPauli::index(n, x, z), j);
      }
      XzPauli::walsh_hadamard(row, dim);
    });
    team.team_barrier();
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, dim * dim), [&](int i) {
      const int x = i / dim, a = i % dim;
      coeffs(j, static_cast<long>(a) * dim + (a ^ x)) = work(j, i);
    });
  }
};

/// The moments as state-side Pauli vectors mu_j (Tr(Q R_j) for each Q):
///  angle:     mu_j[pauli_P] = sign_P M_jP, 0 for strings with no monomial;
///  amplitude: from R_j (dim x dim at j * dim^2): for each x,
///             mu_j[Q(x, z)] = phase(x, z) sum_a (-1)^{|a & z|} R_j[a ^ x][a].
template <class ExecSpace>
struct MomentsToPauli {
  using MemSpace = typename ExecSpace::memory_space;
  using Policy = Kokkos::TeamPolicy<ExecSpace>;
  using Member = typename Policy::member_type;

  int n = 0;
  bool angle = true;
  long size = 0;                                  // 4^n
  long nm = 0;                                    // moments per observable
  Kokkos::View<const double*, MemSpace> moments;  // (j * nm + m)
  Kokkos::View<const std::int32_t*, MemSpace> monomial_pauli;
  Kokkos::View<const std::int8_t*, MemSpace> monomial_sign;
  Kokkos::View<double**, Kokkos::LayoutRight, MemSpace> work;
  Kokkos::View<double**, Kokkos::LayoutRight, MemSpace> mu;

  KOKKOS_INLINE_FUNCTION void operator()(const Member& team) const {
    const int j = team.league_rank();
    const double* mj = moments.data() + j * nm;
    if (angle) {
      Kokkos::parallel_for(Kokkos::TeamThreadRange(team, size), [&](long i) { mu(i, j) = 0.0; });
      team.team_barrier();
      Kokkos::parallel_for(Kokkos::TeamThreadRange(team, nm),
                           [&](long m) { mu(monomial_pauli(m), j) = monomial_sign(m) * mj[m]; });
      team.team_barrier();
      return;
    }
    const int dim = 1 << n;
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, dim), [&](int x) {
      double* row = &work(j, static_cast<long>(x) * dim);
      for (int a = 0; a < dim; ++a) row[a] = mj[static_cast<long>(a ^ x) * dim + a];
      XzPauli::walsh_hadamard(row, dim);
      for (int z = 0; z < dim; ++z)
        mu(XzPauli::index(n, x, z), j) = XzPauli::real_phase(x, z) * row[z];
    });
    team.team_barrier();
  }
};

/// The device copy of a PauliProgram's gates and observables, as the
/// compile and the weight-gradient pass read them.
template <class MemSpace>
struct PauliGates {
  long size = 0;  // 4^n
  Kokkos::View<const PauliOp*, MemSpace> ops;
  Kokkos::View<const CliffordTable*, MemSpace> cliffords;
  Kokkos::View<const std::int32_t*, MemSpace> observables;
  Kokkos::View<const double*, MemSpace> weights;

  template <class Member>
  KOKKOS_INLINE_FUNCTION PauliMaps<Member> maps(const Member& team) const {
    return {team, size, static_cast<int>(observables.extent(0))};
  }
};

/// Observables into the Heisenberg picture: h_j = T^T o_j, the gates from
/// last to first (rotation t conjugates as the Schroedinger map with -t).
/// One team; writes heisenberg (4^n, K).
template <class ExecSpace>
struct CompileObservables {
  using MemSpace = typename ExecSpace::memory_space;
  using Policy = Kokkos::TeamPolicy<ExecSpace>;
  using Member = typename Policy::member_type;

  PauliGates<MemSpace> gates;
  Kokkos::View<double**, Kokkos::LayoutRight, MemSpace> heisenberg;

  KOKKOS_INLINE_FUNCTION void operator()(const Member& team) const {
    double* h = heisenberg.data();
    const PauliMaps<Member> maps = gates.maps(team);
    maps.unit_rows(h, gates.observables);
    for (long g = static_cast<long>(gates.ops.extent(0)) - 1; g >= 0; --g) {
      maps.apply(h, gates.ops(g), gates.weights, gates.cliffords, -1.0);
    }
  }
};

/// The weight gradient sum_j <o_j, T mu_j> from the moments' vectors mu_j
/// (state side, in mu (4^n, K)): mu forward through the gates, then back
/// with o (in `scratch`), each rotation adding its derivative and both
/// vectors un-doing the gate. One team; writes grads (overwritten).
template <class ExecSpace>
struct WeightGradient {
  using MemSpace = typename ExecSpace::memory_space;
  using Policy = Kokkos::TeamPolicy<ExecSpace>;
  using Member = typename Policy::member_type;

  PauliGates<MemSpace> gates;
  Kokkos::View<double**, Kokkos::LayoutRight, MemSpace> mu;
  Kokkos::View<double**, Kokkos::LayoutRight, MemSpace> scratch;
  Kokkos::View<double*, MemSpace> grads;

  KOKKOS_INLINE_FUNCTION void operator()(const Member& team) const {
    double* r = mu.data();
    double* o = scratch.data();
    const PauliMaps<Member> maps = gates.maps(team);
    const auto& ops = gates.ops;
    maps.unit_rows(o, gates.observables);
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, static_cast<long>(grads.extent(0))),
                         [&](long w) { grads(w) = 0.0; });
    team.team_barrier();
    const long count = static_cast<long>(ops.extent(0));
    for (long g = 0; g < count; ++g) maps.apply(r, ops(g), gates.weights, gates.cliffords, 1.0);
    for (long g = count - 1; g >= 0; --g) {
      const PauliOp op = ops(g);
      if (op.kind == 0) {
        const double grad = maps.rotation_gradient(o, r, op);
        Kokkos::single(Kokkos::PerTeam(team), [&] { grads(op.param) += grad; });
      }
      maps.apply(r, op, gates.weights, gates.cliffords, -1.0);
      maps.apply(o, op, gates.weights, gates.cliffords, -1.0);
    }
  }
};

}  // namespace resqunn::quantum::detail
