// Self-tests of the dense oracle (dense_reference.hpp): the bit convention
// of its Kronecker products, its gates against closed forms, hand-computed
// circuits, and the parameter-shift rule against finite differences. Needs
// nothing of the quantum library, so it runs before the kernels exist.
#include "dense_reference.hpp"
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

namespace ref = resqunn::quantum::reference;
using resqunn::quantum::Ansatz;
using resqunn::quantum::CircuitSpec;
using resqunn::quantum::Encoding;
using resqunn::quantum::GateKind;
using resqunn::quantum::Readout;
using Complex = ref::Complex;

namespace {

constexpr double kPi = 3.14159265358979323846;

void expect_matrix_near(const ref::DenseMatrix& a, const ref::DenseMatrix& b, double tol) {
  ASSERT_EQ(a.dim, b.dim);
  for (int r = 0; r < a.dim; ++r) {
    for (int c = 0; c < a.dim; ++c) {
      EXPECT_NEAR(std::abs(a(r, c) - b(r, c)), 0.0, tol) << "entry (" << r << ", " << c << ")";
    }
  }
}

// The permutation matrix |f(i)><i|.
ref::DenseMatrix permutation(int dim, int (*f)(int, int, int), int a, int b) {
  ref::DenseMatrix m(dim);
  for (int i = 0; i < dim; ++i) m(f(i, a, b), i) = 1.0;
  return m;
}

int flip_bit(int i, int q, int) { return i ^ (1 << q); }
int cnot_map(int i, int c, int t) { return ((i >> c) & 1) ? i ^ (1 << t) : i; }

std::vector<double> uniform(std::mt19937_64& rng, std::size_t n, double lo, double hi) {
  std::uniform_real_distribution<double> d(lo, hi);
  std::vector<double> v(n);
  for (double& x : v) x = d(rng);
  return v;
}

CircuitSpec spec_of(int n, Encoding e, GateKind axis, Ansatz a, int depth, Readout r, int k = 0) {
  CircuitSpec s;
  s.qubits = n;
  s.encoding = e;
  s.angle_axis = axis;
  s.ansatz = a;
  s.depth = depth;
  s.readout = r;
  s.readout_qubits = k;
  return s;
}

}  // namespace

TEST(DenseReference, KronPutsQubitZeroInTheLeastSignificantBit) {
  for (int q = 0; q < 3; ++q) {
    SCOPED_TRACE("X on qubit " + std::to_string(q));
    expect_matrix_near(ref::embed(3, {{q, ref::pauli_x()}}), permutation(8, flip_bit, q, 0), 0);
  }
  // Z on qubit 1 of 3: -1 exactly where bit 1 is set.
  const ref::DenseMatrix z1 = ref::embed(3, {{1, ref::pauli_z()}});
  for (int i = 0; i < 8; ++i) EXPECT_EQ(z1(i, i), Complex((i & 2) ? -1.0 : 1.0)) << i;
  // Two factors on different qubits are their (commuting) product.
  const ref::Mat2 ry = ref::rotation('y', 0.3), rx = ref::rotation('x', -1.1);
  expect_matrix_near(ref::embed(3, {{0, ry}, {2, rx}}),
                     ref::multiply(ref::embed(3, {{0, ry}}), ref::embed(3, {{2, rx}})), 1e-15);
}

TEST(DenseReference, CnotAndCzAreTheExpectedPermutationAndPhase) {
  for (int c = 0; c < 3; ++c) {
    for (int t = 0; t < 3; ++t) {
      if (c == t) continue;
      SCOPED_TRACE("control " + std::to_string(c) + " target " + std::to_string(t));
      expect_matrix_near(ref::cnot_matrix(3, c, t), permutation(8, cnot_map, c, t), 0);
      const ref::DenseMatrix cz = ref::cz_matrix(3, c, t);
      ref::DenseMatrix expected(8);
      for (int i = 0; i < 8; ++i) expected(i, i) = ((i >> c) & 1) && ((i >> t) & 1) ? -1.0 : 1.0;
      expect_matrix_near(cz, expected, 0);
    }
  }
  EXPECT_THROW(ref::cnot_matrix(2, 1, 1), std::invalid_argument);
  EXPECT_THROW(ref::embed(2, {{2, ref::pauli_x()}}), std::invalid_argument);
}

TEST(DenseReference, RotationsAreExpMinusIHalfThetaP) {
  const Complex i(0, 1);
  // R(pi) = -i P; R(a) R(b) = R(a + b); R unitary.
  for (char axis : {'x', 'y', 'z'}) {
    SCOPED_TRACE(std::string("axis ") + axis);
    const ref::Mat2 p = axis == 'x'   ? ref::pauli_x()
                        : axis == 'y' ? ref::pauli_y()
                                      : ref::pauli_z();
    const ref::Mat2 r = ref::rotation(axis, kPi);
    for (int e = 0; e < 4; ++e) EXPECT_NEAR(std::abs(r[e] - (-i * p[e])), 0, 1e-15);
    const ref::DenseMatrix a = ref::embed(1, {{0, ref::rotation(axis, 0.7)}});
    const ref::DenseMatrix b = ref::embed(1, {{0, ref::rotation(axis, -1.9)}});
    expect_matrix_near(ref::multiply(a, b), ref::embed(1, {{0, ref::rotation(axis, -1.2)}}), 1e-15);
    expect_matrix_near(ref::multiply(ref::adjoint(a), a), ref::identity(2), 1e-15);
  }
  // R_z is diag(e^{-it/2}, e^{it/2}).
  const ref::Mat2 rz = ref::rotation('z', 0.8);
  EXPECT_NEAR(std::abs(rz[0] - std::exp(-i * 0.4)), 0, 1e-15);
  EXPECT_NEAR(std::abs(rz[3] - std::exp(i * 0.4)), 0, 1e-15);
}

TEST(DenseReference, AnsatzProgramsUseEveryWeightOnce) {
  for (Ansatz a : {Ansatz::paper, Ansatz::basic_entangler, Ansatz::strongly_entangling}) {
    for (int n : {1, 2, 3, 5}) {
      for (int depth : {1, 3}) {
        const CircuitSpec s =
            spec_of(n, Encoding::angle, GateKind::ry, a, depth, Readout::expval_z);
        const int per_layer = a == Ansatz::paper ? 2 * n : a == Ansatz::basic_entangler ? n : 3 * n;
        ASSERT_EQ(ref::weight_count(s), per_layer * depth);
        std::vector<int> uses(per_layer * depth, 0);
        int cnots = 0;
        for (const ref::Step& st : ref::ansatz_program(s)) {
          if (st.weight >= 0) ++uses[st.weight];
          if (st.kind == ref::Step::cnot) {
            ++cnots;
            EXPECT_NE(st.control, st.target);
          }
        }
        for (int u : uses) EXPECT_EQ(u, 1);
        const int ring = n == 1 ? 0 : n == 2 ? 1 : n;
        const int entanglers = a == Ansatz::strongly_entangling ? (n == 1 ? 0 : n) : ring;
        EXPECT_EQ(cnots, entanglers * depth);
      }
    }
  }
}

TEST(DenseReference, OneQubitClosedForms) {
  // paper, n = 1: RX(b) RY(a) RY(s x)|0> has <Z> = cos(a + s x) cos(b).
  CircuitSpec s = spec_of(1, Encoding::angle, GateKind::ry, Ansatz::paper, 1, Readout::expval_z);
  s.angle_scale = 0.9;
  const double x = 0.35, a = -0.4, b = 1.3;
  EXPECT_NEAR(ref::outputs(s, {a, b}, {x})[0], std::cos(a + 0.9 * x) * std::cos(b), 1e-15);
  // Probabilities: P(0) = (1 + <Z>) / 2.
  s.readout = Readout::probabilities;
  const std::vector<double> p = ref::outputs(s, {a, b}, {x});
  ASSERT_EQ(p.size(), 2u);
  EXPECT_NEAR(p[0], (1 + std::cos(a + 0.9 * x) * std::cos(b)) / 2, 1e-15);
  EXPECT_NEAR(p[0] + p[1], 1.0, 1e-15);
  // R_z encoding of |0> is a global phase only.
  s.angle_axis = GateKind::rz;
  s.readout = Readout::expval_z;
  EXPECT_NEAR(ref::outputs(s, {a, b}, {x})[0], std::cos(a) * std::cos(b), 1e-15);
}

TEST(DenseReference, BellStateAndMarginals) {
  // RY(pi/2) on qubit 0, RX(0), CNOT(0,1): (|00> + |11>)/sqrt(2).
  CircuitSpec s =
      spec_of(2, Encoding::angle, GateKind::ry, Ansatz::basic_entangler, 1, Readout::probabilities);
  const std::vector<double> w = {0, 0}, x = {0.5, 0};
  const std::vector<double> p = ref::outputs(s, w, x);
  ASSERT_EQ(p.size(), 4u);
  EXPECT_NEAR(p[0], 0.5, 1e-15);
  EXPECT_NEAR(p[1], 0.0, 1e-15);
  EXPECT_NEAR(p[2], 0.0, 1e-15);
  EXPECT_NEAR(p[3], 0.5, 1e-15);
  s.readout_qubits = 1;
  const std::vector<double> m = ref::outputs(s, w, x);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_NEAR(m[0], 0.5, 1e-15);
  s.readout = Readout::expval_z;
  for (double z : ref::outputs(s, w, x)) EXPECT_NEAR(z, 0.0, 1e-15);
}

TEST(DenseReference, RingOrderAndDirectionOnABasisState) {
  // x = (1, 0, 0) with RX(pi) on qubit 0: |001> (index 1). Ring CNOT(0,1):
  // index 3; CNOT(1,2): 7; CNOT(2,0): 6.
  CircuitSpec s =
      spec_of(3, Encoding::angle, GateKind::rx, Ansatz::paper, 1, Readout::probabilities);
  const std::vector<double> w(6, 0.0), x = {1, 0, 0};
  const std::vector<double> p = ref::outputs(s, w, x);
  for (int b = 0; b < 8; ++b) EXPECT_NEAR(p[b], b == 6 ? 1.0 : 0.0, 1e-15) << b;
  s.readout = Readout::expval_z;
  const std::vector<double> z = ref::outputs(s, w, x);
  EXPECT_NEAR(z[0], 1, 1e-15);
  EXPECT_NEAR(z[1], -1, 1e-15);
  EXPECT_NEAR(z[2], -1, 1e-15);
  // Strongly entangling, n = 3, layer 0: r = 1 → CNOT(0,1), CNOT(1,2), CNOT(2,0)
  // as well; zero weights are identities.
  s.ansatz = Ansatz::strongly_entangling;
  s.readout = Readout::probabilities;
  const std::vector<double> p2 = ref::outputs(s, std::vector<double>(9, 0.0), x);
  for (int b = 0; b < 8; ++b) EXPECT_NEAR(p2[b], b == 6 ? 1.0 : 0.0, 1e-15) << b;
  // Layer 1: r = 2 → CNOT(0,2), CNOT(1,0), CNOT(2,1): 6 → 6 → 7 → 5.
  s.depth = 2;
  const std::vector<double> p3 = ref::outputs(s, std::vector<double>(18, 0.0), x);
  for (int b = 0; b < 8; ++b) EXPECT_NEAR(p3[b], b == 5 ? 1.0 : 0.0, 1e-15) << b;
}

TEST(DenseReference, AmplitudeEncodingNormalisesAndMapsZeroToGroundState) {
  CircuitSpec s = spec_of(2, Encoding::amplitude, GateKind::ry, Ansatz::strongly_entangling, 1,
                          Readout::probabilities);
  // Zero weights: the entangler CNOT(0,1) CNOT(1,0) maps |b> (bits b1 b0) as
  // 0→0, 1→3→2, 2→2→3, 3→1→1.
  const std::vector<double> w(6, 0.0), x = {0.5, -1.5, 2.0, 3.0};
  const double n2 = 0.25 + 2.25 + 4 + 9;
  const std::vector<double> p = ref::outputs(s, w, x);
  EXPECT_NEAR(p[0], 0.25 / n2, 1e-15);
  EXPECT_NEAR(p[2], 2.25 / n2, 1e-15);
  EXPECT_NEAR(p[3], 4 / n2, 1e-15);
  EXPECT_NEAR(p[1], 9 / n2, 1e-15);
  const std::vector<double> p0 = ref::outputs(s, w, {0, 0, 0, 0});
  EXPECT_EQ(p0, (std::vector<double>{1, 0, 0, 0}));
  const ref::Gradients g = ref::finite_difference_grads(s, w, {0, 0, 0, 0}, {1, 2, 3, 4});
  EXPECT_EQ(g.inputs, (std::vector<double>{0, 0, 0, 0}));
}

TEST(DenseReference, RandomCircuitsAreUnitaryAndReadoutsConsistent) {
  std::mt19937_64 rng(11);
  for (Ansatz a : {Ansatz::paper, Ansatz::basic_entangler, Ansatz::strongly_entangling}) {
    CircuitSpec s =
        spec_of(4, Encoding::angle, GateKind::rx, a, 2, Readout::probabilities, /*k=*/0);
    const std::vector<double> w = uniform(rng, ref::weight_count(s), -kPi, kPi);
    const std::vector<double> x = uniform(rng, 4, -1, 1);
    const ref::State psi = ref::final_state(s, w, x);
    double norm = 0;
    for (const Complex& c : psi) norm += std::norm(c);
    EXPECT_NEAR(norm, 1.0, 1e-14);
    const std::vector<double> p = ref::outputs(s, w, x);
    s.readout_qubits = 1;
    const std::vector<double> m = ref::outputs(s, w, x);
    double even = 0, odd = 0;
    for (int b = 0; b < 16; ++b) (b % 2 ? odd : even) += p[b];
    EXPECT_NEAR(m[0], even, 1e-15);
    EXPECT_NEAR(m[1], odd, 1e-15);
    s.readout = Readout::expval_z;
    EXPECT_NEAR(ref::outputs(s, w, x)[0], m[0] - m[1], 1e-14);
  }
}

TEST(DenseReference, ParameterShiftAgreesWithFiniteDifferences) {
  std::mt19937_64 rng(5);
  for (Ansatz a : {Ansatz::paper, Ansatz::basic_entangler, Ansatz::strongly_entangling}) {
    for (Encoding e : {Encoding::angle, Encoding::amplitude}) {
      const CircuitSpec s = spec_of(3, e, GateKind::ry, a, 2, Readout::probabilities, 2);
      const std::vector<double> w = uniform(rng, ref::weight_count(s), -kPi, kPi);
      const std::vector<double> x = uniform(rng, ref::input_size(s), -2, 2);
      const std::vector<double> up = uniform(rng, ref::output_size(s), -1, 1);
      const std::vector<double> ps = ref::parameter_shift_weight_grad(s, w, x, up);
      const ref::Gradients fd = ref::finite_difference_grads(s, w, x, up);
      for (std::size_t j = 0; j < w.size(); ++j) EXPECT_NEAR(ps[j], fd.weights[j], 1e-8) << j;
      if (e == Encoding::amplitude) {
        // Outputs are invariant under x -> c x, so the gradient is orthogonal to x.
        double dot = 0;
        for (std::size_t j = 0; j < x.size(); ++j) dot += x[j] * fd.inputs[j];
        EXPECT_NEAR(dot, 0.0, 1e-8);
      } else {
        // An encoding angle obeys the shift rule too: d/dx = scale * shift.
        for (std::size_t q = 0; q < x.size(); ++q) {
          std::vector<double> xp = x, xm = x;
          xp[q] += kPi / 2 / s.angle_scale;
          xm[q] -= kPi / 2 / s.angle_scale;
          double fp = 0, fm = 0;
          const std::vector<double> op = ref::outputs(s, w, xp), om = ref::outputs(s, w, xm);
          for (std::size_t o = 0; o < up.size(); ++o) {
            fp += up[o] * op[o];
            fm += up[o] * om[o];
          }
          EXPECT_NEAR(fd.inputs[q], s.angle_scale * (fp - fm) / 2, 1e-8) << q;
        }
      }
    }
  }
}

TEST(DenseReference, RejectsWrongSizes) {
  const CircuitSpec s =
      spec_of(2, Encoding::angle, GateKind::ry, Ansatz::paper, 1, Readout::expval_z);
  EXPECT_THROW(ref::outputs(s, {1, 2, 3}, {0, 0}), std::invalid_argument);
  EXPECT_THROW(ref::outputs(s, {1, 2, 3, 4}, {0, 0, 0}), std::invalid_argument);
  EXPECT_THROW(ref::parameter_shift_weight_grad(s, {1, 2, 3, 4}, {0, 0}, {1}),
               std::invalid_argument);
}
