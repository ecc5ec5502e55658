// BatchedCircuit::vjp against the dense reference: weight gradients against
// the parameter-shift rule (1e-10), weight and input gradients against
// central finite differences (1e-6), over every ansatz x encoding x readout.
#include "dense_reference.hpp"
#include "kernel_harness.hpp"
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <tuple>
#include <vector>

using namespace resqunn::quantum;
using namespace resqunn::quantum::test;
namespace ref = resqunn::quantum::reference;
using Space = Kokkos::DefaultExecutionSpace;

namespace {

constexpr double kForwardTol = 1e-12;
constexpr double kShiftTol = 1e-10;
// Central differences with h = 1e-6: truncation ~h^2, rounding ~1e-16 / h.
constexpr double kFdAbsTol = 1e-6;
constexpr double kFdRelTol = 1e-6;

/// Runs the VJP on `batch` rows and checks outputs, weight gradients (summed
/// over the rows) and every row's input gradients against the reference.
void check_vjp(const CircuitSpec& s, const std::vector<double>& w, const std::vector<double>& x,
               const std::vector<double>& up, std::size_t batch) {
  SCOPED_TRACE(describe(s) + " batch=" + std::to_string(batch));
  const std::size_t m = static_cast<std::size_t>(ref::input_size(s));
  const std::size_t o = static_cast<std::size_t>(ref::output_size(s));
  const KernelResult got = run_kernel<Space>(s, w, x, batch, &up);

  std::vector<double> shift(w.size(), 0.0), fd_w(w.size(), 0.0), fd_x;
  for (std::size_t b = 0; b < batch; ++b) {
    const std::vector<double> xb = row(x, b, m), ub = row(up, b, o);
    const std::vector<double> ps = ref::parameter_shift_weight_grad(s, w, xb, ub);
    const ref::Gradients fd = ref::finite_difference_grads(s, w, xb, ub);
    for (std::size_t j = 0; j < w.size(); ++j) {
      shift[j] += ps[j];
      fd_w[j] += fd.weights[j];
    }
    fd_x.insert(fd_x.end(), fd.inputs.begin(), fd.inputs.end());
  }
  expect_close(reference_outputs(s, w, x, batch), got.outputs, kForwardTol, 0, o, "vjp outputs");
  expect_close(shift, got.weight_grads, kShiftTol, 0, w.size(), "weight grads vs parameter shift");
  expect_close(fd_w, got.weight_grads, kFdAbsTol, kFdRelTol, w.size(),
               "weight grads vs finite differences");
  expect_close(fd_x, got.input_grads, kFdAbsTol, kFdRelTol, m, "input grads vs finite differences");
}

/// Amplitude rows for the VJP: norm 3.7, all zero, norm 0.45.
std::vector<double> amplitude_rows(std::mt19937_64& rng, std::size_t m) {
  std::vector<double> x;
  for (double norm : {3.7, 0.0, 0.45}) {
    std::vector<double> r = uniform(rng, m, -1, 1);
    double n2 = 0;
    for (double v : r) n2 += v * v;
    for (double& v : r) v *= norm / std::sqrt(n2);
    x.insert(x.end(), r.begin(), r.end());
  }
  return x;
}

class VjpVsDense : public ::testing::TestWithParam<std::tuple<Ansatz, int>> {};

}  // namespace

TEST_P(VjpVsDense, EveryEncodingAndReadout) {
  const auto [ansatz, n] = GetParam();
  std::mt19937_64 rng(2000 + 10 * static_cast<int>(ansatz) + n);
  for (const CircuitSpec& s : encoding_readout_grid(n, ansatz)) {
    const std::size_t m = static_cast<std::size_t>(ref::input_size(s));
    const bool amplitude = s.encoding == Encoding::amplitude;
    const std::size_t batch = amplitude ? 3 : 2;
    const std::vector<double> w = random_weights(rng, s);
    const std::vector<double> x = amplitude ? amplitude_rows(rng, m) : random_inputs(rng, s, 2);
    const std::vector<double> up =
        uniform(rng, batch * static_cast<std::size_t>(ref::output_size(s)), -1, 1);
    check_vjp(s, w, x, up, batch);
    if (amplitude) {
      // The all-zero row (row 1) has, by convention, a zero input gradient.
      const KernelResult r = run_kernel<Space>(s, w, x, batch, &up);
      for (std::size_t j = 0; j < m; ++j) {
        EXPECT_EQ(r.input_grads[m + j], 0.0) << describe(s) << " zero row, input " << j;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Small, VjpVsDense,
                         ::testing::Combine(::testing::Values(Ansatz::paper,
                                                              Ansatz::basic_entangler,
                                                              Ansatz::strongly_entangling),
                                            ::testing::Values(1, 2, 3, 4, 5)),
                         [](const ::testing::TestParamInfo<VjpVsDense::ParamType>& p) {
                           return ansatz_name(std::get<0>(p.param)) + "_n" +
                                  std::to_string(std::get<1>(p.param));
                         });

// Batches with full chunks of lanes and a partial one (the kernel gathers
// full chunks without bounds checks), for every angle axis and amplitude,
// against the parameter-shift rule and finite differences.
TEST(Vjp, FullAndPartialChunks) {
  std::mt19937_64 rng(5);
  for (const EncodingCase& enc : all_encodings()) {
    for (Ansatz a : {Ansatz::paper, Ansatz::strongly_entangling}) {
      const CircuitSpec s = make_spec(4, enc, a, 2, Readout::expval_z, 0, 0.9);
      const std::size_t batch = 19;
      const std::vector<double> w = random_weights(rng, s);
      const std::vector<double> x = random_inputs(rng, s, batch);
      const std::vector<double> up =
          uniform(rng, batch * static_cast<std::size_t>(ref::output_size(s)), -1, 1);
      check_vjp(s, w, x, up, batch);
    }
  }
}

// Nine qubits: every weight by parameter shift, a few inputs by finite
// differences (each reference evaluation multiplies 512 x 512 matrices).
TEST(VjpVsDenseNineQubits, BasicEntanglerAngle) {
  std::mt19937_64 rng(99);
  const CircuitSpec s = make_spec(9, {Encoding::angle, GateKind::ry}, Ansatz::basic_entangler, 1,
                                  Readout::probabilities, 1);
  const std::vector<double> w = random_weights(rng, s);
  const std::vector<double> x = random_inputs(rng, s, 1);
  const std::vector<double> up = uniform(rng, 2, -1, 1);
  const KernelResult got = run_kernel<Space>(s, w, x, 1, &up);
  expect_close(ref::outputs(s, w, x), got.outputs, kForwardTol, 0, 2, "outputs");
  expect_close(ref::parameter_shift_weight_grad(s, w, x, up), got.weight_grads, kShiftTol, 0, 9,
               "weight grads vs parameter shift");
  const double h = 1e-6;
  for (std::size_t q : {0u, 4u, 8u}) {
    std::vector<double> xp = x, xm = x;
    xp[q] += h;
    xm[q] -= h;
    const std::vector<double> op = ref::outputs(s, w, xp), om = ref::outputs(s, w, xm);
    const double fd = (up[0] * (op[0] - om[0]) + up[1] * (op[1] - om[1])) / (2 * h);
    EXPECT_NEAR(got.input_grads[q], fd, kFdAbsTol + kFdRelTol * std::abs(fd)) << "input " << q;
  }
}

TEST(Vjp, ZeroUpstreamGivesZeroGradients) {
  std::mt19937_64 rng(3);
  for (const EncodingCase& enc : all_encodings()) {
    const CircuitSpec s = make_spec(3, enc, Ansatz::paper, 2, Readout::expval_z);
    const std::vector<double> w = random_weights(rng, s);
    const std::vector<double> x = random_inputs(rng, s, 5);
    const std::vector<double> up(5 * 3, 0.0);
    const KernelResult r = run_kernel<Space>(s, w, x, 5, &up);
    for (double g : r.weight_grads) EXPECT_EQ(g, 0.0) << describe(s);
    for (double g : r.input_grads) EXPECT_EQ(g, 0.0) << describe(s);
  }
}

TEST(Vjp, RzAngleEncodingOfZeroStateHasZeroInputGradient) {
  // R_z on |0> is a global phase: outputs do not depend on the inputs.
  std::mt19937_64 rng(4);
  const CircuitSpec s = make_spec(4, {Encoding::angle, GateKind::rz}, Ansatz::strongly_entangling,
                                  2, Readout::probabilities);
  const std::vector<double> w = random_weights(rng, s);
  const std::vector<double> x = random_inputs(rng, s, 3);
  const std::vector<double> up = uniform(rng, 3 * 16, -1, 1);
  const KernelResult r = run_kernel<Space>(s, w, x, 3, &up);
  for (double g : r.input_grads) EXPECT_NEAR(g, 0.0, 1e-13);
}
