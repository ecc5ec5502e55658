// BatchedCircuit::forward against the dense reference over every ansatz x
// encoding x readout, and the evaluate() / pad_amplitudes() host helpers.
#include "resqunn/core/error.hpp"
#include "resqunn/quantum/evaluate.hpp"

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

/// expval-z; probabilities over all qubits (k = 0 and k = n), over the first
/// qubit, and over the first two.
std::vector<ReadoutCase> readouts_for(int n) {
  std::vector<ReadoutCase> r = {{Readout::expval_z, 0}, {Readout::probabilities, 0}};
  if (n > 1) r.push_back({Readout::probabilities, n});
  r.push_back({Readout::probabilities, 1});
  if (n > 2) r.push_back({Readout::probabilities, 2});
  return r;
}

void check_forward(const CircuitSpec& s, std::size_t batch, std::mt19937_64& rng) {
  SCOPED_TRACE(describe(s) + " batch=" + std::to_string(batch));
  ASSERT_EQ(s.input_size(), ref::input_size(s));
  ASSERT_EQ(s.output_size(), ref::output_size(s));
  ASSERT_EQ(s.weight_count(), ref::weight_count(s));
  const std::vector<double> w = random_weights(rng, s);
  const std::vector<double> x = random_inputs(rng, s, batch);
  const KernelResult got = run_kernel<Space>(s, w, x, batch);
  expect_close(reference_outputs(s, w, x, batch), got.outputs, kForwardTol, 0,
               static_cast<std::size_t>(s.output_size()), "outputs");
}

class ForwardVsDense : public ::testing::TestWithParam<std::tuple<Ansatz, int>> {};

}  // namespace

TEST_P(ForwardVsDense, EveryEncodingAndReadout) {
  const auto [ansatz, n] = GetParam();
  std::mt19937_64 rng(1000 + 10 * static_cast<int>(ansatz) + n);
  const std::size_t batches[] = {1, 7, 19};
  // Partial chunks are the point of 7 and 19.
  constexpr std::size_t lanes = BatchedCircuit<Space>::lanes();
  if (lanes > 1) {
    for (std::size_t b : batches) EXPECT_TRUE(b == 1 || b % lanes != 0) << b;
  }
  const double scales[] = {kPi, 0.7, -1.9};
  int config = 0;
  for (const EncodingCase& enc : all_encodings()) {
    for (const ReadoutCase& ro : readouts_for(n)) {
      for (int depth = 1; depth <= 3; ++depth, ++config) {
        const CircuitSpec s =
            make_spec(n, enc, ansatz, depth, ro.readout, ro.k, scales[config % 3]);
        check_forward(s, batches[config % 3], rng);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Small, ForwardVsDense,
                         ::testing::Combine(::testing::Values(Ansatz::paper,
                                                              Ansatz::basic_entangler,
                                                              Ansatz::strongly_entangling),
                                            ::testing::Values(1, 2, 3, 4, 5)),
                         [](const ::testing::TestParamInfo<ForwardVsDense::ParamType>& p) {
                           return ansatz_name(std::get<0>(p.param)) + "_n" +
                                  std::to_string(std::get<1>(p.param));
                         });

// Nine qubits: the dense reference multiplies 512 x 512 matrices, so a few
// circuits only; every readout, encodings rotated through.
TEST(ForwardVsDenseNineQubits, EveryAnsatzAndReadout) {
  std::mt19937_64 rng(9);
  const std::vector<EncodingCase> encs = all_encodings();
  const ReadoutCase readouts[] = {
      {Readout::expval_z, 0}, {Readout::probabilities, 0}, {Readout::probabilities, 1}};
  int config = 0;
  for (Ansatz a : {Ansatz::paper, Ansatz::basic_entangler, Ansatz::strongly_entangling}) {
    // Strongly entangling at depth 2 also exercises the range r = 2.
    const int depth = a == Ansatz::strongly_entangling ? 2 : 1;
    for (const ReadoutCase& ro : readouts) {
      const EncodingCase enc = encs[config++ % encs.size()];
      // Amplitude rows: one normalised-by-nobody row, one all-zero row.
      check_forward(make_spec(9, enc, a, depth, ro.readout, ro.k), 2, rng);
    }
  }
}

TEST(Forward, AmplitudeZeroRowIsTheGroundState) {
  // All-zero input -> |0...0>, then the ansatz: with zero weights and any
  // ansatz the CNOTs fix |0...0>, so P(0) = 1 and <Z_q> = 1.
  for (Ansatz a : {Ansatz::paper, Ansatz::basic_entangler, Ansatz::strongly_entangling}) {
    CircuitSpec s = make_spec(3, {Encoding::amplitude, GateKind::ry}, a, 2, Readout::probabilities);
    const std::vector<double> w(static_cast<std::size_t>(s.weight_count()), 0.0);
    const std::vector<double> x(8 * 3, 0.0);
    const KernelResult p = run_kernel<Space>(s, w, x, 3);
    for (std::size_t b = 0; b < 3; ++b) {
      for (std::size_t j = 0; j < 8; ++j) EXPECT_EQ(p.outputs[b * 8 + j], j == 0 ? 1.0 : 0.0);
    }
    s.readout = Readout::expval_z;
    const KernelResult z = run_kernel<Space>(s, w, x, 3);
    for (double v : z.outputs) EXPECT_EQ(v, 1.0);
  }
}

TEST(Forward, ProbabilitiesSumToOne) {
  std::mt19937_64 rng(17);
  for (const EncodingCase& enc : all_encodings()) {
    const CircuitSpec s =
        make_spec(5, enc, Ansatz::strongly_entangling, 2, Readout::probabilities, 3);
    const std::vector<double> w = random_weights(rng, s);
    const KernelResult r = run_kernel<Space>(s, w, random_inputs(rng, s, 11), 11);
    for (std::size_t b = 0; b < 11; ++b) {
      double sum = 0;
      for (std::size_t j = 0; j < 8; ++j) sum += r.outputs[b * 8 + j];
      EXPECT_NEAR(sum, 1.0, 1e-13) << describe(s) << " row " << b;
    }
  }
}

TEST(BatchedCircuit, RejectsInvalidSpecsAndShapes) {
  CircuitSpec bad;
  bad.qubits = 13;
  EXPECT_THROW(BatchedCircuit<Space>(bad).spec(), resqunn::UsageError);
  bad = CircuitSpec{};
  bad.depth = 0;
  EXPECT_THROW(BatchedCircuit<Space>(bad).spec(), resqunn::UsageError);

  const CircuitSpec s;  // 4 qubits, angle, paper depth 1, expval-z: 4 in, 8 weights, 4 out
  const BatchedCircuit<Space> c(s);
  EXPECT_EQ(c.spec().qubits, 4);
  using M = BatchedCircuit<Space>::Matrix;
  using V = BatchedCircuit<Space>::Vector;
  const M in("in", 3, 4), out("out", 3, 4), up("up", 3, 4), ig("ig", 3, 4);
  const V w("w", 8), wg("wg", 8);
  EXPECT_NO_THROW(c.forward(in, w, out));
  EXPECT_NO_THROW(c.vjp(in, w, up, out, ig, wg));
  EXPECT_THROW(c.forward(M("in", 3, 5), w, out), resqunn::UsageError);
  EXPECT_THROW(c.forward(in, V("w", 7), out), resqunn::UsageError);
  EXPECT_THROW(c.forward(in, w, M("out", 2, 4)), resqunn::UsageError);
  EXPECT_THROW(c.forward(in, w, M("out", 3, 16)), resqunn::UsageError);
  EXPECT_THROW(c.vjp(in, w, M("up", 3, 3), out, ig, wg), resqunn::UsageError);
  EXPECT_THROW(c.vjp(in, w, M("up", 4, 4), out, ig, wg), resqunn::UsageError);
  EXPECT_THROW(c.vjp(in, w, up, out, M("ig", 3, 3), wg), resqunn::UsageError);
  EXPECT_THROW(c.vjp(in, w, up, out, ig, V("wg", 9)), resqunn::UsageError);
}

// ---- evaluate() and pad_amplitudes() ---------------------------------------

TEST(Evaluate, ForwardMatchesTheReferenceAndLeavesGradientsEmpty) {
  std::mt19937_64 rng(23);
  const CircuitSpec s =
      make_spec(3, {Encoding::angle, GateKind::rx}, Ansatz::paper, 2, Readout::probabilities, 2);
  const std::vector<double> w = random_weights(rng, s);
  const std::vector<double> x = random_inputs(rng, s, 6);
  const Evaluation e = evaluate(s, w, x, 6);
  EXPECT_EQ(e.batch, 6u);
  expect_close(reference_outputs(s, w, x, 6), e.outputs, kForwardTol, 0, 4, "evaluate outputs");
  EXPECT_TRUE(e.input_grads.empty());
  EXPECT_TRUE(e.weight_grads.empty());
}

TEST(Evaluate, WithUpstreamRunsTheVjp) {
  std::mt19937_64 rng(29);
  const CircuitSpec s = make_spec(3, {Encoding::amplitude, GateKind::ry},
                                  Ansatz::strongly_entangling, 1, Readout::expval_z);
  const std::vector<double> w = random_weights(rng, s);
  const std::vector<double> x = random_inputs(rng, s, 5);
  const std::vector<double> up = uniform(rng, 5 * 3, -1, 1);
  const Evaluation e = evaluate(s, w, x, 5, up);
  ASSERT_EQ(e.input_grads.size(), 5u * 8);
  ASSERT_EQ(e.weight_grads.size(), 9u);
  expect_close(reference_outputs(s, w, x, 5), e.outputs, kForwardTol, 0, 3, "evaluate outputs");
  std::vector<double> wg(9, 0.0), ig;
  for (std::size_t b = 0; b < 5; ++b) {
    const ref::Gradients fd = ref::finite_difference_grads(s, w, row(x, b, 8), row(up, b, 3));
    const std::vector<double> ps =
        ref::parameter_shift_weight_grad(s, w, row(x, b, 8), row(up, b, 3));
    for (std::size_t j = 0; j < 9; ++j) wg[j] += ps[j];
    ig.insert(ig.end(), fd.inputs.begin(), fd.inputs.end());
  }
  expect_close(wg, e.weight_grads, 1e-10, 0, 9, "evaluate weight grads vs parameter shift");
  expect_close(ig, e.input_grads, 1e-6, 1e-6, 8, "evaluate input grads vs finite differences");
}

TEST(Evaluate, InconsistentSizesThrowUsageError) {
  const CircuitSpec s;  // 4 inputs, 8 weights, 4 outputs
  const std::vector<double> w(8, 0.1), x(3 * 4, 0.2), up(3 * 4, 1.0);
  EXPECT_NO_THROW(evaluate(s, w, x, 3, up));
  EXPECT_THROW(evaluate(s, std::vector<double>(7, 0.1), x, 3), resqunn::UsageError);
  EXPECT_THROW(evaluate(s, std::vector<double>(9, 0.1), x, 3), resqunn::UsageError);
  EXPECT_THROW(evaluate(s, w, std::vector<double>(3 * 4 + 1, 0.2), 3), resqunn::UsageError);
  EXPECT_THROW(evaluate(s, w, x, 2), resqunn::UsageError);
  EXPECT_THROW(evaluate(s, w, x, 4), resqunn::UsageError);
  EXPECT_THROW(evaluate(s, w, x, 3, std::vector<double>(3 * 4 - 1, 1.0)), resqunn::UsageError);
  EXPECT_THROW(evaluate(s, w, x, 3, std::vector<double>(2 * 4, 1.0)), resqunn::UsageError);
  CircuitSpec bad;
  bad.qubits = 0;
  EXPECT_THROW(evaluate(bad, {}, {}, 0), resqunn::UsageError);
}

TEST(PadAmplitudes, ZeroPadsToTwoToTheN) {
  EXPECT_EQ(pad_amplitudes({1, 2, 3}, 2), (std::vector<double>{1, 2, 3, 0}));
  EXPECT_EQ(pad_amplitudes({1, 2, 3, 4}, 2), (std::vector<double>{1, 2, 3, 4}));
  EXPECT_EQ(pad_amplitudes({-0.5}, 3), (std::vector<double>{-0.5, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(pad_amplitudes({}, 1), (std::vector<double>{0, 0}));
  EXPECT_THROW(pad_amplitudes({1, 2, 3, 4, 5}, 2), resqunn::UsageError);
  EXPECT_THROW(pad_amplitudes(std::vector<double>(17, 1.0), 4), resqunn::UsageError);
  // Padding changes nothing about the encoded state's direction: evaluate on
  // a padded row equals the reference on the same padded row.
  const CircuitSpec s =
      make_spec(2, {Encoding::amplitude, GateKind::ry}, Ansatz::paper, 1, Readout::probabilities);
  const std::vector<double> padded = pad_amplitudes({0.3, -1.2, 2.0}, 2);
  const std::vector<double> w = {0.1, 0.2, 0.3, 0.4};
  expect_close(ref::outputs(s, w, padded), evaluate(s, w, padded, 1).outputs, kForwardTol, 0, 4,
               "padded amplitudes");
}
