// Whole-model gradients against central finite differences.
//
// full mode: loss_and_gradient is the true gradient of loss_sum, so it must
// match finite differences of Model::evaluate over every parameter.
//
// barrier mode: a layer's encoded input is data, so the gradient is
// deliberately not the loss's gradient (e.g. with "O1+O2" it keeps QCL1's
// direct path to the head and drops the path through QCL2's encoding). It is
// the exact gradient of a model whose barrier is explicit: each layer reads,
// as a constant, the input it got at the base parameters
// (ReferencePass::loss_detached). Finite differences of that loss are the
// reference for every group; groups whose output the head does not read are
// exactly zero.
#include "resqunn/model/model.hpp"

#include "model_builders.hpp"
#include "model_test_support.hpp"
#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

using namespace resqunn::model;
using namespace resqunn::model::test;

namespace {

constexpr double kFdStep = 1e-5;
constexpr double kFdAbsTol = 1e-6;
constexpr double kFdRelTol = 1e-6;
constexpr int kClasses = 3;
constexpr int kImages = 2;

/// Checks loss_and_gradient(scale 1) of `spec` on a small batch against the
/// finite-difference reference for its gradient mode.
void check_gradients(const ModelSpec& spec, Shape input, std::uint64_t data_seed = 3) {
  SCOPED_TRACE("residual \"" + spec.residual + "\", " + std::string(to_string(spec.gradient_mode)) +
               ", " + std::string(to_string(spec.head.kind)) + " head");
  Model model(spec, input, kClasses);
  const Batch batch = make_batch(data_seed, kImages, input, kClasses);
  std::vector<double> params = model.initial_parameters();

  std::vector<double> grad;
  const BatchResult r = model.loss_and_gradient(batch.x, batch.labels, params, 1.0, grad);
  ASSERT_EQ(grad.size(), params.size());

  // The reference pass reproduces the model's loss (wiring, alignment, head
  // and cross-entropy agree).
  ReferencePass ref(model, batch);
  EXPECT_NEAR(ref.loss(params), r.loss_sum, 1e-12 * (1.0 + r.loss_sum));
  EXPECT_NEAR(model.evaluate(batch.x, batch.labels, params).loss_sum, r.loss_sum, 1e-12);

  std::vector<double> fd;
  if (spec.gradient_mode == GradientMode::full) {
    fd = central_differences([&] { return model.evaluate(batch.x, batch.labels, params).loss_sum; },
                             params, kFdStep);
  } else {
    ref.freeze_inputs(params);
    EXPECT_NEAR(ref.loss_detached(params), r.loss_sum, 1e-12 * (1.0 + r.loss_sum));
    fd = central_differences([&] { return ref.loss_detached(params); }, params, kFdStep);
  }

  const Wiring& w = model.wiring();
  for (std::size_t g = 0; g < model.groups().size(); ++g) {
    const ParameterGroup& group = model.groups()[g];
    SCOPED_TRACE(group.name);
    const std::vector<double> got = group_slice(grad, group);
    expect_close(group_slice(fd, group), got, kFdAbsTol, kFdRelTol, group.name + " gradient");
    const bool head = g + 1 == model.groups().size();
    if (head) {
      EXPECT_GT(max_abs(got), 1e-6) << "the head always trains";
      continue;
    }
    // Under the barrier only layers the head reads directly get a gradient.
    const auto& hs = w.head_input();
    const bool read_by_head = std::find(hs.begin(), hs.end(), static_cast<int>(g) + 1) != hs.end();
    if (spec.gradient_mode == GradientMode::barrier && !read_by_head) {
      EXPECT_TRUE(all_exactly_zero(got)) << "blocked by the barrier, max |g| = " << max_abs(got);
    } else {
      EXPECT_GT(max_abs(got), 1e-6) << "reached by the loss";
    }
  }
}

using GridParam = std::tuple<std::string, GradientMode, HeadKind>;

std::string grid_name(const ::testing::TestParamInfo<GridParam>& info) {
  const auto& [residual, mode, head] = info.param;
  return residual_label(residual) + "_" + std::string(to_string(mode)) + "_" +
         std::string(to_string(head));
}

class TwoLayerGradients : public ::testing::TestWithParam<GridParam> {};
class ThreeLayerGradients : public ::testing::TestWithParam<GridParam> {};

const auto kModes = ::testing::Values(GradientMode::barrier, GradientMode::full);
const auto kHeads = ::testing::Values(HeadKind::dense, HeadKind::quantum);

}  // namespace

TEST_P(TwoLayerGradients, MatchFiniteDifferences) {
  const auto& [residual, mode, head] = GetParam();
  check_gradients(two_layer_spec(residual, mode, head), kTwoLayerInput);
}

INSTANTIATE_TEST_SUITE_P(PaperConfigs, TwoLayerGradients,
                         ::testing::Combine(::testing::Values("none", "X+O1", "X+O2", "O1+O2",
                                                              "(X+O1)+O2"),
                                            kModes, kHeads),
                         grid_name);

// Wirings beyond the paper's five: no parentheses, several sums.
INSTANTIATE_TEST_SUITE_P(MoreWirings, TwoLayerGradients,
                         ::testing::Combine(::testing::Values("X+O1+O2", "X+O1;O1+O2"), kModes,
                                            ::testing::Values(HeadKind::dense)),
                         grid_name);

TEST_P(ThreeLayerGradients, MatchFiniteDifferences) {
  const auto& [residual, mode, head] = GetParam();
  check_gradients(three_layer_spec(residual, mode, head), kTwoLayerInput, 5);
}

INSTANTIATE_TEST_SUITE_P(Configs, ThreeLayerGradients,
                         ::testing::Combine(::testing::Values("none", "X+O1", "(X+O1)+O2",
                                                              "O1+O2+O3", "((X+O1)+O2)+O3",
                                                              "X+O2;O1+O3"),
                                            kModes, ::testing::Values(HeadKind::dense)),
                         grid_name);

INSTANTIATE_TEST_SUITE_P(QuantumHead, ThreeLayerGradients,
                         ::testing::Combine(::testing::Values("((X+O1)+O2)+O3"), kModes,
                                            ::testing::Values(HeadKind::quantum)),
                         grid_name);

// The compiled evaluator (docs/quantum.md) in every layer and in the quantum
// head: the same finite-difference references, both gradient modes.
class CompiledGradients : public ::testing::TestWithParam<GridParam> {};

TEST_P(CompiledGradients, MatchFiniteDifferences) {
  const auto& [residual, mode, head] = GetParam();
  ModelSpec spec = two_layer_spec(residual, mode, head);
  for (QuanvSpec& layer : spec.layers) layer.evaluator = resqunn::quantum::Evaluator::compiled;
  spec.head.evaluator = resqunn::quantum::Evaluator::compiled;
  check_gradients(spec, kTwoLayerInput);
}

INSTANTIATE_TEST_SUITE_P(EveryLayer, CompiledGradients,
                         ::testing::Combine(::testing::Values("none", "O1+O2", "(X+O1)+O2"), kModes,
                                            kHeads),
                         grid_name);

// Other encodings, channel modes, ansaetze and non-divisible alignment.
TEST(ModelGradients, AmplitudeLayersWithAdaptivePooling) {
  // 2x5x5 -> QCL1 amplitude 2x2/2 same, mean (2 qubits) -> 2x3x3;
  // QCL2 reads X+O1 (X pooled 5 -> 3) and runs amplitude 2x2/1, pool -> 2x2x2;
  // the head reads X+O1+O2 at 2x2x2.
  for (GradientMode mode : {GradientMode::barrier, GradientMode::full}) {
    for (HeadKind head : {HeadKind::dense, HeadKind::quantum}) {
      ModelSpec m;
      m.layers = {
          quanv(2, 2, Padding::same, ChannelMode::mean, resqunn::quantum::Encoding::amplitude,
                resqunn::quantum::Ansatz::strongly_entangling, 2),
          quanv(2, 1, Padding::valid, ChannelMode::pool, resqunn::quantum::Encoding::amplitude,
                resqunn::quantum::Ansatz::basic_entangler, 2)};
      m.residual = "(X+O1)+O2";
      m.gradient_mode = mode;
      m.head = head_spec(head);
      m.seed = 9;
      check_gradients(m, {2, 5, 5});
    }
  }
}

TEST(ModelGradients, StackedChannelsAndRxEncoding) {
  // 1x4x4 -> QCL1 rx 2x2/1 stack -> 4x3x3; QCL2 1x1 stack over 4 channels -> 4x3x3.
  for (const char* residual : {"O1+O2", "X+O2"}) {
    for (GradientMode mode : {GradientMode::barrier, GradientMode::full}) {
      ModelSpec m;
      m.layers = {quanv(2, 1, Padding::valid, ChannelMode::stack, resqunn::quantum::Encoding::angle,
                        resqunn::quantum::Ansatz::paper, 2, resqunn::quantum::GateKind::rx),
                  quanv(1, 1, Padding::valid, ChannelMode::stack)};
      m.residual = residual;
      m.gradient_mode = mode;
      m.head = head_spec(HeadKind::quantum);
      m.seed = 10;
      check_gradients(m, {1, 4, 4});
    }
  }
}

TEST(ModelGradients, ScaleMultipliesAndGradientsAccumulate) {
  Model model(two_layer_spec("O1+O2", GradientMode::full, HeadKind::dense), kTwoLayerInput,
              kClasses);
  const Batch batch = make_batch(4, kImages, kTwoLayerInput, kClasses);
  const std::vector<double> params = model.initial_parameters();
  std::vector<double> g1;  // empty: resized and zeroed
  model.loss_and_gradient(batch.x, batch.labels, params, 1.0, g1);
  ASSERT_EQ(g1.size(), params.size());

  std::vector<double> acc(params.size(), 1.0);
  model.loss_and_gradient(batch.x, batch.labels, params, 0.5, acc);
  model.loss_and_gradient(batch.x, batch.labels, params, -2.0, acc);
  for (std::size_t j = 0; j < params.size(); ++j) {
    EXPECT_NEAR(acc[j], 1.0 - 1.5 * g1[j], 1e-12 * (1.0 + std::abs(g1[j]))) << j;
  }
}

TEST(ModelGradients, BarrierAndFullAgreeWhereNoEncodingIsCrossed) {
  // With "X+O2" the head's gradient and QCL2's are the same in both modes
  // (QCL2's output reaches the loss only through the head); QCL1's differs.
  const Batch batch = make_batch(6, kImages, kTwoLayerInput, kClasses);
  std::vector<double> g[2];
  std::vector<ParameterGroup> groups;
  int i = 0;
  for (GradientMode mode : {GradientMode::barrier, GradientMode::full}) {
    Model model(two_layer_spec("X+O2", mode, HeadKind::dense), kTwoLayerInput, kClasses);
    model.loss_and_gradient(batch.x, batch.labels, model.initial_parameters(), 1.0, g[i++]);
    groups = model.groups();
  }
  for (const ParameterGroup& grp : {groups[1], groups[2]}) {
    expect_close(group_slice(g[1], grp), group_slice(g[0], grp), 1e-13, 1e-12, grp.name);
  }
  EXPECT_TRUE(all_exactly_zero(group_slice(g[0], groups[0])));
  EXPECT_GT(max_abs(group_slice(g[1], groups[0])), 1e-6);
}

TEST(ModelGradients, BarrierDropsThePathThroughLaterEncodings) {
  // With "O1+O2", O1 reaches the head directly and through QCL2. The barrier
  // keeps only the direct path, so QCL1's barrier gradient is not the loss's
  // gradient (finite differences of evaluate()) but the detached model's.
  const Batch batch = make_batch(8, kImages, kTwoLayerInput, kClasses);
  std::vector<double> g[2];
  int i = 0;
  for (GradientMode mode : {GradientMode::barrier, GradientMode::full}) {
    Model model(two_layer_spec("O1+O2", mode, HeadKind::dense), kTwoLayerInput, kClasses);
    model.loss_and_gradient(batch.x, batch.labels, model.initial_parameters(), 1.0, g[i++]);
  }
  Model model(two_layer_spec("O1+O2", GradientMode::barrier, HeadKind::dense), kTwoLayerInput,
              kClasses);
  const ParameterGroup qcl1 = model.groups()[0];
  std::vector<double> diff;
  for (int j = 0; j < qcl1.count; ++j)
    diff.push_back(g[0][qcl1.offset + j] - g[1][qcl1.offset + j]);
  EXPECT_GT(max_abs(diff), 1e-4);
  EXPECT_GT(max_abs(group_slice(g[0], qcl1)), 1e-6);
}

// The trainer's two-part step gradient (moments of compiled layers summed
// over micro-batches, then one weight-gradient pass) against summing
// loss_and_gradient over the same micro-batches; for one micro-batch the two
// are bitwise equal.
TEST(ModelGradients, StepGradientOfCompiledLayersMatchesPerCallGradients) {
  ModelSpec spec = two_layer_spec("(X+O1)+O2", GradientMode::full, HeadKind::quantum);
  for (QuanvSpec& layer : spec.layers) layer.evaluator = resqunn::quantum::Evaluator::compiled;
  Model model(spec, kTwoLayerInput, kClasses);
  ASSERT_GT(model.step_gradient_width(), model.parameter_count());
  const std::vector<double> params = model.initial_parameters();
  const Batch a = make_batch(3, kImages, kTwoLayerInput, kClasses);
  const Batch b = make_batch(4, kImages, kTwoLayerInput, kClasses);

  std::vector<double> direct;
  model.loss_and_gradient(a.x, a.labels, params, 0.5, direct);
  model.loss_and_gradient(b.x, b.labels, params, 0.5, direct);
  std::vector<double> pa, pb;
  model.loss_and_step_gradient(a.x, a.labels, params, 0.5, pa);
  model.loss_and_step_gradient(b.x, b.labels, params, 0.5, pb);
  ASSERT_EQ(pa.size(), static_cast<std::size_t>(model.step_gradient_width()));
  for (std::size_t i = 0; i < pa.size(); ++i) pa[i] += pb[i];
  model.finish_step_gradient(params, pa);
  ASSERT_EQ(pa.size(), params.size());
  expect_close(direct, pa, 1e-12, 1e-10, "two micro-batches");

  std::vector<double> one, step;
  model.loss_and_gradient(a.x, a.labels, params, 1.0, one);
  model.loss_and_step_gradient(a.x, a.labels, params, 1.0, step);
  model.finish_step_gradient(params, step);
  EXPECT_EQ(one, step);
}
