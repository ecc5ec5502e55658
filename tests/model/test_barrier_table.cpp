// The acceptance table for gradient flow with two quanvolution layers: in
// barrier mode QCL1 gets exactly zero gradient unless the head reads O1
// directly (O1+O2, (X+O1)+O2); in full mode every layer trains under all
// five of the paper's configurations. Frozen layers get exactly zero and,
// in full mode, still pass gradient through to the layers before them.
#include "resqunn/model/model.hpp"

#include "model_builders.hpp"
#include "model_test_support.hpp"
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

using namespace resqunn::model;
using namespace resqunn::model::test;

namespace {

constexpr int kClasses = 3;
constexpr int kImages = 3;
// Clearly non-zero: far above rounding, far below typical gradients here.
constexpr double kNonZero = 1e-6;

struct Row {
  std::string residual;
  bool qcl1_trains_under_barrier;
};

const Row kTable[] = {
    {"none", false}, {"X+O1", false}, {"X+O2", false}, {"O1+O2", true}, {"(X+O1)+O2", true},
};

std::vector<double> gradient(const ModelSpec& spec, Shape input, const Batch& batch,
                             std::vector<ParameterGroup>& groups) {
  Model model(spec, input, kClasses);
  groups = model.groups();
  std::vector<double> g;
  model.loss_and_gradient(batch.x, batch.labels, model.initial_parameters(), 1.0, g);
  return g;
}

std::vector<double> finite_differences(const ModelSpec& spec, Shape input, const Batch& batch) {
  Model model(spec, input, kClasses);
  std::vector<double> p = model.initial_parameters();
  return central_differences([&] { return model.evaluate(batch.x, batch.labels, p).loss_sum; }, p,
                             1e-5);
}

using TableParam = std::tuple<Row, HeadKind>;
class BarrierTable : public ::testing::TestWithParam<TableParam> {};

std::string table_name(const ::testing::TestParamInfo<TableParam>& info) {
  return residual_label(std::get<0>(info.param).residual) + "_" +
         std::string(to_string(std::get<1>(info.param)));
}

}  // namespace

TEST_P(BarrierTable, BarrierMode) {
  const auto& [row, head] = GetParam();
  const Batch batch = make_batch(21, kImages, kTwoLayerInput, kClasses);
  std::vector<ParameterGroup> groups;
  const auto g = gradient(two_layer_spec(row.residual, GradientMode::barrier, head), kTwoLayerInput,
                          batch, groups);
  ASSERT_EQ(groups.size(), 3u);
  const auto qcl1 = group_slice(g, groups[0]);
  if (row.qcl1_trains_under_barrier) {
    EXPECT_GT(max_abs(qcl1), kNonZero) << "QCL1 should train with " << row.residual;
  } else {
    for (std::size_t j = 0; j < qcl1.size(); ++j) {
      EXPECT_EQ(qcl1[j], 0.0) << "QCL1 weight " << j << " with " << row.residual;
    }
  }
  EXPECT_GT(max_abs(group_slice(g, groups[1])), kNonZero) << "QCL2";
  EXPECT_GT(max_abs(group_slice(g, groups[2])), kNonZero) << "head";
}

TEST_P(BarrierTable, FullMode) {
  const auto& [row, head] = GetParam();
  const Batch batch = make_batch(21, kImages, kTwoLayerInput, kClasses);
  std::vector<ParameterGroup> groups;
  const auto g = gradient(two_layer_spec(row.residual, GradientMode::full, head), kTwoLayerInput,
                          batch, groups);
  for (const ParameterGroup& grp : groups) {
    EXPECT_GT(max_abs(group_slice(g, grp)), kNonZero) << grp.name << " with " << row.residual;
  }
}

INSTANTIATE_TEST_SUITE_P(PaperConfigs, BarrierTable,
                         ::testing::Combine(::testing::ValuesIn(kTable),
                                            ::testing::Values(HeadKind::dense, HeadKind::quantum)),
                         table_name);

TEST(FrozenLayers, GetExactlyZeroInEveryModeAndWiring) {
  const Batch batch = make_batch(22, kImages, kTwoLayerInput, kClasses);
  for (const Row& row : kTable) {
    for (GradientMode mode : {GradientMode::barrier, GradientMode::full}) {
      for (int frozen = 0; frozen < 2; ++frozen) {
        SCOPED_TRACE(row.residual + " " + std::string(to_string(mode)) + " QCL" +
                     std::to_string(frozen + 1) + " frozen");
        ModelSpec spec = two_layer_spec(row.residual, mode, HeadKind::dense);
        spec.layers[frozen].trainable = false;
        std::vector<ParameterGroup> groups;
        const auto g = gradient(spec, kTwoLayerInput, batch, groups);
        EXPECT_FALSE(groups[frozen].trainable);
        EXPECT_TRUE(groups.back().trainable);
        const auto gf = group_slice(g, groups[frozen]);
        for (std::size_t j = 0; j < gf.size(); ++j) EXPECT_EQ(gf[j], 0.0) << j;

        // Freezing one group leaves the others' gradients as they were.
        ModelSpec open = two_layer_spec(row.residual, mode, HeadKind::dense);
        const auto g_open = gradient(open, kTwoLayerInput, batch, groups);
        for (std::size_t k = 0; k < groups.size(); ++k) {
          if (static_cast<int>(k) == frozen) continue;
          expect_close(group_slice(g_open, groups[k]), group_slice(g, groups[k]), 1e-14, 1e-12,
                       groups[k].name);
        }
      }
    }
  }
}

TEST(FrozenLayers, PassGradientThroughInFullMode) {
  // QCL2 frozen, plain chain: QCL1's only path to the loss crosses QCL2's
  // encoding, and QCL1's gradient is still the loss's (finite differences).
  const Batch batch = make_batch(23, kImages, kTwoLayerInput, kClasses);
  ModelSpec spec = two_layer_spec("none", GradientMode::full, HeadKind::dense);
  spec.layers[1].trainable = false;
  std::vector<ParameterGroup> groups;
  const auto g = gradient(spec, kTwoLayerInput, batch, groups);
  const auto fd = finite_differences(spec, kTwoLayerInput, batch);
  EXPECT_TRUE(all_exactly_zero(group_slice(g, groups[1])));
  EXPECT_GT(max_abs(group_slice(g, groups[0])), kNonZero);
  expect_close(group_slice(fd, groups[0]), group_slice(g, groups[0]), 1e-6, 1e-6, "QCL1");
  expect_close(group_slice(fd, groups[2]), group_slice(g, groups[2]), 1e-6, 1e-6, "head");
}

TEST(FrozenLayers, PassGradientThroughTwoFrozenLayers) {
  // Three layers, QCL2 and QCL3 frozen, "X+O1" (QCL2 reads X+O1): QCL1
  // reaches the loss through two frozen encodings.
  const Batch batch = make_batch(24, kImages, kTwoLayerInput, kClasses);
  ModelSpec spec = three_layer_spec("X+O1", GradientMode::full, HeadKind::quantum);
  spec.layers[1].trainable = false;
  spec.layers[2].trainable = false;
  std::vector<ParameterGroup> groups;
  const auto g = gradient(spec, kTwoLayerInput, batch, groups);
  const auto fd = finite_differences(spec, kTwoLayerInput, batch);
  EXPECT_TRUE(all_exactly_zero(group_slice(g, groups[1])));
  EXPECT_TRUE(all_exactly_zero(group_slice(g, groups[2])));
  EXPECT_GT(max_abs(group_slice(g, groups[0])), kNonZero);
  expect_close(group_slice(fd, groups[0]), group_slice(g, groups[0]), 1e-6, 1e-6, "QCL1");
  expect_close(group_slice(fd, groups[3]), group_slice(g, groups[3]), 1e-6, 1e-6, "head");
}

TEST(FrozenLayers, BarrierStillFeedsADirectlyReadLayer) {
  // Barrier, "O1+O2", QCL2 frozen: QCL1 keeps its direct path to the head.
  const Batch batch = make_batch(25, kImages, kTwoLayerInput, kClasses);
  ModelSpec spec = two_layer_spec("O1+O2", GradientMode::barrier, HeadKind::dense);
  spec.layers[1].trainable = false;
  std::vector<ParameterGroup> groups;
  const auto g = gradient(spec, kTwoLayerInput, batch, groups);
  EXPECT_TRUE(all_exactly_zero(group_slice(g, groups[1])));
  EXPECT_GT(max_abs(group_slice(g, groups[0])), kNonZero);
}

TEST(FrozenLayers, AllFrozenTrainsOnlyTheHead) {
  const Batch batch = make_batch(26, kImages, kTwoLayerInput, kClasses);
  for (GradientMode mode : {GradientMode::barrier, GradientMode::full}) {
    ModelSpec spec = two_layer_spec("(X+O1)+O2", mode, HeadKind::quantum);
    for (auto& l : spec.layers) l.trainable = false;
    std::vector<ParameterGroup> groups;
    const auto g = gradient(spec, kTwoLayerInput, batch, groups);
    EXPECT_TRUE(all_exactly_zero(group_slice(g, groups[0])));
    EXPECT_TRUE(all_exactly_zero(group_slice(g, groups[1])));
    EXPECT_GT(max_abs(group_slice(g, groups[2])), kNonZero);
    const auto fd = finite_differences(spec, kTwoLayerInput, batch);
    expect_close(group_slice(fd, groups[2]), group_slice(g, groups[2]), 1e-6, 1e-6, "head");
  }
}
