// The batched forward/adjoint kernel. One team of the TeamPolicy owns a
// fixed run of `kChunksPerTeam` chunks of W circuits per thread slot (fixed:
// the weight-gradient summation order must not depend on the thread count).
// Per chunk:
//   encode (+ product prefix) -> gate program -> readout      (forward)
//   lam = H phi -> gates in reverse, each one adding its      (adjoint VJP)
//   gradient and un-applying itself -> product prefix and encoding on
//   per-qubit 2-vectors -> input gradients
// The lane-blocked states live in team scratch memory. docs/quantum.md
// describes the design.
#pragma once

#include "resqunn/quantum/circuit.hpp"
#include "resqunn/quantum/detail/batch_support.hpp"
#include "resqunn/quantum/detail/kokkos_math.hpp"
#include "resqunn/quantum/detail/lane_math.hpp"
#include "resqunn/quantum/detail/lane_ops.hpp"
#include "resqunn/quantum/detail/lanes.hpp"
#include "resqunn/quantum/detail/program.hpp"

#include <Kokkos_Core.hpp>

namespace resqunn::quantum::detail {

inline constexpr int kChunksPerTeam = 4;

/// Sizes and settings shared by every circuit of a batch.
struct Shape {
  int n = 0;
  int dim = 0;
  int nsteps = 0;
  /// Angle encoding: steps[0..prefix) act on the per-qubit 2-vectors of the
  /// product state (Program::prefix); amplitude encoding: 0.
  int prefix = 0;
  int nweights = 0;
  int nin = 0;
  int nout = 0;
  int prob_mask = 0;  // probabilities readout: 2^k - 1
  Encoding encoding = Encoding::angle;
  GateKind axis = GateKind::ry;
  Readout readout = Readout::expval_z;
  double scale = 1.0;
  long batch = 0;
  long chunks = 0;
};

/// Scratch doubles one team needs, as offsets into its buffer. Every block
/// is a multiple of R = row_stride(W, T) doubles: row r of a block holds
/// the lanes of every thread slot of the team.
struct ScratchLayout {
  int phi_re, phi_im, lam_re, lam_im, x, up, enc_c, enc_s, local, mu, norm, out, grad_w, grad_in,
      total;

  template <int R>
  static ScratchLayout make(const Shape& s, bool vjp) {
    ScratchLayout L{};
    int at = 0;
    auto take = [&](int n) {
      const int here = at;
      at += n;
      return here;
    };
    const bool angle = s.encoding == Encoding::angle;
    L.phi_re = take(s.dim * R);
    L.phi_im = take(s.dim * R);
    L.lam_re = vjp ? take(s.dim * R) : 0;
    L.lam_im = vjp ? take(s.dim * R) : 0;
    L.x = take(s.nin * R);
    L.up = vjp ? take(s.nout * R) : 0;
    L.enc_c = angle ? take(s.n * R) : 0;
    L.enc_s = angle ? take(s.n * R) : 0;
    L.local = angle ? take(4 * s.n * R) : 0;  // per qubit {re0, im0, re1, im1}
    L.mu = angle && vjp ? take(4 * s.n * R) : 0;
    L.norm = take(R);
    L.out = take(s.nout * R);
    L.grad_w = vjp ? take(s.nweights * R) : 0;
    L.grad_in = vjp ? take(s.nin * R) : 0;
    L.total = at;
    return L;
  }
};

/// W circuits per chunk, T thread slots per team (detail/lanes.hpp): slot
/// t's lanes sit at t * W of the team's rows, S = row_stride(W, T) apart.
template <class ExecSpace, int Lanes, int Threads>
struct CircuitKernel {
  static constexpr int W = Lanes;
  static constexpr int T = Threads;
  static constexpr int S = row_stride(W, T);
  using MemSpace = typename ExecSpace::memory_space;
  using Policy = Kokkos::TeamPolicy<ExecSpace>;
  using Member = typename Policy::member_type;
  template <class E>
  using View2 = Kokkos::View<E**, Kokkos::LayoutRight, MemSpace>;

  Shape s;
  ScratchLayout L;
  int scratch_level = 0;
  bool vjp = false;
  Kokkos::View<const Step*, MemSpace> steps;
  Kokkos::View<const std::int32_t*, MemSpace> slots;    // Program::slots
  Kokkos::View<const std::int32_t*, MemSpace> logical;  // Program::logical
  View2<const double> trig;                             // (weight, {cos, sin}) of half angles
  View2<const double> fused;                            // (step, 8): the step's 2x2 unitary
  View2<const double> inputs;
  View2<double> outputs;
  View2<const double> upstream;
  View2<double> input_grads;
  View2<double> partial;  // (team, weight): per lane over the chunks, then over lanes

  KOKKOS_INLINE_FUNCTION void operator()(const Member& team) const {
    double* rows =
        static_cast<double*>(team.team_scratch(scratch_level).get_shmem(sizeof(double) * L.total));
    // The team's run of kChunksPerTeam chunks per slot; slot t takes chunks
    // first + t, first + t + T, ... (consecutive threads, consecutive
    // circuits).
    const long first = static_cast<long>(team.league_rank()) * kChunksPerTeam * T;
    const long end = first + kChunksPerTeam * T;
    const long last = end < s.chunks ? end : s.chunks;
    for_each_slot<T>(team, [&](int t) {
      double* buf = rows + t * W;
      if (vjp) fill_rows<W, S>(buf + L.grad_w, s.nweights, 0.0);
      for (long chunk = first + t; chunk < last; chunk += T) run_chunk(buf, chunk * W);
    });
    if (vjp) sum_team_rows<W, T, S>(team, rows + L.grad_w, s.nweights, partial);
  }

  // ---- one chunk of W circuits ---------------------------------------------

  KOKKOS_INLINE_FUNCTION void run_chunk(double* buf, long base) const {
    const int valid = s.batch - base < W ? static_cast<int>(s.batch - base) : W;
    double* re = buf + L.phi_re;
    double* im = buf + L.phi_im;
    double* x = buf + L.x;
    load_rows<W, S>(inputs, base, valid, s.nin, x);
    if (s.encoding == Encoding::angle) {
      encode_product(buf, x, re, im);
    } else {
      encode_amplitude(buf, x, re, im);
    }
    const int half = s.dim >> 1;
    for (int st = s.prefix; st < s.nsteps; ++st) {
      const Step step = steps(st);
      const std::int32_t* tab = slots.data() + step.table;
      if (step.kind == StepKind::rotations) {
        double u[8];
        for (int i = 0; i < 8; ++i) u[i] = fused(st, i);
        for (int k = 0; k < half; ++k) {
          const int a = tab[2 * k] * S, b = tab[2 * k + 1] * S;
          pair_u2<W>(re + a, im + a, re + b, im + b, u);
        }
      } else {
        negate_slots(tab, re, im);
      }
    }
    readout(buf, re, im);
    if (outputs.extent(0) != 0) store_rows<W, S>(outputs, base, valid, s.nout, buf + L.out);
    if (vjp) adjoint(buf, base, valid);
  }

  // CZ: negate the amplitudes of the basis states with both qubits set.
  KOKKOS_INLINE_FUNCTION void negate_slots(const std::int32_t* tab, double* re, double* im) const {
    for (int k = 0; k < (s.dim >> 2); ++k) negate<W>(re + tab[k] * S, im + tab[k] * S);
  }

  // Angle encoding gives the product state of v_q = R_axis(scale x_q)|0>.
  // The prefix steps act on single qubits, so they are applied to the v_q
  // (2 amplitudes each, not 2^n); the full state is then built once as
  // their tensor product, qubit 0 first (the slot map is still the
  // identity before the first two-qubit gate).
  KOKKOS_INLINE_FUNCTION void encode_product(double* buf, const double* x, double* re,
                                             double* im) const {
    double* ec = buf + L.enc_c;
    double* es = buf + L.enc_s;
    double* loc = buf + L.local;
    for (int q = 0; q < s.n; ++q) {
      double half[W];
      for (int l = 0; l < W; ++l) half[l] = 0.5 * s.scale * x[q * S + l];
      sincos_lanes<W>(half, ec + q * S, es + q * S);
      // R(t)|0> = v0|0> + v1|1>: RX (c, -i s), RY (c, s), RZ (c - i s, 0).
      const double* c = ec + q * S;
      const double* sn = es + q * S;
      double* v = loc + 4 * q * S;
      for (int l = 0; l < W; ++l) {
        v[l] = c[l];
        v[S + l] = s.axis == GateKind::rz ? -sn[l] : 0.0;
        v[2 * S + l] = s.axis == GateKind::ry ? sn[l] : 0.0;
        v[3 * S + l] = s.axis == GateKind::rx ? -sn[l] : 0.0;
      }
    }
    for (int st = 0; st < s.prefix; ++st) {
      double u[8];
      for (int i = 0; i < 8; ++i) u[i] = fused(st, i);
      double* v = loc + 4 * steps(st).target * S;
      pair_u2<W>(v, v + S, v + 2 * S, v + 3 * S, u);
    }
    for (int l = 0; l < W; ++l) {
      re[l] = loc[l];
      im[l] = loc[S + l];
      re[S + l] = loc[2 * S + l];
      im[S + l] = loc[3 * S + l];
    }
    for (int q = 1; q < s.n; ++q) {
      const int size = 1 << q;
      const double* v = loc + 4 * q * S;
      for (int j = 0; j < size; ++j) {
        expand_pair<W, S>(re + j * S, im + j * S, re + (j + size) * S, im + (j + size) * S, v);
      }
    }
  }

  KOKKOS_INLINE_FUNCTION void encode_amplitude(double* buf, const double* x, double* re,
                                               double* im) const {
    double* nrm = buf + L.norm;
    fill_rows<W, S>(im, s.dim, 0.0);
    for (int l = 0; l < W; ++l) {
      double sum = 0.0;
      for (int i = 0; i < s.dim; ++i) sum += x[i * S + l] * x[i * S + l];
      nrm[l] = kmath::sqrt(sum);
      if (nrm[l] == 0.0) {
        re[l] = 1.0;  // all-zero input: |0...0> by definition
        for (int i = 1; i < s.dim; ++i) re[i * S + l] = 0.0;
      } else {
        const double inv = 1.0 / nrm[l];
        for (int i = 0; i < s.dim; ++i) re[i * S + l] = x[i * S + l] * inv;
      }
    }
  }

  KOKKOS_INLINE_FUNCTION void readout(double* buf, const double* re, const double* im) const {
    double* out = buf + L.out;
    fill_rows<W, S>(out, s.nout, 0.0);
    for (int i = 0; i < s.dim; ++i) {
      double p[W];
      probability<W>(p, re + i * S, im + i * S);
      const int b = logical(i);
      if (s.readout == Readout::expval_z) {
        for (int q = 0; q < s.n; ++q) add_signed<W>(out + q * S, p, (b >> q) & 1);
      } else {
        add_signed<W>(out + (b & s.prob_mask) * S, p, false);
      }
    }
  }

  // ---- adjoint ---------------------------------------------------------------

  KOKKOS_INLINE_FUNCTION void adjoint(double* buf, long base, int valid) const {
    double* pre = buf + L.phi_re;
    double* pim = buf + L.phi_im;
    double* lre = buf + L.lam_re;
    double* lim = buf + L.lam_im;
    const double* up = buf + L.up;
    load_rows<W, S>(upstream, base, valid, s.nout, buf + L.up);
    // lam = H phi with H = sum_o upstream_o O_o, diagonal for both readouts.
    for (int i = 0; i < s.dim; ++i) {
      const int b = logical(i);
      if (s.readout == Readout::expval_z) {
        double h[W];
        for (int l = 0; l < W; ++l) h[l] = 0.0;
        for (int q = 0; q < s.n; ++q) add_signed<W>(h, up + q * S, (b >> q) & 1);
        scale_state<W>(lre + i * S, lim + i * S, h, pre + i * S, pim + i * S);
      } else {
        scale_state<W>(lre + i * S, lim + i * S, up + (b & s.prob_mask) * S, pre + i * S,
                       pim + i * S);
      }
    }
    double* gw = buf + L.grad_w;
    const int half = s.dim >> 1;
    for (int st = s.nsteps - 1; st >= s.prefix; --st) {
      const Step step = steps(st);
      const std::int32_t* tab = slots.data() + step.table;
      if (step.kind == StepKind::cz) {
        negate_slots(tab, pre, pim);
        negate_slots(tab, lre, lim);
        continue;
      }
      for (int r = step.count - 1; r >= 0; --r) {
        const int w = step.param[r];
        adjoint_rotation<W, S>(step.axis[r], tab, half, Uniform{trig(w, 0)}, Uniform{trig(w, 1)},
                               pre, pim, lre, lim, gw + w * S);
      }
    }
    // Without input gradients (an empty input_grads) only the prefix
    // rotations' weight gradients remain, which adjoint_product computes.
    const bool want = input_grads.extent(0) != 0;
    if (s.encoding == Encoding::angle) {
      adjoint_product(buf);
      if (want) store_rows<W, S>(input_grads, base, valid, s.nin, buf + L.grad_in, s.scale);
    } else if (want) {
      adjoint_amplitude(buf, base, valid);
    }
  }

  // At the end of the prefix phi is the product of the v_q, so the gradient
  // of a prefix rotation on qubit q is <lam| (x)_{p != q} v_p (x) dv_q>,
  // a 2-dimensional inner product with mu_q = ((x)_{p != q} v_p)^dagger lam.
  // mu_q for q = n-1 down to 0: A starts as lam; mu_q contracts A's qubits
  // below q with conj(v_p) (the product of those, built in phi's memory,
  // which is no longer needed), then qubit q is contracted out of A. Then
  // the prefix rotations and the encoding rotations run their adjoint steps
  // on (v_q, mu_q) instead of on the 2^n-amplitude (phi, lam): the same
  // gradients as the full-state pass, at O(2^n) cost in total.
  KOKKOS_INLINE_FUNCTION void adjoint_product(double* buf) const {
    double* wre = buf + L.phi_re;
    double* wim = buf + L.phi_im;
    double* are = buf + L.lam_re;
    double* aim = buf + L.lam_im;
    double* loc = buf + L.local;
    double* mu = buf + L.mu;
    for (int q = s.n - 1; q >= 0; --q) {
      const int size = 1 << q;
      for (int l = 0; l < W; ++l) {
        wre[l] = 1.0;
        wim[l] = 0.0;
      }
      for (int p = 0; p < q; ++p) {
        const int sp = 1 << p;
        for (int j = 0; j < sp; ++j) {
          expand_pair<W, S, true>(wre + j * S, wim + j * S, wre + (j + sp) * S, wim + (j + sp) * S,
                                  loc + 4 * p * S);
        }
      }
      double* m = mu + 4 * q * S;
      fill_rows<W, S>(m, 4, 0.0);
      for (int j = 0; j < size; ++j) {
        complex_mac<W>(m, m + S, wre + j * S, wim + j * S, are + j * S, aim + j * S);
        complex_mac<W>(m + 2 * S, m + 3 * S, wre + j * S, wim + j * S, are + (j + size) * S,
                       aim + (j + size) * S);
      }
      for (int j = 0; j < size && q > 0; ++j) {
        contract_pair<W, S>(are + j * S, aim + j * S, are + (j + size) * S, aim + (j + size) * S,
                            loc + 4 * q * S);
      }
    }
    double* gw = buf + L.grad_w;
    for (int st = s.prefix - 1; st >= 0; --st) {
      const Step step = steps(st);
      double* v = loc + 4 * step.target * S;
      double* m = mu + 4 * step.target * S;
      for (int r = step.count - 1; r >= 0; --r) {
        const int w = step.param[r];
        adjoint_local<W, S>(step.axis[r], Uniform{trig(w, 0)}, Uniform{trig(w, 1)}, v, m,
                            gw + w * S);
      }
    }
    double* gi = buf + L.grad_in;
    fill_rows<W, S>(gi, s.n, 0.0);
    for (int q = 0; q < s.n; ++q) {
      const PerLane c{buf + L.enc_c + q * S}, sn{buf + L.enc_s + q * S};
      adjoint_local<W, S>(s.axis, c, sn, loc + 4 * q * S, mu + 4 * q * S, gi + q * S);
    }
  }

  // psi0 = x / |x| is real: dL/dpsi0 = 2 Re(lam); then through the norm.
  KOKKOS_INLINE_FUNCTION void adjoint_amplitude(const double* buf, long base, int valid) const {
    const double* x = buf + L.x;
    const double* lre = buf + L.lam_re;
    const double* nrm = buf + L.norm;
    for (int l = 0; l < valid; ++l) {
      if (nrm[l] == 0.0) {
        for (int i = 0; i < s.dim; ++i) input_grads(base + l, i) = 0.0;
        continue;
      }
      const double inv = 1.0 / nrm[l];
      double dot = 0.0;
      for (int i = 0; i < s.dim; ++i) dot += x[i * S + l] * inv * 2.0 * lre[i * S + l];
      for (int i = 0; i < s.dim; ++i) {
        const double v = x[i * S + l] * inv;
        input_grads(base + l, i) = (2.0 * lre[i * S + l] - v * dot) * inv;
      }
    }
  }
};

/// Once per batch: cos and sin of every half weight, and each step's
/// fused unitary U = R_{count-1} ... R_0.
template <class ExecSpace>
struct PrepareSteps {
  using MemSpace = typename ExecSpace::memory_space;
  Kokkos::View<const Step*, MemSpace> steps;
  Kokkos::View<const double*, MemSpace> weights;
  Kokkos::View<double**, Kokkos::LayoutRight, MemSpace> trig;
  Kokkos::View<double**, Kokkos::LayoutRight, MemSpace> fused;

  KOKKOS_INLINE_FUNCTION void operator()(int st) const {
    const Step step = steps(st);
    // Row-major complex 2x2 as (re, im) pairs; start from the identity.
    double u[8] = {1, 0, 0, 0, 0, 0, 1, 0};
    for (int r = 0; r < step.count; ++r) {
      const double c = kmath::cos(0.5 * weights(step.param[r]));
      const double sn = kmath::sin(0.5 * weights(step.param[r]));
      trig(step.param[r], 0) = c;
      trig(step.param[r], 1) = sn;
      double g[8];  // the rotation: c I - i s P
      if (step.axis[r] == GateKind::rx) {
        const double m[8] = {c, 0, 0, -sn, 0, -sn, c, 0};
        for (int i = 0; i < 8; ++i) g[i] = m[i];
      } else if (step.axis[r] == GateKind::ry) {
        const double m[8] = {c, 0, -sn, 0, sn, 0, c, 0};
        for (int i = 0; i < 8; ++i) g[i] = m[i];
      } else {
        const double m[8] = {c, -sn, 0, 0, 0, 0, c, sn};
        for (int i = 0; i < 8; ++i) g[i] = m[i];
      }
      double v[8];  // v = g * u
      for (int i = 0; i < 2; ++i) {
        for (int j = 0; j < 2; ++j) {
          const double ar = g[4 * i + 0], ai = g[4 * i + 1], br = g[4 * i + 2], bi = g[4 * i + 3];
          const double xr = u[2 * j + 0], xi = u[2 * j + 1];
          const double yr = u[4 + 2 * j + 0], yi = u[4 + 2 * j + 1];
          v[4 * i + 2 * j + 0] = ar * xr - ai * xi + br * yr - bi * yi;
          v[4 * i + 2 * j + 1] = ar * xi + ai * xr + br * yi + bi * yr;
        }
      }
      for (int i = 0; i < 8; ++i) u[i] = v[i];
    }
    for (int i = 0; i < 8; ++i) fused(st, i) = u[i];
  }
};

}  // namespace resqunn::quantum::detail
