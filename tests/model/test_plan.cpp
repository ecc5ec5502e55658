// plan_model against hand-worked plans: shapes, padding, circuits, gate and
// circuit counts, parameter groups, gradient flags and errors. Every
// expected value below is derived by hand in the comments from the rules in
// docs/model.md and the header comments (plan.hpp, spec.hpp, circuit.hpp,
// residual.hpp, align.hpp), not read back from the implementation. One test
// checks that Model builds exactly what the plan describes.
#include "resqunn/core/error.hpp"
#include "resqunn/model/model.hpp"
#include "resqunn/model/plan.hpp"
#include "resqunn/quantum/circuit.hpp"

#include "model_builders.hpp"
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

using namespace resqunn::model;
namespace q = resqunn::quantum;
using resqunn::model::test::quanv;

namespace {

ModelSpec model(std::vector<QuanvSpec> layers, const std::string& residual = "none",
                GradientMode mode = GradientMode::barrier, HeadKind head = HeadKind::dense) {
  ModelSpec m;
  m.layers = std::move(layers);
  m.residual = residual;
  m.gradient_mode = mode;
  m.head.kind = head;
  return m;
}

// The UsageError `call` throws (a failure if it throws nothing or another type).
resqunn::UsageError usage_error(const std::function<void()>& call) {
  try {
    call();
  } catch (const resqunn::UsageError& e) {
    return e;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected UsageError, got: " << e.what();
    return resqunn::UsageError("<other exception>");
  }
  ADD_FAILURE() << "expected UsageError, nothing was thrown";
  return resqunn::UsageError("<nothing thrown>");
}

void expect_contains(const std::string& text, const std::string& piece) {
  EXPECT_NE(text.find(piece), std::string::npos) << "missing \"" << piece << "\" in:\n" << text;
}

}  // namespace

// ---- shapes, circuits and counts ---------------------------------------------

TEST(ModelPlan, DefaultLayersOn14x14) {
  // X = 1x14x14; two default layers (2x2 window, stride 2, valid, angle,
  // paper ansatz, channels mean), depths 1 and 2; dense head, 10 classes.
  //  QCL1: (14 - 2) / 2 + 1 = 7 -> O1 = 4x7x7 (4 qubits = 4 channels);
  //        7 * 7 = 49 patches x 1 channel = 49 circuits/image.
  //  QCL2: reads O1 (4x7x7): (7 - 2) / 2 + 1 = 3 -> O2 = 4x3x3;
  //        9 patches x 4 channels (mean runs per channel) = 36 circuits.
  //  Gates (angle, 4 qubits, paper depth D): 4 RY encodings + D x (4 RY +
  //  4 RX + CNOT ring (0,1) (1,2) (2,3) (3,0) = 4) + 1 readout:
  //        D = 1: 4 + 12 + 1 = 17;  D = 2: 4 + 24 + 1 = 29.
  //  Weights (paper: 2 n per depth layer): 8 and 16.
  //  Head: 4 * 3 * 3 = 36 features; 10 x 36 + 10 = 370 weights.
  //  Groups: QCL1 [0, 8), QCL2 [8, 24), head [24, 394).
  const ModelPlan p =
      plan_model(model({quanv(2, 2), quanv(2, 2, Padding::valid, ChannelMode::mean,
                                           q::Encoding::angle, q::Ansatz::paper, 2)}),
                 {1, 14, 14}, 10);
  ASSERT_EQ(p.layers.size(), 2u);
  EXPECT_EQ(p.input, (Shape{1, 14, 14}));
  EXPECT_EQ(p.classes, 10);

  const LayerPlan& l1 = p.layers[0];
  EXPECT_EQ(l1.name, "QCL1");
  EXPECT_EQ(l1.where, "model.layers[0]");
  EXPECT_EQ(l1.input, (Shape{1, 14, 14}));
  EXPECT_EQ(l1.output, (Shape{4, 7, 7}));
  EXPECT_EQ(l1.pad_top, 0);
  EXPECT_EQ(l1.pad_left, 0);
  EXPECT_EQ(l1.circuits_per_image, 49);
  EXPECT_EQ(l1.gates, 17);
  EXPECT_EQ(l1.circuit.qubits, 4);
  EXPECT_EQ(l1.circuit.encoding, q::Encoding::angle);
  EXPECT_EQ(l1.circuit.readout, q::Readout::expval_z);
  EXPECT_EQ(l1.circuit.depth, 1);

  const LayerPlan& l2 = p.layers[1];
  EXPECT_EQ(l2.name, "QCL2");
  EXPECT_EQ(l2.where, "model.layers[1]");
  EXPECT_EQ(l2.input, (Shape{4, 7, 7}));
  EXPECT_EQ(l2.output, (Shape{4, 3, 3}));
  EXPECT_EQ(l2.circuits_per_image, 36);
  EXPECT_EQ(l2.gates, 29);

  EXPECT_EQ(p.head.input, (Shape{4, 3, 3}));
  EXPECT_EQ(p.head.features, 36);
  EXPECT_EQ(p.head.classes, 10);
  EXPECT_EQ(p.head.weights, 370);
  EXPECT_EQ(describe(p.head), "dense 36 -> 10 (softmax)");

  ASSERT_EQ(p.groups.size(), 3u);
  const std::vector<std::string> names = {"QCL1", "QCL2", "head"};
  const std::vector<int> offsets = {0, 8, 24};
  const std::vector<int> counts = {8, 16, 370};
  for (std::size_t g = 0; g < 3; ++g) {
    EXPECT_EQ(p.groups[g].name, names[g]);
    EXPECT_EQ(p.groups[g].offset, offsets[g]) << names[g];
    EXPECT_EQ(p.groups[g].count, counts[g]) << names[g];
    EXPECT_TRUE(p.groups[g].trainable) << names[g];
  }
  EXPECT_EQ(p.parameter_count(), 394);
  EXPECT_EQ(p.node_shape(0), (Shape{1, 14, 14}));
  EXPECT_EQ(p.node_shape(1), (Shape{4, 7, 7}));
  EXPECT_EQ(p.node_shape(2), (Shape{4, 3, 3}));
}

TEST(ModelPlan, GateCountsAgreeWithTheAnsatzGateList) {
  // Paper ansatz on 4 qubits: per depth layer 4 RY, 4 RX, 4 CNOT (ring).
  // The plan's count is 4 encodings + that list + 1 readout.
  for (int depth : {1, 2, 3, 5}) {
    SCOPED_TRACE("depth " + std::to_string(depth));
    const ModelPlan p = plan_model(model({quanv(2, 2, Padding::valid, ChannelMode::mean,
                                                q::Encoding::angle, q::Ansatz::paper, depth)}),
                                   {1, 4, 4}, 2);
    const auto gates = q::ansatz_gates(p.layers[0].circuit);
    int ry = 0, rx = 0, cnot = 0;
    for (const q::Gate& g : gates) {
      ry += g.kind == q::GateKind::ry;
      rx += g.kind == q::GateKind::rx;
      cnot += g.kind == q::GateKind::cnot;
    }
    EXPECT_EQ(ry, 4 * depth);
    EXPECT_EQ(rx, 4 * depth);
    EXPECT_EQ(cnot, 4 * depth);
    EXPECT_EQ(static_cast<int>(gates.size()), 12 * depth);
    EXPECT_EQ(p.layers[0].gates, 4 + 12 * depth + 1);
    EXPECT_EQ(p.groups[0].count, 8 * depth);
  }
}

TEST(ModelPlan, GateCountsOfOtherAnsatzes) {
  // 2x2 angle window = 4 qubits.
  //  basic-entangler depth 2: 2 x (4 RX + 4 CNOT) = 16; 4 + 16 + 1 = 21;
  //    weights n per layer = 8.
  //  strongly-entangling depth 1: 4 x (RZ RY RZ) = 12 + 4 CNOT = 16;
  //    4 + 16 + 1 = 21; weights 3 n per layer = 12.
  const ModelPlan be = plan_model(model({quanv(2, 2, Padding::valid, ChannelMode::mean,
                                               q::Encoding::angle, q::Ansatz::basic_entangler, 2)}),
                                  {1, 4, 4}, 2);
  EXPECT_EQ(be.layers[0].gates, 21);
  EXPECT_EQ(be.groups[0].count, 8);
  const ModelPlan se =
      plan_model(model({quanv(2, 2, Padding::valid, ChannelMode::mean, q::Encoding::angle,
                              q::Ansatz::strongly_entangling)}),
                 {1, 4, 4}, 2);
  EXPECT_EQ(se.layers[0].gates, 21);
  EXPECT_EQ(se.groups[0].count, 12);
  // One qubit (1x1 window), paper depth 1: RY, RX, no CNOT ring;
  // 1 + 2 + 1 = 4 gates, 2 weights.
  const ModelPlan one = plan_model(model({quanv(1, 1)}), {1, 3, 3}, 2);
  EXPECT_EQ(one.layers[0].circuit.qubits, 1);
  EXPECT_EQ(one.layers[0].gates, 4);
  EXPECT_EQ(one.groups[0].count, 2);
  EXPECT_EQ(one.layers[0].output, (Shape{1, 3, 3}));
}

TEST(ModelPlan, SamePaddingByHand) {
  // same: out = ceil(H / stride); total padding = max(0, (out - 1) * stride
  // + k - H); the leading (top/left) part is floor(total / 2), the odd one
  // at the bottom/right.
  struct Case {
    int kernel, stride, height, width;
    q::Encoding enc;
    int out_h, out_w, pad_top, pad_left;
  };
  const Case cases[] = {
      // k=3 s=3, H=10: out 4, total 3*3+3-10 = 2 -> top 1;
      //          W=8:  out 3, total 2*3+3-8 = 1 -> left 0.
      {3, 3, 10, 8, q::Encoding::angle, 4, 3, 1, 0},
      // k=3 s=3, H=7: out 3, total 6+3-7 = 2 -> 1; W=9: out 3, total 0 -> 0.
      {3, 3, 7, 9, q::Encoding::angle, 3, 3, 1, 0},
      // k=4 (amplitude, 16 pixels -> 4 qubits) s=3, H=10: out 4, total
      // 9+4-10 = 3 -> top 1; W=5: out 2, total 3+4-5 = 2 -> left 1.
      {4, 3, 10, 5, q::Encoding::amplitude, 4, 2, 1, 1},
      // k=2 s=3, H=9: out 3, total 6+2-9 = -1 -> 0; W=10: out 4, total
      // 9+2-10 = 1 -> left 0.
      {2, 3, 9, 10, q::Encoding::angle, 3, 4, 0, 0},
      // k=3 s=1, 2x2: out 2, total 1+3-2 = 2 -> 1 on both axes.
      {3, 1, 2, 2, q::Encoding::angle, 2, 2, 1, 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("k=" + std::to_string(c.kernel) + " s=" + std::to_string(c.stride) + " " +
                 std::to_string(c.height) + "x" + std::to_string(c.width));
    const ModelPlan p =
        plan_model(model({quanv(c.kernel, c.stride, Padding::same, ChannelMode::mean, c.enc)}),
                   {1, c.height, c.width}, 2);
    const LayerPlan& l = p.layers[0];
    EXPECT_EQ(l.output.height, c.out_h);
    EXPECT_EQ(l.output.width, c.out_w);
    EXPECT_EQ(l.pad_top, c.pad_top);
    EXPECT_EQ(l.pad_left, c.pad_left);
    EXPECT_EQ(l.circuits_per_image, static_cast<long>(c.out_h) * c.out_w);
  }
}

TEST(ModelPlan, ValidPaddingWithStrideThatSkipsPixels) {
  // valid, k=2 s=3 on 1x8x7: (8-2)/3+1 = 3 rows, (7-2)/3+1 = 2 columns.
  const ModelPlan p = plan_model(model({quanv(2, 3)}), {1, 8, 7}, 2);
  EXPECT_EQ(p.layers[0].output, (Shape{4, 3, 2}));
  EXPECT_EQ(p.layers[0].pad_top, 0);
  EXPECT_EQ(p.layers[0].pad_left, 0);
  EXPECT_EQ(p.layers[0].circuits_per_image, 6);
}

TEST(ModelPlan, ChannelModesSetOutputChannelsAndCircuits) {
  // X = 3x6x6, 2x2 window stride 2 (4 qubits): 3x3 = 9 patches.
  //  mean:  4 channels, 9 x 3 = 27 circuits; head 4*9 = 36 features.
  //  stack: 3 x 4 = 12 channels, 27 circuits; head 12*9 = 108 features.
  //  pool:  4 channels, 9 circuits (channels averaged first); 36 features.
  struct Case {
    ChannelMode mode;
    int channels;
    long circuits;
    int features;
  };
  const Case cases[] = {{ChannelMode::mean, 4, 27, 36},
                        {ChannelMode::stack, 12, 27, 108},
                        {ChannelMode::pool, 4, 9, 36}};
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(to_string(c.mode)));
    const ModelPlan p = plan_model(model({quanv(2, 2, Padding::valid, c.mode)}), {3, 6, 6}, 10);
    EXPECT_EQ(p.layers[0].output, (Shape{c.channels, 3, 3}));
    EXPECT_EQ(p.layers[0].circuits_per_image, c.circuits);
    EXPECT_EQ(p.head.features, c.features);
    // Dense head: 10 x features + 10.
    EXPECT_EQ(p.head.weights, 10 * c.features + 10);
  }
}

// Stacked channels multiply by the qubits at every layer: 3x3 windows (9
// qubits), padding "same", 5 layers would give 9^5 = 59049 channels. Refused
// with the layer named, before any size overflows (an int held 9^10 badly).
TEST(ModelPlan, StackedChannelsHaveABound) {
  std::vector<QuanvSpec> layers(5, quanv(3, 1, Padding::same, ChannelMode::stack));
  try {
    (void)plan_model(model(layers), {1, 7, 7}, 10);
    FAIL() << "accepted 59049 channels";
  } catch (const resqunn::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("model.layers[4]: channel_mode = \"stack\" would give "
                                         "it 59049 output channels (6561 in x 9 qubits)"),
              std::string::npos)
        << e.what();
  }
  layers.resize(4);  // 9^4 = 6561: allowed
  EXPECT_EQ(plan_model(model(layers), {1, 7, 7}, 10).layers[3].output.channels, 6561);
}

TEST(ModelPlan, AmplitudeEncodingQubits) {
  // amplitude: ceil(log2(k^2)) qubits, at least 1.
  //  k=1: 1 pixel -> 1 qubit; k=2: 4 -> 2; k=3: 9 -> 4 (8 < 9 <= 16);
  //  k=4: 16 -> 4; k=5: 25 -> 5.
  // Gates: 1 state load + paper depth 1 + 1 readout:
  //  2 qubits: 2 RY + 2 RX + 1 CNOT (ring of 2 is one pair) = 5 -> 7;
  //  4 qubits: 12 -> 14.
  const int kernels[] = {1, 2, 3, 4, 5};
  const int qubits[] = {1, 2, 4, 4, 5};
  for (int i = 0; i < 5; ++i) {
    SCOPED_TRACE("kernel " + std::to_string(kernels[i]));
    const ModelPlan p = plan_model(model({quanv(kernels[i], kernels[i], Padding::valid,
                                                ChannelMode::mean, q::Encoding::amplitude)}),
                                   {1, 10, 10}, 2);
    EXPECT_EQ(p.layers[0].circuit.qubits, qubits[i]);
    EXPECT_EQ(p.layers[0].circuit.encoding, q::Encoding::amplitude);
    EXPECT_EQ(p.layers[0].output.channels, qubits[i]);
  }
  // 3x3 window, stride 3 on 1x9x9: 3x3 patches -> O1 = 4x3x3, 9 circuits,
  // 14 gates, 8 weights.
  const ModelPlan p3 =
      plan_model(model({quanv(3, 3, Padding::valid, ChannelMode::mean, q::Encoding::amplitude)}),
                 {1, 9, 9}, 2);
  EXPECT_EQ(p3.layers[0].output, (Shape{4, 3, 3}));
  EXPECT_EQ(p3.layers[0].circuits_per_image, 9);
  EXPECT_EQ(p3.layers[0].gates, 14);
  EXPECT_EQ(p3.groups[0].count, 8);
  const ModelPlan p2 =
      plan_model(model({quanv(2, 2, Padding::valid, ChannelMode::mean, q::Encoding::amplitude)}),
                 {1, 4, 4}, 2);
  EXPECT_EQ(p2.layers[0].gates, 7);
  EXPECT_EQ(p2.groups[0].count, 4);
}

// ---- residual sums -------------------------------------------------------------

TEST(ModelPlan, ResidualSumShapes) {
  // X = 1x14x14, O1 = 4x7x7, O2 = 4x3x3 (two default layers), as long as
  // QCL2 reads a 4x7x7 sum. A sum has the largest channel count and the
  // smallest height and width: X broadcasts 1 -> 4 channels and pools
  // adaptively 14 -> 7 (or 14 -> 3).
  //  "X+O1":       QCL2 reads X+O1 = 4x7x7, head reads O2 = 4x3x3.
  //  "X+O2":       QCL2 reads O1,           head reads X+O2 = 4x3x3.
  //  "O1+O2":      QCL2 reads O1,           head reads O1+O2 = 4x3x3.
  //  "(X+O1)+O2":  QCL2 reads X+O1 = 4x7x7, head reads X+O1+O2 = 4x3x3.
  //  "X+O1+O2":    QCL2 reads O1,           head reads X+O1+O2.
  struct Case {
    std::string residual;
    std::vector<std::vector<int>> sources;
  };
  const Case cases[] = {
      {"none", {{0}, {1}, {2}}},
      {"X+O1", {{0}, {0, 1}, {2}}},
      {"X+O2", {{0}, {1}, {0, 2}}},
      {"O1+O2", {{0}, {1}, {1, 2}}},
      {"(X+O1)+O2", {{0}, {0, 1}, {0, 1, 2}}},
      {"X+O1+O2", {{0}, {1}, {0, 1, 2}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.residual);
    const ModelPlan p = plan_model(model({quanv(2, 2), quanv(2, 2)}, c.residual), {1, 14, 14}, 10);
    EXPECT_EQ(p.wiring.layers, 2);
    EXPECT_EQ(p.wiring.sources, c.sources);
    EXPECT_EQ(p.layers[1].input, (Shape{4, 7, 7}));
    EXPECT_EQ(p.layers[1].output, (Shape{4, 3, 3}));
    EXPECT_EQ(p.head.input, (Shape{4, 3, 3}));
    EXPECT_EQ(p.head.features, 36);
  }
}

TEST(ModelPlan, ResidualSumShrinksTheNextLayer) {
  // 1x8x8, two 2x2/2 valid layers: O1 = 4x4x4; "X+O1" makes QCL2 read
  // 4x4x4 (X broadcast 1 -> 4 and pooled 8 -> 4): O2 = 4x2x2, 4 patches x
  // 4 channels = 16 circuits.
  const ModelPlan p = plan_model(model({quanv(2, 2), quanv(2, 2)}, "X+O1"), {1, 8, 8}, 3);
  EXPECT_EQ(p.layers[1].input, (Shape{4, 4, 4}));
  EXPECT_EQ(p.layers[1].output, (Shape{4, 2, 2}));
  EXPECT_EQ(p.layers[1].circuits_per_image, 16);
  // A stacked first layer on 2 channels: O1 = 8x4x4; "X+O1" broadcasts
  // nothing (X has 2 channels, neither 1 nor 8): an error naming the sum.
  const auto e = usage_error([] {
    (void)plan_model(model({quanv(2, 2, Padding::valid, ChannelMode::stack), quanv(2, 2)}, "X+O1"),
                     {2, 8, 8}, 3);
  });
  expect_contains(e.problem(), "residual X+O1 (input of QCL2)");
  expect_contains(e.problem(), "X (2x8x8)");
}

// ---- heads ---------------------------------------------------------------------

TEST(ModelPlan, QuantumHeadCircuitAndGroups) {
  // Two default layers on 1x14x14 (weights 8 + 8), head reads O2 = 4x3x3:
  // 36 features -> amplitude encoding on ceil(log2 36) = 6 qubits (32 < 36
  // <= 64); 10 classes -> readout of ceil(log2 10) = 4 qubits. Default head
  // is paper depth 2: weights 2 x 6 x 2 = 24; gates 1 load + 2 x (6 RY +
  // 6 RX + 6 CNOT) + 1 readout = 38. Groups: QCL1 [0,8), QCL2 [8,16),
  // head [16,40).
  const ModelPlan p = plan_model(
      model({quanv(2, 2), quanv(2, 2)}, "none", GradientMode::barrier, HeadKind::quantum),
      {1, 14, 14}, 10);
  EXPECT_EQ(p.head.features, 36);
  EXPECT_EQ(p.head.circuit.qubits, 6);
  EXPECT_EQ(p.head.circuit.encoding, q::Encoding::amplitude);
  EXPECT_EQ(p.head.circuit.readout, q::Readout::probabilities);
  EXPECT_EQ(p.head.circuit.readout_qubits, 4);
  EXPECT_EQ(p.head.circuit.depth, 2);
  EXPECT_EQ(p.head.gates, 38);
  EXPECT_EQ(p.head.weights, 24);
  ASSERT_EQ(p.groups.size(), 3u);
  EXPECT_EQ(p.groups[2].name, "head");
  EXPECT_EQ(p.groups[2].offset, 16);
  EXPECT_EQ(p.groups[2].count, 24);
  EXPECT_EQ(p.parameter_count(), 40);
  EXPECT_EQ(describe(p.head),
            "quantum 36 features -> amplitude encoding on 6 qubits, paper depth 2, P(first 4 "
            "qubits) -> 10 classes");
}

TEST(ModelPlan, QuantumHeadFeatureLimit) {
  // One 1x1 angle layer keeps the image size: features = H x W.
  // 64 x 64 = 4096 = 2^12 features fit 12 qubits (kMaxQubits);
  // 65 x 65 = 4225 need 13.
  const ModelSpec spec = model({quanv(1, 1)}, "none", GradientMode::barrier, HeadKind::quantum);
  const ModelPlan ok = plan_model(spec, {1, 64, 64}, 10);
  EXPECT_EQ(ok.head.features, 4096);
  EXPECT_EQ(ok.head.circuit.qubits, 12);
  const auto e = usage_error([&] { (void)plan_model(spec, {1, 65, 65}, 10); });
  expect_contains(e.problem(), "13 qubits");
  expect_contains(e.problem(), "4225 features");
  EXPECT_FALSE(e.fix().empty());
}

TEST(ModelPlan, QuantumHeadNeedsEnoughQubitsForTheClasses) {
  // 1x1x2 image, 1x1 layer: 2 features -> 1 qubit; 2 classes need
  // ceil(log2 2) = 1 readout qubit (fine), 3 classes need 2 (too many).
  const ModelSpec spec = model({quanv(1, 1)}, "none", GradientMode::barrier, HeadKind::quantum);
  const ModelPlan two = plan_model(spec, {1, 1, 2}, 2);
  EXPECT_EQ(two.head.circuit.qubits, 1);
  EXPECT_EQ(two.head.circuit.readout_qubits, 1);
  const auto e = usage_error([&] { (void)plan_model(spec, {1, 1, 2}, 3); });
  expect_contains(e.problem(), "3 classes");
}

TEST(ModelPlan, PlanHeadOnItsOwn) {
  HeadSpec dense;
  const HeadPlan h = plan_head(dense, {4, 3, 3}, 10);
  EXPECT_EQ(h.features, 36);
  EXPECT_EQ(h.weights, 370);
  HeadSpec quantum;
  quantum.kind = HeadKind::quantum;
  quantum.depth = 1;
  // 16 features -> 4 qubits, paper depth 1: 8 weights, 1 + 12 + 1 = 14 gates;
  // 4 classes -> 2 readout qubits.
  const HeadPlan qh = plan_head(quantum, {1, 4, 4}, 4);
  EXPECT_EQ(qh.circuit.qubits, 4);
  EXPECT_EQ(qh.circuit.readout_qubits, 2);
  EXPECT_EQ(qh.weights, 8);
  EXPECT_EQ(qh.gates, 14);
}

// ---- gradient flags ------------------------------------------------------------
//
// The rules (docs/model.md, "Gradient modes"), applied by hand:
//  - output_grad(k): d(loss)/d(O_k) feeds a trainable group: layer k trains,
//    or (full mode only) a layer that O_k depends on wants its gradient.
//  - head.input_grad: the head reads a node whose output_grad is set (the
//    head's input always passes gradients).
//  - barrier: an encoding cuts the gradient, so only layers the head reads
//    directly get one: adjoint(k) = trainable(k) and the head reads O_k;
//    input_grad is never set.
//  - full: input_grad(k) = layer k reads a node whose output_grad is set;
//    adjoint(k) = trainable(k) or input_grad(k).

namespace {

struct Flags {
  bool output_grad, adjoint, input_grad;
};

void expect_flags(const ModelPlan& p, const std::vector<Flags>& layers, bool head_input_grad) {
  ASSERT_EQ(p.layers.size(), layers.size());
  for (std::size_t k = 0; k < layers.size(); ++k) {
    const LayerPlan& l = p.layers[k];
    EXPECT_EQ(l.output_grad, layers[k].output_grad) << l.name << " output_grad";
    EXPECT_EQ(l.adjoint, layers[k].adjoint) << l.name << " adjoint";
    EXPECT_EQ(l.input_grad, layers[k].input_grad) << l.name << " input_grad";
  }
  EXPECT_EQ(p.head.input_grad, head_input_grad) << "head input_grad";
}

// 1x4x4: QCL1 2x2/2 -> 4x2x2, QCL2 2x2/1 same -> 4x2x2, QCL3 2x2/1 valid
// -> 4x1x1: every sum of the nodes aligns.
ModelPlan small_plan(int layers, const std::string& residual, GradientMode mode,
                     std::vector<bool> trainable = {}) {
  std::vector<QuanvSpec> specs = {quanv(2, 2), quanv(2, 1, Padding::same), quanv(2, 1)};
  specs.resize(layers);
  for (std::size_t k = 0; k < trainable.size(); ++k) specs[k].trainable = trainable[k];
  return plan_model(model(specs, residual, mode), {1, 4, 4}, 3);
}

constexpr bool T = true;
constexpr bool F = false;

}  // namespace

TEST(ModelPlanGradients, BarrierTwoLayersAllTrainable) {
  // Both trainable: output_grad {T, T}; the head always reads O2 (trainable)
  // so head.input_grad = T and QCL2 runs its adjoint; QCL1 only when the
  // head reads O1 directly (O1+O2, (X+O1)+O2). No input gradients.
  struct Case {
    std::string residual;
    bool qcl1_adjoint;
  };
  const Case cases[] = {{"none", F},  {"X+O1", F},      {"X+O2", F},
                        {"O1+O2", T}, {"(X+O1)+O2", T}, {"X+O1+O2", T}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.residual);
    expect_flags(small_plan(2, c.residual, GradientMode::barrier),
                 {{T, c.qcl1_adjoint, F}, {T, T, F}}, T);
  }
}

TEST(ModelPlanGradients, FullTwoLayersAllTrainable) {
  // Full: QCL2 reads O1 or X+O1, O1 wants a gradient -> input_grad; both
  // adjoint. QCL1 reads X only: no input gradient.
  for (const char* residual : {"none", "X+O1", "X+O2", "O1+O2", "(X+O1)+O2"}) {
    SCOPED_TRACE(residual);
    expect_flags(small_plan(2, residual, GradientMode::full), {{T, T, F}, {T, T, T}}, T);
  }
}

TEST(ModelPlanGradients, HeadReadsOnlyO2VersusO1AndO2) {
  // "none": head reads O2 only -> barrier: QCL1 gets no adjoint pass.
  expect_flags(small_plan(2, "none", GradientMode::barrier), {{T, F, F}, {T, T, F}}, T);
  // "(X+O1)+O2": head reads X+O1+O2 -> O1 directly -> QCL1 adjoint.
  expect_flags(small_plan(2, "(X+O1)+O2", GradientMode::barrier), {{T, T, F}, {T, T, F}}, T);
}

TEST(ModelPlanGradients, FrozenLayers) {
  {
    SCOPED_TRACE("barrier none, QCL2 frozen");
    // output_grad {T, F}; head reads O2 (not wanted) -> no head input
    // gradient; QCL1 not read by the head; nothing runs an adjoint.
    expect_flags(small_plan(2, "none", GradientMode::barrier, {T, F}), {{T, F, F}, {F, F, F}}, F);
  }
  {
    SCOPED_TRACE("barrier O1+O2, QCL2 frozen");
    // The head reads O1 (wanted): head input gradient, QCL1 adjoint.
    expect_flags(small_plan(2, "O1+O2", GradientMode::barrier, {T, F}), {{T, T, F}, {F, F, F}}, T);
  }
  {
    SCOPED_TRACE("full none, QCL2 frozen");
    // QCL2 is frozen but O2 depends on O1 (wanted): output_grad, and QCL2
    // passes the gradient on (input_grad, adjoint). QCL1 trains.
    expect_flags(small_plan(2, "none", GradientMode::full, {T, F}), {{T, T, F}, {T, T, T}}, T);
  }
  {
    SCOPED_TRACE("full none, QCL1 frozen");
    // O1 wants nothing (frozen, reads X): QCL1 no adjoint, QCL2 no input
    // gradient, but QCL2 trains.
    expect_flags(small_plan(2, "none", GradientMode::full, {F, T}), {{F, F, F}, {T, T, F}}, T);
  }
  {
    SCOPED_TRACE("full (X+O1)+O2, all frozen");
    // Nothing trains but the head: no node wants a gradient.
    expect_flags(small_plan(2, "(X+O1)+O2", GradientMode::full, {F, F}), {{F, F, F}, {F, F, F}}, F);
  }
  {
    SCOPED_TRACE("barrier (X+O1)+O2, all frozen");
    expect_flags(small_plan(2, "(X+O1)+O2", GradientMode::barrier, {F, F}), {{F, F, F}, {F, F, F}},
                 F);
  }
  const ModelPlan p = small_plan(2, "none", GradientMode::barrier, {T, F});
  EXPECT_TRUE(p.groups[0].trainable);
  EXPECT_FALSE(p.groups[1].trainable);
  EXPECT_TRUE(p.groups[2].trainable);
}

TEST(ModelPlanGradients, ThreeLayers) {
  {
    SCOPED_TRACE("full X+O1, QCL2 and QCL3 frozen");
    // QCL2 reads X+O1, QCL3 reads O2, head reads O3. O1 wanted (QCL1
    // trains) -> O2 wanted (depends on O1) -> O3 wanted. QCL3 and QCL2 pass
    // the gradient through (input_grad, adjoint); QCL1 reads X.
    expect_flags(small_plan(3, "X+O1", GradientMode::full, {T, F, F}),
                 {{T, T, F}, {T, T, T}, {T, T, T}}, T);
  }
  {
    SCOPED_TRACE("barrier O1+O3");
    // QCL2 reads O1, QCL3 reads O2, head reads O1+O3: QCL1 and QCL3 adjoint,
    // QCL2 cut off by QCL3's encoding.
    expect_flags(small_plan(3, "O1+O3", GradientMode::barrier), {{T, T, F}, {T, F, F}, {T, T, F}},
                 T);
  }
  {
    SCOPED_TRACE("full O1+O3");
    expect_flags(small_plan(3, "O1+O3", GradientMode::full), {{T, T, F}, {T, T, T}, {T, T, T}}, T);
  }
  {
    SCOPED_TRACE("full X+O3, QCL1 frozen");
    // QCL2 reads O1 (not wanted): no input gradient; QCL3 reads O2
    // (wanted): input gradient; the head reads X+O3.
    expect_flags(small_plan(3, "X+O3", GradientMode::full, {F, T, T}),
                 {{F, F, F}, {T, T, F}, {T, T, T}}, T);
  }
}

// ---- errors --------------------------------------------------------------------

TEST(ModelPlanErrors, WindowThatDoesNotFitNamesTheLayer) {
  // 1x4x4: QCL1 2x2/2 -> 4x2x2; a 3x3 valid window does not fit 2 pixels.
  const auto e = usage_error([] {
    (void)plan_model(model({quanv(2, 2), quanv(3, 1)}), {1, 4, 4}, 2);
  });
  expect_contains(e.problem(), "model.layers[1]");
  expect_contains(e.problem(), "3-pixel window");
  expect_contains(e.problem(), "2-pixel input");
  expect_contains(e.fix(), "same");
  // With padding same it fits (see SamePaddingByHand).
  EXPECT_NO_THROW((void)plan_model(model({quanv(2, 2), quanv(3, 1, Padding::same)}), {1, 4, 4}, 2));
  // Width alone too small: 1x4x1 with a 2x2 window.
  const auto w = usage_error([] { (void)plan_model(model({quanv(2, 2)}), {1, 4, 1}, 2); });
  expect_contains(w.problem(), "model.layers[0]");
}

TEST(ModelPlanErrors, InvalidFieldNamesTheLayer) {
  QuanvSpec bad = quanv(2, 2);
  bad.kernel = 0;
  const auto e = usage_error([&] { (void)plan_model(model({quanv(2, 2), bad}), {1, 8, 8}, 2); });
  expect_contains(e.problem(), "model.layers[1].kernel");
}

TEST(ModelPlanErrors, FewerThanTwoClasses) {
  for (int classes : {1, 0, -3}) {
    SCOPED_TRACE(classes);
    const auto e = usage_error([&] { (void)plan_model(model({quanv(2, 2)}), {1, 4, 4}, classes); });
    expect_contains(e.problem(), "at least 2 classes");
    const auto h = usage_error([&] { (void)plan_head(HeadSpec{}, {1, 4, 4}, classes); });
    expect_contains(h.problem(), "at least 2 classes");
  }
}

TEST(ModelPlanErrors, BadResidualIsAUsageError) {
  const auto e = usage_error([] {
    (void)plan_model(model({quanv(2, 2), quanv(2, 2)}, "O3"), {1, 8, 8}, 2);
  });
  EXPECT_FALSE(e.problem().empty());
}

// ---- Model builds the plan -----------------------------------------------------

TEST(ModelPlanModel, ModelBuildsWhatThePlanDescribes) {
  // 1x6x6, three layers with varied windows, a frozen layer, a quantum
  // head and "(X+O1)+O2;X+O3" in full mode: O1 = 4x3x3; QCL2 reads X+O1
  // (4x3x3, pool) -> 4x3x3; QCL3 reads X+O1+O2 (4x3x3; amplitude 3x3 = 4
  // qubits, stack) -> 16x3x3; the head reads X+O3 = 16x3x3 (144 features).
  ModelSpec spec = model({quanv(2, 2), quanv(2, 1, Padding::same, ChannelMode::pool),
                          quanv(3, 1, Padding::same, ChannelMode::stack, q::Encoding::amplitude)},
                         "(X+O1)+O2;X+O3", GradientMode::full, HeadKind::quantum);
  spec.layers[1].trainable = false;
  const Shape input{1, 6, 6};
  const ModelPlan p = plan_model(spec, input, 3);
  const Model m(spec, input, 3);
  EXPECT_EQ(m.describe(), describe(p));
  ASSERT_EQ(m.layers(), static_cast<int>(p.layers.size()));
  for (int k = 0; k < m.layers(); ++k) {
    SCOPED_TRACE(p.layers[k].name);
    EXPECT_EQ(m.layer(k).input_shape(), p.layers[k].input);
    EXPECT_EQ(m.layer(k).output_shape(), p.layers[k].output);
    EXPECT_EQ(m.consumer_shape(k), p.layers[k].input);
    EXPECT_EQ(m.layer(k).circuits_per_image(), p.layers[k].circuits_per_image);
    EXPECT_EQ(m.layer(k).weight_count(), p.groups[k].count);
  }
  EXPECT_EQ(m.consumer_shape(m.layers()), p.head.input);
  EXPECT_EQ(m.parameter_count(), p.parameter_count());
  ASSERT_EQ(m.groups().size(), p.groups.size());
  for (std::size_t g = 0; g < p.groups.size(); ++g) {
    EXPECT_EQ(m.groups()[g].name, p.groups[g].name);
    EXPECT_EQ(m.groups()[g].offset, p.groups[g].offset);
    EXPECT_EQ(m.groups()[g].count, p.groups[g].count);
    EXPECT_EQ(m.groups()[g].trainable, p.groups[g].trainable);
  }
  EXPECT_EQ(static_cast<int>(m.initial_parameters().size()), p.parameter_count());
  // The hand-worked shapes above.
  EXPECT_EQ(p.layers[1].input, (Shape{4, 3, 3}));
  EXPECT_EQ(p.layers[2].input, (Shape{4, 3, 3}));
  EXPECT_EQ(p.layers[2].output, (Shape{16, 3, 3}));
  EXPECT_EQ(p.head.features, 144);
}

// The evaluator of each circuit: what the spec names, or (auto) the cheaper
// by quantum::evaluator_costs for a step of kImagesPerStep images; never
// left automatic. Compiled where it cannot fit is an error naming the layer.
// A layer that passes a gradient to its input (full mode, a trainable layer
// before it) is costed with input gradients; in barrier mode without: the
// compiled VJP's estimate drops, the state vector's does not.
TEST(Plan, CostsVjpsWithoutInputGradientsWhereNoneAreNeeded) {
  const ModelSpec full = model({quanv(2, 2), quanv(2, 1)}, "none", GradientMode::full);
  const ModelSpec barrier = model({quanv(2, 2), quanv(2, 1)}, "none", GradientMode::barrier);
  const ModelPlan f = plan_model(full, {1, 8, 8}, 4), b = plan_model(barrier, {1, 8, 8}, 4);
  ASSERT_TRUE(f.layers[1].input_grad);
  ASSERT_FALSE(b.layers[1].input_grad);
  EXPECT_LT(b.layers[1].costs.compiled_ns, f.layers[1].costs.compiled_ns);
  EXPECT_DOUBLE_EQ(b.layers[1].costs.statevector_ns, f.layers[1].costs.statevector_ns);
  const q::EvaluatorCosts none = q::evaluator_costs(
      b.layers[1].circuit, b.layers[1].circuits_per_image * kImagesPerStep, false);
  EXPECT_DOUBLE_EQ(b.layers[1].costs.compiled_ns, none.compiled_ns);
}

TEST(Plan, ChoosesAnEvaluatorPerCircuit) {
  ModelSpec spec =
      model({quanv(2, 2), quanv(2, 2)}, "none", GradientMode::barrier, HeadKind::quantum);
  spec.layers[0].evaluator = q::Evaluator::compiled;
  spec.layers[1].evaluator = q::Evaluator::statevector;
  const ModelPlan p = plan_model(spec, {1, 8, 8}, 4);
  EXPECT_EQ(p.layers[0].circuit.evaluator, q::Evaluator::compiled);
  EXPECT_EQ(p.layers[1].circuit.evaluator, q::Evaluator::statevector);
  EXPECT_NE(p.head.circuit.evaluator, q::Evaluator::automatic);
  EXPECT_TRUE(p.layers[0].costs.compiled_fits);
  // auto: the cheaper by the same estimates, for the layer's call size and
  // its VJPs (without input gradients here: its input is data).
  spec.layers[0].evaluator = q::Evaluator::automatic;
  const ModelPlan a = plan_model(spec, {1, 8, 8}, 4);
  EXPECT_FALSE(a.layers[0].input_grad);
  const q::EvaluatorCosts c = q::evaluator_costs(
      a.layers[0].circuit, a.layers[0].circuits_per_image * kImagesPerStep, false);
  EXPECT_EQ(a.layers[0].circuit.evaluator,
            c.compiled_ns < c.statevector_ns ? q::Evaluator::compiled : q::Evaluator::statevector);
  EXPECT_DOUBLE_EQ(a.layers[0].costs.compiled_ns, c.compiled_ns);
  EXPECT_NE(describe(a).find("evaluator "), std::string::npos);
  // A 3x3 angle window (9 qubits, expval-z) fits the compiled evaluator.
  ModelSpec nine = model({quanv(3, 3)});
  nine.layers[0].evaluator = q::Evaluator::compiled;
  EXPECT_TRUE(plan_model(nine, {1, 9, 9}, 2).layers[0].costs.compiled_fits);
  // A quantum head over 4x32x32 = 4096 features needs 12 qubits: beyond the
  // compiled evaluator's 10, so asking for it is an error naming the head.
  ModelSpec wide = model({quanv(2, 2)}, "none", GradientMode::barrier, HeadKind::quantum);
  wide.head.evaluator = q::Evaluator::compiled;
  const std::string e = usage_error([&] { (void)plan_model(wide, {1, 64, 64}, 10); }).what();
  EXPECT_NE(e.find("model.head.evaluator = \"compiled\" does not fit"), std::string::npos) << e;
  EXPECT_NE(e.find("statevector"), std::string::npos) << e;
  wide.head.evaluator = q::Evaluator::automatic;
  EXPECT_EQ(plan_model(wide, {1, 64, 64}, 10).head.circuit.evaluator, q::Evaluator::statevector);
}
