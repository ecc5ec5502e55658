// The compiled evaluator's batch kernel: every circuit of a batch from the
// compiled coefficients, in one dispatch. Teams own fixed runs of chunks of
// W circuits (lanes) per thread slot as in circuit_kernels.hpp; per chunk:
//   angle:     v_q = (1, cos t_q, sin t_q) -> e_j = sum_P C_jP m_P with
//              m_P = prod_q v_q[p_q], contracted qubit by qubit (the 3^n
//              monomials m_P are built only for the VJP)
//   amplitude: psi = x / |x| -> w_j = S_j psi -> e_j = psi . w_j
// then the outputs from the observables' e_j (identity for expval-z, a
// Walsh-Hadamard transform for probabilities). The VJP maps the upstream
// gradients to the observables, back-propagates through the monomials (or
// the quadratic forms) for input gradients, and accumulates the moments
// M_jP = sum_b g_bj m_P(b) (or R_j = sum_b g_bj psi_b psi_b^T) per lane; a
// team's moments are summed over its lanes, then over teams in order.
// docs/quantum.md, "Compiled evaluation", derives it.
#pragma once

#include "resqunn/quantum/circuit.hpp"
#include "resqunn/quantum/detail/batch_support.hpp"
#include "resqunn/quantum/detail/kokkos_math.hpp"
#include "resqunn/quantum/detail/lane_math.hpp"
#include "resqunn/quantum/detail/lane_pack.hpp"
#include "resqunn/quantum/detail/lanes.hpp"

#include <Kokkos_Core.hpp>

namespace resqunn::quantum::detail {

// The lane loops below run over W circuits; GCC's SLP vectoriser gives up on
// some of them once their bodies carry accumulators across an outer loop,
// so they ask for vectorisation explicitly where OpenMP's simd is available
// (host passes only; not under AddressSanitizer, whose checks keep Clang
// from vectorising them and which then warns that it could not).
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RESQUNN_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define RESQUNN_ASAN 1
#endif
#if defined(_OPENMP) && !defined(__CUDA_ARCH__) && !defined(__HIP_DEVICE_COMPILE__) && \
    !defined(RESQUNN_ASAN)
#define RESQUNN_LANE_LOOP _Pragma("omp simd")
#else
#define RESQUNN_LANE_LOOP
#endif

/// Sizes and settings of a compiled batch.
struct CompiledShape {
  int n = 0;
  int dim = 0;   // 2^n
  int nobs = 0;  // observables
  int nout = 0;
  int nin = 0;
  int nm = 0;                  // moments per observable: 3^n (angle) or dim^2 (amplitude)
  bool probabilities = false;  // outputs = WHT(e) / nobs
  bool input_grads = true;     // VJP: the caller wants input gradients
  bool outputs = true;         // VJP: the caller wants the outputs
  Encoding encoding = Encoding::angle;
  GateKind axis = GateKind::ry;
  double scale = 1.0;
  long batch = 0;
  long chunks = 0;
  long chunks_per_team = 1;
};

/// Chunks whose monomials and observable gradients the angle VJP keeps
/// before adding their outer products to the moments in one register-tiled
/// pass (moment_block): the moments' memory is read and written once per
/// block instead of once per chunk. Fewer for large monomial tables, so that
/// the kept monomials stay within about 2^20 doubles. The block size does
/// not change any sum's order.
inline constexpr int kMomentBlock = 8;
inline constexpr long kMomentBlockDoubles = 1L << 20;

/// Scratch offsets (doubles) of one team; every block is a multiple of the
/// row stride R = row_stride(W, T) (a row holds the lanes of every thread slot).
/// `slots` chunks' monomials (mono) and observable gradients (g) are kept:
/// up to `max_slots` (kMomentBlock for the lanes shape, 1 for threads,
/// which gain nothing from register tiles) for the angle VJP, else 1. The
/// forward pass keeps no monomials: mono is the contraction's work rows.
/// With `team_moments` (the angle VJP of teams of several threads), the
/// moments are one column for the whole team (CompiledKernel::team_rounds)
/// instead of a row per moment.
/// Offsets are long: compiled_footprint sizes specs far past any limit
/// (that is how it refuses them), whose totals overflow an int.
struct CompiledLayout {
  long x, alpha, beta, da, db, mono, adj, e, out, g, gin, psi, w, lam, norm, macc, total;
  int slots;
  bool team_moments;

  static CompiledLayout make(const CompiledShape& s, bool vjp, int row, int max_slots,
                             bool team_sums) {
    CompiledLayout L{};
    long at = 0;
    auto take = [&](long n) {
      const long here = at;
      at += n * row;
      return here;
    };
    const bool angle = s.encoding == Encoding::angle;
    const long fit = kMomentBlockDoubles / (static_cast<long>(s.nm) * row);
    L.slots = angle && vjp ? static_cast<int>(fit < 1 ? 1 : fit < max_slots ? fit : max_slots) : 1;
    L.x = take(s.nin);
    L.alpha = angle ? take(s.n) : 0;
    L.beta = angle ? take(s.n) : 0;
    L.da = angle && vjp ? take(s.n) : 0;
    L.db = angle && vjp ? take(s.n) : 0;
    const long work = s.nm / 9 > 1 ? s.nm / 9 : 1;  // 3^(n-2) rows
    L.mono = angle ? take(vjp ? static_cast<long>(L.slots) * s.nm : work) : 0;
    L.adj = angle && vjp ? take(s.nm) : 0;
    L.e = take(s.nobs);
    L.out = s.probabilities ? take(s.nout) : 0;
    L.g = vjp ? take(static_cast<long>(L.slots) * s.nobs) : 0;
    L.gin = vjp ? take(s.nin) : 0;
    L.psi = angle ? 0 : take(s.dim);
    L.w = angle ? 0 : take(static_cast<long>(s.nobs) * s.dim);
    L.lam = !angle && vjp ? take(s.dim) : 0;
    L.norm = take(1);
    L.team_moments = team_sums && angle && vjp;
    if (L.team_moments) {
      L.macc = at;
      at += static_cast<long>(s.nobs) * s.nm;
    } else {
      L.macc = vjp ? take(static_cast<long>(s.nobs) * s.nm) : 0;
    }
    L.total = at;
    return L;
  }
};

// ---- lane loops (restrict: the blocks of one call never overlap) ----------

/// dst[r * S + l] = src[r * S + l] * f[l] for `rows` rows of W lanes.
template <int W, int S = W>
KOKKOS_INLINE_FUNCTION void scale_rows(double* KOKKOS_RESTRICT dst,
                                       const double* KOKKOS_RESTRICT src,
                                       const double* KOKKOS_RESTRICT f, int rows) {
  for (int r = 0; r < rows; ++r) {
    if constexpr (W == 1) {
      dst[r * S] = src[r * S] * f[0];  // nothing to vectorise across lanes
    } else {
      RESQUNN_LANE_LOOP
      for (int l = 0; l < W; ++l) dst[r * S + l] = src[r * S + l] * f[l];
    }
  }
}

/// c0 + c1 a + c2 b per lane: one qubit's digit of a coefficient triple.
template <int W>
KOKKOS_INLINE_FUNCTION Pack<W> qubit_digit(const double* c, const Pack<W>& a, const Pack<W>& b) {
  return pack_splat<W>(c[0]) + pack_splat<W>(c[1]) * a + pack_splat<W>(c[2]) * b;
}

/// e = sum_P c[P] prod_q v_q[p_q] over P = sum_q p_q 3^q, with v_q = (1,
/// a_q, b_q) the rows a + q W, b + q W: the polynomial contracted qubit by
/// qubit from qubit 0 (Horner's scheme in each variable pair), 3^n - 1 FMAs
/// per lane and no monomial table. Qubits 0 and 1 are contracted together
/// in registers; the rest in place in `work` (3^(n-2) rows of W).
template <int W, int S = W>
KOKKOS_INLINE_FUNCTION Pack<W> contract_monomials(const double* KOKKOS_RESTRICT c, int n,
                                                  const double* KOKKOS_RESTRICT a,
                                                  const double* KOKKOS_RESTRICT b,
                                                  double* KOKKOS_RESTRICT work) {
  using P = Pack<W>;
  const P a0 = pack_load<W>(a), b0 = pack_load<W>(b);
  if (n == 1) return qubit_digit<W>(c, a0, b0);
  const P a1 = pack_load<W>(a + S), b1 = pack_load<W>(b + S);
  int size = 1;  // 3^(n-2)
  for (int q = 2; q < n; ++q) size *= 3;
  for (int h = 0; h < size; ++h) {
    const double* c9 = c + 9 * h;
    const P u = qubit_digit<W>(c9, a0, b0) + qubit_digit<W>(c9 + 3, a0, b0) * a1 +
                qubit_digit<W>(c9 + 6, a0, b0) * b1;
    if (n == 2) return u;
    pack_store<W>(work + h * S, u);
  }
  for (int q = 2; q < n; ++q) {
    size /= 3;
    const P aq = pack_load<W>(a + q * S), bq = pack_load<W>(b + q * S);
    for (int h = 0; h < size; ++h) {
      const double* t = work + 3 * h * S;
      pack_store<W>(work + h * S,
                    pack_load<W>(t) + pack_load<W>(t + S) * aq + pack_load<W>(t + 2 * S) * bq);
    }
  }
  return pack_load<W>(work);
}

/// For m < count: out_m = sum_{j < rows} c[j * stride + m] g_j, per lane
/// (the gradient by monomial m), j in order. Eight m at a time keep eight
/// independent FMA chains in flight; the sums stay in registers.
template <int W, int S = W>
KOKKOS_INLINE_FUNCTION void combine_rows(double* KOKKOS_RESTRICT out,
                                         const double* KOKKOS_RESTRICT c, long stride, int rows,
                                         const double* KOKKOS_RESTRICT g, int count) {
  using P = Pack<W>;
  constexpr int B = 8;
  for (int m0 = 0; m0 < count; m0 += B) {
    const int mn = count - m0 < B ? count - m0 : B;
    P o[B];
    for (int b = 0; b < B; ++b) o[b] = pack_zero<W>();
    for (int j = 0; j < rows; ++j) {
      const double* cj = c + j * stride + m0;
      const P gj = pack_load<W>(g + j * S);
      for (int b = 0; b < B; ++b) o[b] += pack_splat<W>(b < mn ? cj[b] : 0.0) * gj;
    }
    for (int b = 0; b < B; ++b) {
      if (b < mn) pack_store<W>(out + (m0 + b) * S, o[b]);
    }
  }
}

/// The moments of `count` chunks: acc[(j * nm + m) * S + l] += g_f[j][l]
/// m_f[m][l] for f = 0..count-1 in order (g_f at g + f * nobs * S, m_f at
/// mono + f * nm * S), so each (j, m, lane) accumulates chunk by chunk as
/// if updated per chunk. 4 x 4 tiles of (j, m) stay in registers over f;
/// edge tiles keep unused entries at zero and do not store them.
template <int W, int S = W>
KOKKOS_INLINE_FUNCTION void moment_block(double* KOKKOS_RESTRICT acc,
                                         const double* KOKKOS_RESTRICT g,
                                         const double* KOKKOS_RESTRICT mono, int nobs, int nm,
                                         int count) {
  using P = Pack<W>;
  constexpr int T = 4;
  for (int j0 = 0; j0 < nobs; j0 += T) {
    const int jn = nobs - j0 < T ? nobs - j0 : T;
    for (int m0 = 0; m0 < nm; m0 += T) {
      const int mn = nm - m0 < T ? nm - m0 : T;
      P tile[T][T];
      for (int a = 0; a < T; ++a) {
        for (int b = 0; b < T; ++b) {
          tile[a][b] =
              a < jn && b < mn ? pack_load<W>(acc + ((j0 + a) * nm + m0 + b) * S) : pack_zero<W>();
        }
      }
      for (int f = 0; f < count; ++f) {
        const double* gf = g + (f * nobs + j0) * S;
        const double* mf = mono + (static_cast<long>(f) * nm + m0) * S;
        P ga[T], mb[T];
        for (int a = 0; a < T; ++a) ga[a] = a < jn ? pack_load<W>(gf + a * S) : pack_zero<W>();
        for (int b = 0; b < T; ++b) mb[b] = b < mn ? pack_load<W>(mf + b * S) : pack_zero<W>();
        for (int a = 0; a < T; ++a) {
          for (int b = 0; b < T; ++b) tile[a][b] += ga[a] * mb[b];
        }
      }
      for (int a = 0; a < T; ++a) {
        for (int b = 0; b < T; ++b) {
          if (a < jn && b < mn) pack_store<W>(acc + ((j0 + a) * nm + m0 + b) * S, tile[a][b]);
        }
      }
    }
  }
}

/// One qubit of the monomial build's reverse pass over `size` rows:
/// da += sum_j hi1_j m_j, db += sum_j hi2_j m_j, lo_j += a hi1_j + b hi2_j.
template <int W, int S = W>
KOKKOS_INLINE_FUNCTION void unbuild_rows(
    double* KOKKOS_RESTRICT lo, const double* KOKKOS_RESTRICT hi1,
    const double* KOKKOS_RESTRICT hi2, const double* KOKKOS_RESTRICT mono,
    const double* KOKKOS_RESTRICT a, const double* KOKKOS_RESTRICT b, double* KOKKOS_RESTRICT da,
    double* KOKKOS_RESTRICT db, int size) {
  using P = Pack<W>;
  const P pa = pack_load<W>(a), pb = pack_load<W>(b);
  P sa = pack_zero<W>(), sb = pack_zero<W>();
  for (int j = 0; j < size; ++j) {
    const P ua = pack_load<W>(hi1 + j * S), ub = pack_load<W>(hi2 + j * S);
    const P mj = pack_load<W>(mono + j * S);
    sa += ua * mj;
    sb += ub * mj;
    pack_store<W>(lo + j * S, pack_load<W>(lo + j * S) + pa * ua + pb * ub);
  }
  pack_store<W>(da, sa);
  pack_store<W>(db, sb);
}

/// W circuits per chunk, T thread slots per team (detail/lanes.hpp): slot
/// t's lanes sit at t * W of the team's rows, S = row_stride(W, T) apart.
template <class ExecSpace, int Lanes, int Threads>
struct CompiledKernel {
  static constexpr int W = Lanes;
  static constexpr int T = Threads;
  static constexpr int S = row_stride(W, T);
  using MemSpace = typename ExecSpace::memory_space;
  using Policy = Kokkos::TeamPolicy<ExecSpace>;
  using Member = typename Policy::member_type;
  template <class E>
  using View2 = Kokkos::View<E**, Kokkos::LayoutRight, MemSpace>;

  CompiledShape s;
  CompiledLayout L;
  int scratch_level = 0;
  bool vjp = false;
  View2<const double> coeffs;  // angle: C(j, P); amplitude: S_j(a, b) at (j, a * dim + b)
  View2<const double> inputs;
  View2<double> outputs;
  View2<const double> upstream;
  View2<double> input_grads;
  View2<double> partial;  // (team, j * nm + m): the team's moments

  KOKKOS_INLINE_FUNCTION void operator()(const Member& team) const {
    double* rows =
        static_cast<double*>(team.team_scratch(scratch_level).get_shmem(sizeof(double) * L.total));
    const long first = static_cast<long>(team.league_rank()) * s.chunks_per_team;
    const long end = first + s.chunks_per_team;
    const long last = end < s.chunks ? end : s.chunks;
    if (L.team_moments) {
      team_rounds(team, rows, first, last);
      return;
    }
    const long moments = static_cast<long>(s.nobs) * s.nm;
    // The team's run of chunks; slot t takes chunks first + t, first + t + T,
    // ... and keeps its own moments (per lane), flushing its kept chunks'
    // outer products every L.slots chunks and after its last.
    const bool blocks = vjp && s.encoding == Encoding::angle;
    for_each_slot<T>(team, [&](int t) {
      double* buf = rows + t * W;
      if (vjp) fill_rows<W, S>(buf + L.macc, moments, 0.0);
      int slot = 0;
      for (long chunk = first + t; chunk < last; chunk += T) {
        run_chunk(buf, chunk * W, slot);
        const bool flush = slot + 1 == L.slots || chunk + T >= last;
        if (blocks && flush) {
          moment_block<W, S>(buf + L.macc, buf + L.g, buf + L.mono, s.nobs, s.nm, slot + 1);
        }
        slot = flush ? 0 : slot + 1;
      }
    });
    if (vjp) sum_team_rows<W, T, S>(team, rows + L.macc, moments, partial);
  }

  // The angle VJP of a team of several threads (CompiledLayout::team_moments):
  // in rounds of one chunk per slot, the slots evaluate their chunks (each
  // leaving its monomials and observable gradients in its rows), then the
  // team's threads share out the moments M_jm, each adding the round's
  // sum over slots and lanes of g_j m_m to its moments, kept in one team
  // column: the moments' memory is touched once per round instead of once
  // per circuit, and every moment sums its circuits in the fixed order
  // (round, slot, lane).
  KOKKOS_INLINE_FUNCTION void team_rounds(const Member& team, double* rows, long first,
                                          long last) const {
    const long moments = static_cast<long>(s.nobs) * s.nm;
    double* macc = rows + L.macc;
    const double* g = rows + L.g;
    const double* mono = rows + L.mono;
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, moments), [&](long i) { macc[i] = 0.0; });
    for (long round = first; round < last; round += T) {
      const int busy = last - round < T ? static_cast<int>(last - round) : T;
      team.team_barrier();  // the last round's sums are done with g and mono
      for_each_slot<T>(team, [&](int t) {
        if (t < busy) run_chunk(rows + t * W, (round + t) * W, 0);
      });
      team.team_barrier();
      Kokkos::parallel_for(Kokkos::TeamThreadRange(team, moments), [&](long i) {
        const long j = i / s.nm, m = i - j * s.nm;
        double acc = macc[i];
        for (int c = 0; c < busy * W; ++c) acc += g[j * S + c] * mono[m * S + c];
        macc[i] = acc;
      });
    }
    team.team_barrier();
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, moments),
                         [&](long i) { partial(team.league_rank(), i) = macc[i]; });
  }

  // In place over `count` rows of W lanes: the unnormalised Walsh-Hadamard
  // transform y_b = sum_S (-1)^{|b & S|} x_S, then times `factor`.
  KOKKOS_INLINE_FUNCTION static void walsh_hadamard(double* v, int count, double factor) {
    for (int h = 1; h < count; h <<= 1) {
      for (int i = 0; i < count; i += 2 * h) {
        for (int j = i; j < i + h; ++j) {
          for (int l = 0; l < W; ++l) {
            const double a = v[j * S + l], b = v[(j + h) * S + l];
            v[j * S + l] = a + b;
            v[(j + h) * S + l] = a - b;
          }
        }
      }
    }
    for (int i = 0; i < count; ++i) {
      for (int l = 0; l < W; ++l) v[i * S + l] *= factor;
    }
  }

  // `slot`: which of the layout's slots holds this chunk's monomials and
  // observable gradients.
  KOKKOS_INLINE_FUNCTION void run_chunk(double* buf, long base, int slot) const {
    const int valid = s.batch - base < W ? static_cast<int>(s.batch - base) : W;
    load_rows<W, S>(inputs, base, valid, s.nin, buf + L.x);
    double* mono = buf + L.mono + static_cast<long>(slot) * s.nm * S;
    if (s.encoding == Encoding::angle) {
      forward_angle(buf, mono);
    } else {
      forward_amplitude(buf);
    }
    // expval-z: the outputs are the observables' values, stored from e.
    const double* out = buf + L.e;
    if (s.outputs && s.probabilities) {
      double* p = buf + L.out;
      for (int i = 0; i < s.nout; ++i) {
        for (int l = 0; l < W; ++l) p[i * S + l] = out[i * S + l];
      }
      walsh_hadamard(p, s.nout, 1.0 / s.nout);
      out = p;
    }
    if (s.outputs) store_rows<W, S>(outputs, base, valid, s.nout, out);
    if (!vjp) return;
    // Upstream on the observables (nout = nobs; the transform is symmetric).
    double* g = buf + L.g + slot * s.nobs * S;
    load_rows<W, S>(upstream, base, valid, s.nout, g);
    if (s.probabilities) walsh_hadamard(g, s.nobs, 1.0 / s.nobs);
    if (s.encoding == Encoding::angle) {
      if (s.input_grads) {
        adjoint_angle(buf, g, mono);
        store_rows<W, S>(input_grads, base, valid, s.nin, buf + L.gin);
      }
    } else {
      adjoint_amplitude(buf);
      if (s.input_grads) store_rows<W, S>(input_grads, base, valid, s.nin, buf + L.gin);
    }
  }

  // ---- angle encoding --------------------------------------------------------

  KOKKOS_INLINE_FUNCTION void forward_angle(double* buf, double* mono) const {
    const double* x = buf + L.x;
    double* alpha = buf + L.alpha;
    double* beta = buf + L.beta;
    for (int q = 0; q < s.n; ++q) {
      if (s.axis == GateKind::rz) {  // R_z(t)|0> is |0> up to a phase
        for (int l = 0; l < W; ++l) {
          alpha[q * S + l] = 1.0;
          beta[q * S + l] = 0.0;
        }
      } else {
        double t[W];
        for (int l = 0; l < W; ++l) t[l] = s.scale * x[q * S + l];
        sincos_lanes<W>(t, alpha + q * S, beta + q * S);
      }
    }
    // The observables by contraction (unless a VJP's caller has them); the
    // monomial table (scratch for the contraction until then) only where
    // the VJP needs it.
    double* e = buf + L.e;
    for (int j = 0; s.outputs && j < s.nobs; ++j) {
      pack_store<W>(e + j * S, contract_monomials<W, S>(coeffs.data() + static_cast<long>(j) * s.nm,
                                                        s.n, alpha, beta, mono));
    }
    if (!vjp) return;
    // m_P for P = sum_q p_q 3^q, built qubit by qubit: the entries below 3^q
    // are the monomials of qubits 0..q-1 (later digits are I, factor 1).
    for (int l = 0; l < W; ++l) mono[l] = 1.0;
    int size = 1;
    for (int q = 0; q < s.n; ++q, size *= 3) {
      scale_rows<W, S>(mono + size * S, mono, alpha + q * S, size);
      scale_rows<W, S>(mono + 2 * size * S, mono, beta + q * S, size);
    }
  }

  // The moments M_jP += g_j m_P of this chunk are added by moment_block,
  // from the slot's g and mono, once per block of chunks.
  KOKKOS_INLINE_FUNCTION void adjoint_angle(double* buf, const double* g,
                                            const double* mono) const {
    const double* alpha = buf + L.alpha;
    const double* beta = buf + L.beta;
    double* adj = buf + L.adj;
    // adj_P = sum_j g_j C_jP: the gradient of sum_j g_j e_j by m_P.
    combine_rows<W, S>(adj, coeffs.data(), s.nm, s.nobs, g, s.nm);
    // Back through the qubit-by-qubit build, last qubit first: at qubit q,
    // dv_q[d] = sum_{j < 3^q} adj[j + d 3^q] m[j], and adj[j] collects
    // sum_d v_q[d] adj[j + d 3^q].
    double* da = buf + L.da;
    double* db = buf + L.db;
    int size = 1;
    for (int q = 0; q + 1 < s.n; ++q) size *= 3;
    for (int q = s.n - 1; q >= 0; --q, size /= 3) {
      unbuild_rows<W, S>(adj, adj + size * S, adj + 2 * size * S, mono, alpha + q * S, beta + q * S,
                         da + q * S, db + q * S, size);
    }
    // (cos t, sin t)' = (-sin t, cos t), t = scale x.
    double* gin = buf + L.gin;
    for (int q = 0; q < s.n; ++q) {
      for (int l = 0; l < W; ++l) {
        gin[q * S + l] =
            s.axis == GateKind::rz
                ? 0.0
                : s.scale * (alpha[q * S + l] * db[q * S + l] - beta[q * S + l] * da[q * S + l]);
      }
    }
  }

  // ---- amplitude encoding ----------------------------------------------------

  KOKKOS_INLINE_FUNCTION void forward_amplitude(double* buf) const {
    const double* x = buf + L.x;
    double* psi = buf + L.psi;
    double* nrm = buf + L.norm;
    for (int l = 0; l < W; ++l) {
      double sum = 0.0;
      for (int i = 0; i < s.dim; ++i) sum += x[i * S + l] * x[i * S + l];
      nrm[l] = kmath::sqrt(sum);
      if (nrm[l] == 0.0) {  // all-zero input: |0...0> by definition
        for (int i = 0; i < s.dim; ++i) psi[i * S + l] = i == 0 ? 1.0 : 0.0;
      } else {
        const double inv = 1.0 / nrm[l];
        for (int i = 0; i < s.dim; ++i) psi[i * S + l] = x[i * S + l] * inv;
      }
    }
    double* w = buf + L.w;
    double* e = buf + L.e;
    for (int j = 0; j < s.nobs; ++j) {
      double* wj = w + static_cast<long>(j) * s.dim * S;
      const double* sj = &coeffs(j, 0);
      for (int a = 0; a < s.dim; ++a) {
        double acc[W];
        for (int l = 0; l < W; ++l) acc[l] = 0.0;
        for (int b = 0; b < s.dim; ++b) {
          const double c = sj[a * s.dim + b];
          for (int l = 0; l < W; ++l) acc[l] += c * psi[b * S + l];
        }
        for (int l = 0; l < W; ++l) wj[a * S + l] = acc[l];
      }
      double acc[W];
      for (int l = 0; l < W; ++l) acc[l] = 0.0;
      for (int a = 0; a < s.dim; ++a) {
        for (int l = 0; l < W; ++l) acc[l] += psi[a * S + l] * wj[a * S + l];
      }
      for (int l = 0; l < W; ++l) e[j * S + l] = acc[l];
    }
  }

  KOKKOS_INLINE_FUNCTION void adjoint_amplitude(double* buf) const {
    const double* g = buf + L.g;
    const double* psi = buf + L.psi;
    const double* w = buf + L.w;
    const double* x = buf + L.x;
    const double* nrm = buf + L.norm;
    double* lam = buf + L.lam;
    double* macc = buf + L.macc;
    // lam = sum_j g_j S_j psi; the moments R_j += g_j psi psi^T (psi_a psi_b
    // first, so that R_j is exactly symmetric).
    for (int a = 0; a < s.dim; ++a) {
      for (int l = 0; l < W; ++l) lam[a * S + l] = 0.0;
    }
    for (int j = 0; j < s.nobs; ++j) {
      const double* wj = w + static_cast<long>(j) * s.dim * S;
      for (int a = 0; a < s.dim; ++a) {
        for (int l = 0; l < W; ++l) lam[a * S + l] += g[j * S + l] * wj[a * S + l];
      }
      double* rj = macc + static_cast<long>(j) * s.nm * S;
      for (int a = 0; a < s.dim; ++a) {
        for (int b = 0; b < s.dim; ++b) {
          for (int l = 0; l < W; ++l) {
            rj[(a * s.dim + b) * S + l] += g[j * S + l] * (psi[a * S + l] * psi[b * S + l]);
          }
        }
      }
    }
    // d(psi^T S psi)/dpsi = 2 S psi; then through psi = x / |x|.
    double* gin = buf + L.gin;
    for (int l = 0; l < W; ++l) {
      if (nrm[l] == 0.0) {
        for (int i = 0; i < s.dim; ++i) gin[i * S + l] = 0.0;
        continue;
      }
      const double inv = 1.0 / nrm[l];
      double dot = 0.0;
      for (int i = 0; i < s.dim; ++i) dot += x[i * S + l] * inv * 2.0 * lam[i * S + l];
      for (int i = 0; i < s.dim; ++i) {
        const double v = x[i * S + l] * inv;
        gin[i * S + l] = (2.0 * lam[i * S + l] - v * dot) * inv;
      }
    }
  }
};

}  // namespace resqunn::quantum::detail

#undef RESQUNN_LANE_LOOP
#undef RESQUNN_ASAN
