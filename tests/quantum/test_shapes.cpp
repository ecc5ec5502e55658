// The GPU-shaped kernels (KernelShape::threads: one circuit per thread,
// teams of 32 thread slots whose scratch rows are interleaved) against the
// CPU shape (KernelShape::lanes, on the default host space), for both
// evaluators, on every execution space the build enables: outputs and
// input gradients to 1e-12, batch-summed weight gradients to 1e-12
// relative (their summation order differs between the shapes). On host
// spaces the threads shape runs its slots in turn, which is how it is
// tested without a GPU. Also: the threads shape gives bitwise identical
// results run after run, and the same outputs for a circuit wherever it
// sits in the batch.
#include "resqunn/core/error.hpp"
#include "resqunn/quantum/detail/compiled_evaluator.hpp"
#include "resqunn/quantum/detail/execution_spaces.hpp"

#include "kernel_harness.hpp"
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

using namespace resqunn::quantum;
using namespace resqunn::quantum::test;

namespace {

constexpr double kTol = 1e-12;
using Host = Kokkos::DefaultHostExecutionSpace;

// Every enabled execution space as a gtest type list.
template <class... T>
struct SpaceList {};
template <class L>
struct GtestTypes;
template <class... T>
struct GtestTypes<SpaceList<void, T...>> {
  using type = ::testing::Types<T...>;
};
#define RESQUNN_LIST_SPACE(Space) , Space
using Spaces =
    GtestTypes<SpaceList<void RESQUNN_FOR_EACH_EXECUTION_SPACE(RESQUNN_LIST_SPACE)>>::type;
#undef RESQUNN_LIST_SPACE

CircuitSpec with(CircuitSpec s, Evaluator e) {
  s.evaluator = e;
  return s;
}

double max_abs(const std::vector<double>& v) {
  double m = 0.0;
  for (double x : v) m = std::max(m, std::abs(x));
  return m;
}

/// Every ansatz x encoding x axis x readout at n = 1..6 (depths 1..3), both
/// evaluators where the compiled one fits both shapes.
std::vector<CircuitSpec> grid() {
  std::vector<CircuitSpec> specs;
  for (int n = 1; n <= 6; ++n) {
    for (Ansatz a : {Ansatz::paper, Ansatz::basic_entangler, Ansatz::strongly_entangling}) {
      for (const CircuitSpec& s : encoding_readout_grid(n, a)) {
        specs.push_back(with(s, Evaluator::statevector));
        const CircuitSpec c = with(s, Evaluator::compiled);
        if (detail::compiled_supported(c, KernelShape::lanes) &&
            detail::compiled_supported(c, KernelShape::threads)) {
          specs.push_back(c);
        }
      }
    }
  }
  return specs;
}

std::string label(const CircuitSpec& s) {
  return describe(s) + (s.evaluator == Evaluator::compiled ? " compiled" : " statevector");
}

template <class Space>
class KernelShapes : public ::testing::Test {};
// Tests named by space: KernelShapes/Serial.ThreadsShape...
struct SpaceName {
  template <class Space>
  static std::string GetName(int) {
    return Space::name();
  }
};
TYPED_TEST_SUITE(KernelShapes, Spaces, SpaceName);

// Batches of 1 (a team with one busy slot), 45 (a partial team) and 700
// (several teams of both evaluators, the last partial).
TYPED_TEST(KernelShapes, ThreadsShapeAgreesWithLanesShape) {
  using Space = TypeParam;
  std::mt19937_64 rng(20261204);
  for (const CircuitSpec& s : grid()) {
    for (std::size_t batch : {std::size_t{1}, std::size_t{45}, std::size_t{700}}) {
      SCOPED_TRACE(label(s) + " batch=" + std::to_string(batch));
      const std::vector<double> w = random_weights(rng, s);
      const std::vector<double> x = random_inputs(rng, s, batch, 1);
      const std::vector<double> up =
          uniform(rng, batch * static_cast<std::size_t>(s.output_size()), -1, 1);
      const std::size_t m = static_cast<std::size_t>(s.input_size());
      const std::size_t o = static_cast<std::size_t>(s.output_size());

      const KernelResult fl =
          run_kernel<Host>(s, w, x, batch, nullptr, true, true, KernelShape::lanes);
      const KernelResult ft =
          run_kernel<Space>(s, w, x, batch, nullptr, true, true, KernelShape::threads);
      expect_close(fl.outputs, ft.outputs, kTol, kTol, o, "forward outputs");

      const KernelResult vl = run_kernel<Host>(s, w, x, batch, &up, true, true, KernelShape::lanes);
      const KernelResult vt =
          run_kernel<Space>(s, w, x, batch, &up, true, true, KernelShape::threads);
      expect_close(vl.outputs, vt.outputs, kTol, kTol, o, "vjp outputs");
      expect_close(vl.input_grads, vt.input_grads, kTol, kTol, m, "input gradients");
      expect_close(vl.weight_grads, vt.weight_grads, kTol * (1.0 + max_abs(vl.weight_grads)), kTol,
                   0, "weight gradients");
      if (::testing::Test::HasFailure()) return;  // one case's report is enough
    }
  }
}

// The VJP without outputs or input gradients (what barrier-mode layers
// ask for) takes other branches of both kernels.
TYPED_TEST(KernelShapes, ThreadsShapeWithoutOutputsOrInputGradients) {
  using Space = TypeParam;
  std::mt19937_64 rng(7);
  for (Evaluator e : {Evaluator::statevector, Evaluator::compiled}) {
    for (Encoding enc : {Encoding::angle, Encoding::amplitude}) {
      const CircuitSpec s = with(
          make_spec(4, {enc, GateKind::ry}, Ansatz::strongly_entangling, 2, Readout::expval_z), e);
      SCOPED_TRACE(label(s));
      const std::size_t batch = 333;
      const std::vector<double> w = random_weights(rng, s);
      const std::vector<double> x = random_inputs(rng, s, batch, 1);
      const std::vector<double> up =
          uniform(rng, batch * static_cast<std::size_t>(s.output_size()), -1, 1);
      const KernelResult l =
          run_kernel<Host>(s, w, x, batch, &up, false, false, KernelShape::lanes);
      const KernelResult t =
          run_kernel<Space>(s, w, x, batch, &up, false, false, KernelShape::threads);
      EXPECT_TRUE(t.outputs.empty());
      EXPECT_TRUE(t.input_grads.empty());
      expect_close(l.weight_grads, t.weight_grads, kTol * (1.0 + max_abs(l.weight_grads)), kTol, 0,
                   "weight gradients");
    }
  }
}

// Same inputs, same device: the same bits, run after run; and a circuit's
// outputs and input gradients do not depend on where it sits in the batch.
TYPED_TEST(KernelShapes, ThreadsShapeIsReproducibleAndPositionIndependent) {
  using Space = TypeParam;
  std::mt19937_64 rng(11);
  for (Evaluator e : {Evaluator::statevector, Evaluator::compiled}) {
    const CircuitSpec s =
        with(make_spec(4, {Encoding::angle, GateKind::rx}, Ansatz::paper, 3, Readout::expval_z), e);
    SCOPED_TRACE(label(s));
    const std::size_t batch = 1000;
    const std::size_t m = static_cast<std::size_t>(s.input_size());
    const std::size_t o = static_cast<std::size_t>(s.output_size());
    const std::vector<double> w = random_weights(rng, s);
    const std::vector<double> x = random_inputs(rng, s, batch, 1);
    const std::vector<double> up = uniform(rng, batch * o, -1, 1);
    const KernelResult a = run_kernel<Space>(s, w, x, batch, &up, true, true, KernelShape::threads);
    const KernelResult b = run_kernel<Space>(s, w, x, batch, &up, true, true, KernelShape::threads);
    expect_identical(a.outputs, b.outputs, o, "outputs");
    expect_identical(a.input_grads, b.input_grads, m, "input gradients");
    expect_identical(a.weight_grads, b.weight_grads, 0, "weight gradients");
    // Circuit 777 alone (slot 0 of team 0) against its place in the batch.
    const std::vector<double> x1 = row(x, 777, m);
    const std::vector<double> up1 = row(up, 777, o);
    const KernelResult one = run_kernel<Space>(s, w, x1, 1, &up1, true, true, KernelShape::threads);
    expect_identical(row(a.outputs, 777, o), one.outputs, o, "outputs of circuit 777");
    expect_identical(row(a.input_grads, 777, m), one.input_grads, m,
                     "input gradients of circuit 777");
  }
}

// The lanes shape exists on host spaces only.
TYPED_TEST(KernelShapes, DeviceSpacesRefuseTheLanesShape) {
  using Space = TypeParam;
  const CircuitSpec s =
      make_spec(2, {Encoding::angle, GateKind::ry}, Ansatz::paper, 1, Readout::expval_z);
  const auto make = [&] { return BatchedCircuit<Space>(s, Space(), KernelShape::lanes); };
  if constexpr (detail::host_space<Space>()) {
    EXPECT_NO_THROW(make());
  } else {
    EXPECT_THROW(make(), resqunn::UsageError);
  }
}

}  // namespace
