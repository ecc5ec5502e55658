// The batched forward/adjoint kernel. One team of the TeamPolicy owns a
// fixed run of `kChunksPerTeam` chunks of W circuits (fixed: the weight-
// gradient summation order must not depend on the thread count). Per chunk:
//   encode -> gate program -> readout            (forward)
//   lam = H phi -> gates in reverse, each one    (adjoint VJP)
//   adding its gradient and un-applying itself -> input gradients
// The lane-blocked states live in team scratch memory.
#pragma once

#include <Kokkos_Core.hpp>

#include "resqunn/quantum/circuit.hpp"
#include "resqunn/quantum/detail/lane_math.hpp"
#include "resqunn/quantum/detail/lane_ops.hpp"
#include "resqunn/quantum/detail/lanes.hpp"
#include "resqunn/quantum/detail/program.hpp"

namespace resqunn::quantum::detail {

inline constexpr int kChunksPerTeam = 4;

// Kokkos moved its math functions from Kokkos::Experimental to Kokkos in 3.7.
#if KOKKOS_VERSION >= 30700
namespace kmath = ::Kokkos;
#else
namespace kmath = ::Kokkos::Experimental;
#endif

/// Sizes and settings shared by every circuit of a batch.
struct Shape {
  int n = 0;
  int dim = 0;
  int nsteps = 0;
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

/// Scratch doubles one team needs, as offsets into its buffer.
struct ScratchLayout {
  int phi_re, phi_im, lam_re, lam_im, enc_c, enc_s, norm, out, grad_w, grad_in, total;

  template <int W>
  static ScratchLayout make(const Shape& s, bool vjp) {
    ScratchLayout L{};
    int at = 0;
    auto take = [&](int n) {
      const int here = at;
      at += n;
      return here;
    };
    L.phi_re = take(s.dim * W);
    L.phi_im = take(s.dim * W);
    L.lam_re = vjp ? take(s.dim * W) : 0;
    L.lam_im = vjp ? take(s.dim * W) : 0;
    L.enc_c = take(s.n * W);
    L.enc_s = take(s.n * W);
    L.norm = take(W);
    L.out = take(s.nout * W);
    L.grad_w = vjp ? take(s.nweights * W) : 0;
    L.grad_in = vjp ? take(s.nin * W) : 0;
    L.total = at;
    return L;
  }
};

template <class ExecSpace, int W>
struct CircuitKernel {
  using MemSpace = typename ExecSpace::memory_space;
  using Policy = Kokkos::TeamPolicy<ExecSpace>;
  using Member = typename Policy::member_type;
  template <class T>
  using View2 = Kokkos::View<T**, Kokkos::LayoutRight, MemSpace>;

  Shape s;
  ScratchLayout L;
  int scratch_level = 0;
  bool vjp = false;
  Kokkos::View<const Step*, MemSpace> steps;
  Kokkos::View<const std::int32_t*, MemSpace> slots;    // Program::slots
  Kokkos::View<const std::int32_t*, MemSpace> logical;  // Program::logical
  View2<const double> trig;   // (weight, {cos, sin}) of half angles
  View2<const double> fused;  // (step, 8): the step's 2x2 unitary
  View2<const double> inputs;
  View2<double> outputs;
  View2<const double> upstream;
  View2<double> input_grads;
  View2<double> partial;  // (team, weight): lane- and chunk-ordered sums

  KOKKOS_INLINE_FUNCTION void operator()(const Member& team) const {
    double* buf = static_cast<double*>(
        team.team_scratch(scratch_level).get_shmem(sizeof(double) * L.total));
    double* gw = buf + L.grad_w;
    if (vjp) {
      for (int i = 0; i < s.nweights * W; ++i) gw[i] = 0.0;
    }
    const long first = static_cast<long>(team.league_rank()) * kChunksPerTeam;
    const long last = first + kChunksPerTeam < s.chunks ? first + kChunksPerTeam : s.chunks;
    for (long chunk = first; chunk < last; ++chunk) run_chunk(buf, chunk * W);
    if (vjp) {
      for (int w = 0; w < s.nweights; ++w) {
        double sum = 0.0;
        for (int l = 0; l < W; ++l) sum += gw[w * W + l];
        partial(team.league_rank(), w) = sum;
      }
    }
  }

  KOKKOS_INLINE_FUNCTION double input(long b, int f) const {
    return b < s.batch ? inputs(b, f) : 0.0;
  }

  KOKKOS_INLINE_FUNCTION void run_chunk(double* buf, long base) const {
    double* re = buf + L.phi_re;
    double* im = buf + L.phi_im;
    encode(buf, base, re, im);
    const int half = s.dim >> 1;
    for (int st = 0; st < s.nsteps; ++st) {
      const Step step = steps(st);
      const std::int32_t* tab = slots.data() + step.table;
      if (step.kind == StepKind::rotations) {
        double u[8];
        for (int i = 0; i < 8; ++i) u[i] = fused(st, i);
        for (int k = 0; k < half; ++k) {
          const int a = tab[2 * k] * W, b = tab[2 * k + 1] * W;
          pair_u2<W>(re + a, im + a, re + b, im + b, u);
        }
      } else {
        negate_slots(tab, re, im);
      }
    }
    readout(buf, base, re, im);
    if (vjp) adjoint(buf, base);
  }

  // CZ: negate the amplitudes of the basis states with both qubits set.
  KOKKOS_INLINE_FUNCTION void negate_slots(const std::int32_t* tab, double* re, double* im) const {
    for (int k = 0; k < (s.dim >> 2); ++k) {
      const int a = tab[k] * W;
      for (int l = 0; l < W; ++l) {
        re[a + l] = -re[a + l];
        im[a + l] = -im[a + l];
      }
    }
  }

  KOKKOS_INLINE_FUNCTION void encode(double* buf, long base, double* re, double* im) const {
    for (int i = 0; i < s.dim * W; ++i) re[i] = im[i] = 0.0;
    if (s.encoding == Encoding::angle) {
      double* ec = buf + L.enc_c;
      double* es = buf + L.enc_s;
      for (int l = 0; l < W; ++l) re[l] = 1.0;
      for (int q = 0; q < s.n; ++q) {
        double half[W];
        for (int l = 0; l < W; ++l) half[l] = 0.5 * s.scale * input(base + l, q);
        sincos_lanes<W>(half, ec + q * W, es + q * W);
        // R(t)|0> = v0|0> + v1|1>: RX (c, -i s), RY (c, s), RZ (c - i s, 0).
        const int size = 1 << q;
        for (int j = 0; j < size; ++j) {
          double* ar = re + j * W;
          double* ai = im + j * W;
          double* br = re + (j + size) * W;
          double* bi = im + (j + size) * W;
          for (int l = 0; l < W; ++l) {
            const double c = ec[q * W + l], sn = es[q * W + l];
            const double xr = ar[l], xi = ai[l];
            if (s.axis == GateKind::rx) {
              ar[l] = c * xr;
              ai[l] = c * xi;
              br[l] = sn * xi;
              bi[l] = -sn * xr;
            } else if (s.axis == GateKind::ry) {
              ar[l] = c * xr;
              ai[l] = c * xi;
              br[l] = sn * xr;
              bi[l] = sn * xi;
            } else {
              ar[l] = c * xr + sn * xi;
              ai[l] = c * xi - sn * xr;
            }
          }
        }
      }
    } else {
      double* nrm = buf + L.norm;
      for (int l = 0; l < W; ++l) {
        double sum = 0.0;
        for (int i = 0; i < s.dim; ++i) {
          const double x = input(base + l, i);
          sum += x * x;
        }
        nrm[l] = kmath::sqrt(sum);
        if (nrm[l] == 0.0) {
          re[l] = 1.0;  // all-zero input: |0...0> by definition
        } else {
          const double inv = 1.0 / nrm[l];
          for (int i = 0; i < s.dim; ++i) re[i * W + l] = input(base + l, i) * inv;
        }
      }
    }
  }

  KOKKOS_INLINE_FUNCTION void readout(double* buf, long base, const double* re,
                                      const double* im) const {
    double* out = buf + L.out;
    for (int i = 0; i < s.nout * W; ++i) out[i] = 0.0;
    for (int i = 0; i < s.dim; ++i) {
      const double* r = re + i * W;
      const double* m = im + i * W;
      const int b = logical(i);
      if (s.readout == Readout::expval_z) {
        for (int q = 0; q < s.n; ++q) {
          double* o = out + q * W;
          if ((b >> q) & 1) {
            for (int l = 0; l < W; ++l) o[l] -= r[l] * r[l] + m[l] * m[l];
          } else {
            for (int l = 0; l < W; ++l) o[l] += r[l] * r[l] + m[l] * m[l];
          }
        }
      } else {
        double* o = out + (b & s.prob_mask) * W;
        for (int l = 0; l < W; ++l) o[l] += r[l] * r[l] + m[l] * m[l];
      }
    }
    for (int l = 0; l < W && base + l < s.batch; ++l) {
      for (int o = 0; o < s.nout; ++o) outputs(base + l, o) = out[o * W + l];
    }
  }

  KOKKOS_INLINE_FUNCTION double up(long b, int o) const {
    return b < s.batch ? upstream(b, o) : 0.0;
  }

  KOKKOS_INLINE_FUNCTION void adjoint(double* buf, long base) const {
    double* pre = buf + L.phi_re;
    double* pim = buf + L.phi_im;
    double* lre = buf + L.lam_re;
    double* lim = buf + L.lam_im;
    // lam = H phi with H = sum_o upstream_o O_o, diagonal for both readouts.
    for (int i = 0; i < s.dim; ++i) {
      const int b = logical(i);
      for (int l = 0; l < W; ++l) {
        double h = 0.0;
        if (s.readout == Readout::expval_z) {
          for (int q = 0; q < s.n; ++q) h += ((b >> q) & 1) ? -up(base + l, q) : up(base + l, q);
        } else {
          h = up(base + l, b & s.prob_mask);
        }
        lre[i * W + l] = h * pre[i * W + l];
        lim[i * W + l] = h * pim[i * W + l];
      }
    }
    double* gw = buf + L.grad_w;
    const int half = s.dim >> 1;
    for (int st = s.nsteps - 1; st >= 0; --st) {
      const Step step = steps(st);
      const std::int32_t* tab = slots.data() + step.table;
      if (step.kind == StepKind::cz) {
        negate_slots(tab, pre, pim);
        negate_slots(tab, lre, lim);
        continue;
      }
      for (int k = 0; k < half; ++k) {
        const int a = tab[2 * k] * W, b = tab[2 * k + 1] * W;
        for (int r = step.count - 1; r >= 0; --r) {
          const int w = step.param[r];
          const Uniform c{trig(w, 0)}, sn{trig(w, 1)};
          double* acc = gw + w * W;
          switch (step.axis[r]) {
            case GateKind::rx:
              adjoint_pair<W, GateKind::rx>(pre + a, pim + a, pre + b, pim + b, lre + a, lim + a,
                                            lre + b, lim + b, c, sn, acc);
              break;
            case GateKind::ry:
              adjoint_pair<W, GateKind::ry>(pre + a, pim + a, pre + b, pim + b, lre + a, lim + a,
                                            lre + b, lim + b, c, sn, acc);
              break;
            default:
              adjoint_pair<W, GateKind::rz>(pre + a, pim + a, pre + b, pim + b, lre + a, lim + a,
                                            lre + b, lim + b, c, sn, acc);
              break;
          }
        }
      }
    }
    if (s.encoding == Encoding::angle) {
      double* gi = buf + L.grad_in;
      for (int i = 0; i < s.n * W; ++i) gi[i] = 0.0;
      for (int q = s.n - 1; q >= 0; --q) {
        const PerLane c{buf + L.enc_c + q * W}, sn{buf + L.enc_s + q * W};
        adjoint_rotation<W>(s.axis, q, c, sn, s.dim, pre, pim, lre, lim, gi + q * W);
      }
      for (int l = 0; l < W && base + l < s.batch; ++l) {
        for (int q = 0; q < s.n; ++q) input_grads(base + l, q) = s.scale * gi[q * W + l];
      }
    } else {
      // psi0 = x / |x| is real: dL/dpsi0 = 2 Re(lam); then through the norm.
      const double* nrm = buf + L.norm;
      for (int l = 0; l < W && base + l < s.batch; ++l) {
        if (nrm[l] == 0.0) {
          for (int i = 0; i < s.dim; ++i) input_grads(base + l, i) = 0.0;
          continue;
        }
        const double inv = 1.0 / nrm[l];
        double dot = 0.0;
        for (int i = 0; i < s.dim; ++i) dot += input(base + l, i) * inv * 2.0 * lre[i * W + l];
        for (int i = 0; i < s.dim; ++i) {
          const double v = input(base + l, i) * inv;
          input_grads(base + l, i) = (2.0 * lre[i * W + l] - v * dot) * inv;
        }
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

/// weight_grads(w) = sum over teams, in team order, of partial(team, w).
template <class ExecSpace>
struct SumPartials {
  using MemSpace = typename ExecSpace::memory_space;
  Kokkos::View<const double**, Kokkos::LayoutRight, MemSpace> partial;
  Kokkos::View<double*, MemSpace> grads;
  KOKKOS_INLINE_FUNCTION void operator()(int w) const {
    double sum = 0.0;
    for (std::size_t t = 0; t < partial.extent(0); ++t) sum += partial(t, w);
    grads(w) = sum;
  }
};

}  // namespace resqunn::quantum::detail
