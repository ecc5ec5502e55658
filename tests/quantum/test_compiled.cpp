// The compiled evaluator (Evaluator::compiled) against the dense reference
// and the state-vector kernels: outputs and input gradients to 1e-12,
// weight gradients to 1e-10 relative (and against the parameter-shift rule
// and finite differences), for every ansatz x encoding x axis x readout,
// n = 1..8 and depths 1..32; plus what the batch must not change, the
// compile cache, and the evaluator's size limits.
#include "resqunn/core/error.hpp"
#include "resqunn/quantum/detail/compiled_evaluator.hpp"

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

constexpr double kValueTol = 1e-12;   // outputs, input gradients
constexpr double kWeightTol = 1e-10;  // weight gradients, relative (and absolute near 0)
// The dense reference multiplies 2^n x 2^n matrices per gate: up to n = 5
// for every case; above, the state-vector kernels (themselves checked
// against it up to n = 9 in test_vjp) are the reference.
constexpr int kDenseMaxQubits = 5;

CircuitSpec with(CircuitSpec s, Evaluator e) {
  s.evaluator = e;
  return s;
}

struct Case {
  CircuitSpec spec;
  std::vector<double> weights, inputs, upstream;
  std::size_t batch;
};

Case random_case(std::mt19937_64& rng, const CircuitSpec& s, std::size_t batch) {
  Case c{s, random_weights(rng, s), random_inputs(rng, s, batch, 1), {}, batch};
  c.upstream = uniform(rng, batch * static_cast<std::size_t>(s.output_size()), -1, 1);
  return c;
}

/// Compiled vs state vector on one case: outputs and input gradients to
/// 1e-12, weight gradients to 1e-10 relative; with `dense`, the outputs and
/// weight gradients against the dense reference (parameter shift) too.
void check_against_statevector(const Case& c, bool dense) {
  SCOPED_TRACE(describe(c.spec) + " batch=" + std::to_string(c.batch));
  const std::size_t m = static_cast<std::size_t>(c.spec.input_size());
  const std::size_t o = static_cast<std::size_t>(c.spec.output_size());
  const KernelResult sv = run_kernel<Space>(with(c.spec, Evaluator::statevector), c.weights,
                                            c.inputs, c.batch, &c.upstream);
  const KernelResult cf = run_kernel<Space>(with(c.spec, Evaluator::compiled), c.weights, c.inputs,
                                            c.batch, &c.upstream);
  const KernelResult cf_forward =
      run_kernel<Space>(with(c.spec, Evaluator::compiled), c.weights, c.inputs, c.batch);
  expect_close(sv.outputs, cf.outputs, kValueTol, 0, o, "outputs vs state vector");
  expect_close(cf.outputs, cf_forward.outputs, 0, 0, o, "forward vs vjp outputs (bitwise)");
  expect_close(sv.input_grads, cf.input_grads, kValueTol, 0, m, "input grads vs state vector");
  expect_close(sv.weight_grads, cf.weight_grads, kWeightTol, kWeightTol, c.weights.size(),
               "weight grads vs state vector");
  if (!dense) return;
  expect_close(reference_outputs(c.spec, c.weights, c.inputs, c.batch), cf.outputs, kValueTol, 0, o,
               "outputs vs dense reference");
  std::vector<double> shift(c.weights.size(), 0.0);
  for (std::size_t b = 0; b < c.batch; ++b) {
    const auto ps = ref::parameter_shift_weight_grad(c.spec, c.weights, row(c.inputs, b, m),
                                                     row(c.upstream, b, o));
    for (std::size_t j = 0; j < shift.size(); ++j) shift[j] += ps[j];
  }
  expect_close(shift, cf.weight_grads, kWeightTol, kWeightTol, c.weights.size(),
               "weight grads vs parameter shift");
}

class CompiledVsReference : public ::testing::TestWithParam<std::tuple<Ansatz, int>> {};

}  // namespace

// Every encoding (rx, ry, rz angle; amplitude) x readout (expval-z, all
// probabilities, the first qubit's) for one ansatz and qubit count.
TEST_P(CompiledVsReference, EveryEncodingAndReadout) {
  const auto [ansatz, n] = GetParam();
  std::mt19937_64 rng(7000 + 10 * static_cast<int>(ansatz) + n);
  for (const CircuitSpec& s : encoding_readout_grid(n, ansatz)) {
    if (!detail::compiled_supported(s, detail::default_shape<Space>())) {
      // The limits (docs/quantum.md) exclude only the largest tables: all
      // 2^n probabilities of 7 or 8 qubits.
      EXPECT_TRUE(n >= 7 && s.readout == Readout::probabilities && s.readout_qubits == 0)
          << describe(s);
      continue;
    }
    check_against_statevector(random_case(rng, s, n <= 6 ? 11 : 3), n <= kDenseMaxQubits);
  }
}

INSTANTIATE_TEST_SUITE_P(Qubits, CompiledVsReference,
                         ::testing::Combine(::testing::Values(Ansatz::paper,
                                                              Ansatz::basic_entangler,
                                                              Ansatz::strongly_entangling),
                                            ::testing::Values(1, 2, 3, 4, 5, 6, 7, 8)),
                         [](const ::testing::TestParamInfo<CompiledVsReference::ParamType>& p) {
                           return ansatz_name(std::get<0>(p.param)) + "_n" +
                                  std::to_string(std::get<1>(p.param));
                         });

// Depths 1..32 at n = 4 for every ansatz and encoding: the compiled cost does
// not grow with depth, its error must not either.
TEST(Compiled, DepthsUpTo32) {
  std::mt19937_64 rng(33);
  for (Ansatz a : {Ansatz::paper, Ansatz::basic_entangler, Ansatz::strongly_entangling}) {
    for (const EncodingCase& enc : all_encodings()) {
      for (int depth : {1, 2, 4, 8, 16, 32}) {
        const CircuitSpec s = make_spec(4, enc, a, depth, Readout::expval_z, 0, 1.3);
        check_against_statevector(random_case(rng, s, 9), depth <= 4);
      }
    }
  }
}

// Weight and input gradients against central finite differences of the
// dense reference (independent of both kernels' adjoint passes).
TEST(Compiled, GradientsVsFiniteDifferences) {
  std::mt19937_64 rng(44);
  for (const EncodingCase& enc : all_encodings()) {
    for (Readout r : {Readout::expval_z, Readout::probabilities}) {
      const CircuitSpec s =
          with(make_spec(3, enc, Ansatz::strongly_entangling, 2, r, 0, 0.9), Evaluator::compiled);
      const Case c = random_case(rng, s, 4);
      const KernelResult got = run_kernel<Space>(s, c.weights, c.inputs, c.batch, &c.upstream);
      const std::size_t m = static_cast<std::size_t>(s.input_size());
      const std::size_t o = static_cast<std::size_t>(s.output_size());
      std::vector<double> fd_w(c.weights.size(), 0.0), fd_x;
      for (std::size_t b = 0; b < c.batch; ++b) {
        const ref::Gradients fd =
            ref::finite_difference_grads(s, c.weights, row(c.inputs, b, m), row(c.upstream, b, o));
        for (std::size_t j = 0; j < fd_w.size(); ++j) fd_w[j] += fd.weights[j];
        fd_x.insert(fd_x.end(), fd.inputs.begin(), fd.inputs.end());
      }
      SCOPED_TRACE(describe(s));
      expect_close(fd_w, got.weight_grads, 1e-6, 1e-6, c.weights.size(), "weight grads vs FD");
      expect_close(fd_x, got.input_grads, 1e-6, 1e-6, m, "input grads vs FD");
    }
  }
}

// A circuit's outputs and input gradients do not depend on its place in the
// batch or the batch size (bitwise); repeated runs give bitwise the same
// weight gradients.
TEST(Compiled, RowsIndependentOfTheBatch) {
  std::mt19937_64 rng(55);
  for (const EncodingCase& enc : all_encodings()) {
    const CircuitSpec s =
        with(make_spec(4, enc, Ansatz::paper, 3, Readout::expval_z, 0, 1.1), Evaluator::compiled);
    const Case big = random_case(rng, s, 37);
    const std::size_t m = static_cast<std::size_t>(s.input_size());
    const std::size_t o = static_cast<std::size_t>(s.output_size());
    // Rows 5..23 of the big batch, alone.
    const std::size_t first = 5, count = 19;
    const std::vector<double> x(big.inputs.begin() + first * m,
                                big.inputs.begin() + (first + count) * m);
    const std::vector<double> up(big.upstream.begin() + first * o,
                                 big.upstream.begin() + (first + count) * o);
    const KernelResult all =
        run_kernel<Space>(s, big.weights, big.inputs, big.batch, &big.upstream);
    const KernelResult part = run_kernel<Space>(s, big.weights, x, count, &up);
    const std::vector<double> out_slice(all.outputs.begin() + first * o,
                                        all.outputs.begin() + (first + count) * o);
    const std::vector<double> grad_slice(all.input_grads.begin() + first * m,
                                         all.input_grads.begin() + (first + count) * m);
    SCOPED_TRACE(describe(s));
    expect_close(out_slice, part.outputs, 0, 0, o, "outputs (bitwise)");
    expect_close(grad_slice, part.input_grads, 0, 0, m, "input grads (bitwise)");
    const KernelResult again =
        run_kernel<Space>(s, big.weights, big.inputs, big.batch, &big.upstream);
    expect_close(all.weight_grads, again.weight_grads, 0, 0, big.weights.size(),
                 "weight grads of a repeated run (bitwise)");
  }
}

// A VJP without input gradients (an empty input_grads: data inputs, barrier
// mode) or without outputs (an empty outputs: the caller ran forward) skips
// that part of the pass and changes nothing else: the rest bitwise equal,
// for both evaluators.
TEST(Compiled, WithoutInputGradsOrOutputsTheRestIsBitwiseEqual) {
  std::mt19937_64 rng(57);
  for (const Evaluator e : {Evaluator::compiled, Evaluator::statevector}) {
    for (const EncodingCase& enc : all_encodings()) {
      for (const Readout r : {Readout::expval_z, Readout::probabilities}) {
        const CircuitSpec s = with(make_spec(4, enc, Ansatz::paper, 2, r, 0, 1.1), e);
        const Case c = random_case(rng, s, 29);
        SCOPED_TRACE(describe(s));
        const KernelResult all = run_kernel<Space>(s, c.weights, c.inputs, c.batch, &c.upstream);
        const KernelResult less =
            run_kernel<Space>(s, c.weights, c.inputs, c.batch, &c.upstream, false);
        EXPECT_TRUE(less.input_grads.empty());
        const std::size_t o = static_cast<std::size_t>(s.output_size());
        expect_close(all.outputs, less.outputs, 0, 0, o, "outputs (bitwise)");
        expect_close(all.weight_grads, less.weight_grads, 0, 0, c.weights.size(),
                     "weight grads (bitwise)");
        const KernelResult quiet =
            run_kernel<Space>(s, c.weights, c.inputs, c.batch, &c.upstream, true, false);
        EXPECT_TRUE(quiet.outputs.empty());
        expect_close(all.input_grads, quiet.input_grads, 0, 0,
                     static_cast<std::size_t>(s.input_size()), "input grads (bitwise)");
        expect_close(all.weight_grads, quiet.weight_grads, 0, 0, c.weights.size(),
                     "weight grads without outputs (bitwise)");
      }
    }
  }
}

// One compile per weight vector: calls with the same weights (micro-batches,
// validation) share it; new weights compile again.
TEST(Compiled, CompilesOncePerWeightVector) {
  using Compiled = detail::CompiledEvaluator<Space>;
  std::mt19937_64 rng(66);
  const CircuitSpec s =
      make_spec(4, {Encoding::angle, GateKind::ry}, Ansatz::paper, 2, Readout::expval_z, 0, kPi);
  Compiled ev(s, Space());
  const Case c = random_case(rng, s, 16);
  Compiled::Matrix in("in", c.batch, 4), out("out", c.batch, 4), up("up", c.batch, 4),
      ig("ig", c.batch, 4);
  Compiled::Vector w("w", c.weights.size()), wg("wg", c.weights.size());
  auto w_h = Kokkos::create_mirror_view(w);
  for (std::size_t j = 0; j < c.weights.size(); ++j) w_h(j) = c.weights[j];
  Kokkos::deep_copy(w, w_h);
  ev.run(false, in, w, {}, out, {}, {});
  ev.run(true, in, w, up, out, ig, wg);
  ev.run(false, in, w, {}, out, {}, {});
  EXPECT_EQ(ev.compiles(), 1);
  w_h(0) += 0.25;
  Kokkos::deep_copy(w, w_h);
  ev.run(false, in, w, {}, out, {}, {});
  EXPECT_EQ(ev.compiles(), 2);
}

// Past its limits the compiled evaluator refuses with a UsageError naming
// the fix; auto then picks the state vector.
TEST(Compiled, RefusesWhatDoesNotFit) {
  CircuitSpec s = make_spec(10, {Encoding::amplitude, GateKind::ry}, Ansatz::paper, 1,
                            Readout::probabilities, 0);
  EXPECT_FALSE(detail::compiled_supported(s, detail::default_shape<Space>()));
  try {
    const BatchedCircuit<Space> circuit(with(s, Evaluator::compiled));
    ADD_FAILURE() << "expected a UsageError";
  } catch (const resqunn::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("statevector"), std::string::npos) << e.what();
  }
  const BatchedCircuit<Space> automatic(with(s, Evaluator::automatic));
  EXPECT_EQ(automatic.evaluator(), Evaluator::statevector);
}
