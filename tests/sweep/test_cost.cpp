// The cost model's qualitative order: deeper circuits, more qubits, more
// images, more epochs and trainable layers cost more; frozen layers and the
// barrier cost less; images and epochs scale it exactly.
#include "resqunn/config/run_config.hpp"
#include "resqunn/core/error.hpp"
#include "resqunn/sweep/cost.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace resqunn;

config::RunConfig parse(const std::string& text) {
  return config::parse_run_config(text, "c.toml");
}

double cost(const std::string& text) { return sweep::estimate_cost(parse(text)).total; }

const std::string kTwoLayers = "[model]\ndepths = [1, 1]\nresidual = \"(X+O1)+O2\"\n";

TEST(SweepCost, DeeperCircuitsCostMore) {
  // On the state vector every gate costs: depth 4 is more than twice depth 1.
  const std::string sv = "[model.quanv]\nevaluator = \"statevector\"\n";
  const double shallow = cost("[model]\ndepths = [1, 1]\n" + sv);
  const double deep = cost("[model]\ndepths = [4, 4]\n" + sv);
  EXPECT_GT(deep, 2.0 * shallow);
  // auto may take the compiled evaluator, whose cost barely grows with depth
  // (quantum/evaluator_cost.hpp): never dearer than the state vector.
  EXPECT_LE(cost("[model]\ndepths = [4, 4]\n"), deep);
  // One more layer: more circuits, and with full gradients more adjoint passes.
  const std::string full = "gradient_mode = \"full\"\n";
  EXPECT_GT(cost("[model]\ndepths = [1, 1, 1]\n" + full),
            cost("[model]\ndepths = [1, 1]\n" + full));
  // Under the barrier only the layer the head reads trains: a third (small)
  // layer replaces the second's adjoint passes with its own, fewer ones.
  EXPECT_LT(cost("[model]\ndepths = [1, 1, 1]\n"), shallow);
}

TEST(SweepCost, FrozenLayersCostLess) {
  const double trained = cost(kTwoLayers);
  const double frozen = cost(kTwoLayers + "[model.quanv]\ntrainable = false\n");
  EXPECT_LT(frozen, trained);
  // Frozen layers run forward only: a quarter of forward + adjoint, plus the head.
  EXPECT_LT(frozen, 0.5 * trained);
}

TEST(SweepCost, ImagesAndEpochsScaleExactly) {
  const double base = cost("[data]\ntrain = 1000\nvalidation = 250\n[train]\nepochs = 2\n");
  EXPECT_DOUBLE_EQ(cost("[data]\ntrain = 2000\nvalidation = 500\n[train]\nepochs = 2\n"),
                   2.0 * base);
  EXPECT_DOUBLE_EQ(cost("[data]\ntrain = 1000\nvalidation = 250\n[train]\nepochs = 6\n"),
                   3.0 * base);
  // Validation images run forward only: cheaper than training images.
  const double more_train = cost("[data]\ntrain = 1100\nvalidation = 250\n[train]\nepochs = 2\n");
  const double more_val = cost("[data]\ntrain = 1000\nvalidation = 350\n[train]\nepochs = 2\n");
  EXPECT_GT(more_train, more_val);
  EXPECT_GT(more_val, base);
}

TEST(SweepCost, LargerWindowsCostMore) {
  // 3x3 angle-encoded windows: 9 qubits per circuit instead of 4.
  const double k2 = cost("[model.quanv]\nkernel = 2\nstride = 2\n");
  const double k3 = cost("[model.quanv]\nkernel = 3\nstride = 2\n");
  EXPECT_GT(k3, 10.0 * k2);
  // Overlapping windows: more circuits per image.
  EXPECT_GT(cost("[model.quanv]\nkernel = 2\nstride = 1\n"), k2);
}

TEST(SweepCost, BarrierTrainsOnlyLayersTheHeadReads) {
  // "none": the head reads O2 only; with the barrier QCL1 gets no gradient.
  const auto none = sweep::estimate_cost(parse("[model]\ndepths = [1, 1]\nresidual = \"none\"\n"));
  ASSERT_EQ(none.layers.size(), 2u);
  EXPECT_FALSE(none.layers[0].adjoint);
  EXPECT_TRUE(none.layers[1].adjoint);
  const auto sum = sweep::estimate_cost(parse(kTwoLayers));
  EXPECT_TRUE(sum.layers[0].adjoint);
  EXPECT_TRUE(sum.layers[1].adjoint);
  // Full gradients reach QCL1 through QCL2's encoding.
  const auto full = sweep::estimate_cost(
      parse("[model]\ndepths = [1, 1]\nresidual = \"none\"\ngradient_mode = \"full\"\n"));
  EXPECT_TRUE(full.layers[0].adjoint);
  EXPECT_GT(full.total, none.total);
}

TEST(SweepCost, ShapesAndCircuitsOfTheQuickstartModel) {
  // 14x14 -> QCL1 2x2/2 -> 4x7x7; QCL2 reads X+O1 (4x7x7), 2x2/1 same -> 4x7x7.
  // On the state vector (whose units the estimate counts; auto may pick the
  // compiled evaluator, which scales them).
  const auto e = sweep::estimate_cost(parse(kTwoLayers +
                                            "[model.quanv]\nevaluator = \"statevector\"\n"
                                            "[[model.layers]]\nstride = 2\n"
                                            "[[model.layers]]\nstride = 1\npadding = \"same\"\n"));
  ASSERT_EQ(e.layers.size(), 2u);
  EXPECT_EQ(e.layers[0].output.str(), "4x7x7");
  EXPECT_EQ(e.layers[0].circuits_per_image, 49);
  EXPECT_EQ(e.layers[1].input.str(), "4x7x7");
  EXPECT_EQ(e.layers[1].output.str(), "4x7x7");
  EXPECT_EQ(e.layers[1].circuits_per_image, 4 * 49);  // channel_mode mean: per channel
  EXPECT_EQ(e.head_input.str(), "4x7x7");
  // 4 qubits: 4 encoding rotations, 8 rotations + 4 CNOTs per paper layer, 1 readout.
  EXPECT_EQ(e.layers[0].qubits, 4);
  EXPECT_EQ(e.layers[0].gates, 4 + 12 + 1);
  EXPECT_DOUBLE_EQ(e.layers[0].circuit_cost, 16.0 * 17);
  EXPECT_DOUBLE_EQ(e.head_forward, 196.0 * 10);
}

TEST(SweepCost, QuantumHeadIsChecked) {
  const auto e = sweep::estimate_cost(parse("[model.head]\ntype = \"quantum\"\n"));
  EXPECT_GT(e.head_forward, 0.0);
  EXPECT_DOUBLE_EQ(e.head_train, 4.0 * e.head_forward);
  // 28x28 input, 1x1 windows with stride 1: 28*28 features per channel, fine;
  // a stacked 3-layer model exceeds 4096 features.
  EXPECT_THROW(sweep::estimate_cost(parse("[data]\nimage_size = 28\n[model]\ndepths = [1]\n"
                                          "residual = \"X+O1\"\n[model.quanv]\nkernel = 3\n"
                                          "stride = 1\npadding = \"same\"\n[model.head]\n"
                                          "type = \"quantum\"\n")),
               UsageError);
}

TEST(SweepCost, WindowsThatDoNotFitAreUsageErrors) {
  try {
    (void)sweep::estimate_cost(parse("[model]\ndepths = [1, 1, 1, 1]\n"));
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "model.layers[3]: a 2-pixel window does not fit a 1-pixel input"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
