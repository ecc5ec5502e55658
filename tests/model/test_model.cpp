// The Model as a whole: describe(), parameter groups and initialisation,
// the shapes residual sums take, construction and input errors, the heads
// against hand-computed values and the dense oracle, and losses worked out
// by hand.
#include "resqunn/model/head.hpp"
#include "resqunn/model/model.hpp"

#include "dense_reference.hpp"
#include "model_builders.hpp"
#include "model_test_support.hpp"
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <utility>
#include <vector>

using namespace resqunn::model;
using namespace resqunn::model::test;
namespace q = resqunn::quantum;
namespace ref = resqunn::quantum::reference;

namespace {

void expect_contains(const std::string& text, const std::string& piece) {
  EXPECT_NE(text.find(piece), std::string::npos) << "missing \"" << piece << "\" in:\n" << text;
}

}  // namespace

// ---- structure ---------------------------------------------------------------

TEST(ModelStructure, DescribeNamesLayersShapesAndCounts) {
  ModelSpec spec = two_layer_spec("X+O1", GradientMode::barrier, HeadKind::dense);
  spec.layers[1].trainable = false;
  const Model m(spec, kTwoLayerInput, 3);
  const std::string d = m.describe();
  expect_contains(d, "input X: 1x4x4, 3 classes");
  expect_contains(d, "residual: X+O1 (gradient mode barrier)");
  expect_contains(d, "QCL1: reads X (1x4x4) -> O1 (4x2x2); 2x2 window, stride 2, valid, 4 qubits");
  expect_contains(d, "angle encoding, paper depth 1, channels mean, 4 circuits/image, 8 weights\n");
  expect_contains(d, "QCL2: reads X+O1 (4x2x2) -> O2 (4x2x2); 2x2 window, stride 1, same");
  expect_contains(d, "16 circuits/image, 8 weights (frozen)\n");
  // 16 features x 3 classes + 3 biases.
  expect_contains(d, "head: reads O2 (4x2x2); dense 16 -> 3 (softmax), 51 weights");
  expect_contains(d, "parameters: 67 (QCL1 8, QCL2 8, head 51)");

  const Model qm(two_layer_spec("O1+O2", GradientMode::full, HeadKind::quantum), kTwoLayerInput, 3);
  const std::string qd = qm.describe();
  expect_contains(qd, "residual: O1+O2 (gradient mode full)");
  // 16 features on 4 qubits; paper depth 2 = 2 x 2 x 4 = 16 weights.
  expect_contains(qd,
                  "head: reads O1+O2 (4x2x2); quantum 16 features -> amplitude encoding on 4 "
                  "qubits, paper depth 2, P(first 2 qubits) -> 3 classes, 16 weights");
  expect_contains(qd, "parameters: 32 (QCL1 8, QCL2 8, head 16)");
}

TEST(ModelStructure, ParameterGroupsAreLaidOutInOrder) {
  // Weights per ansatz: paper 2nd, basic-entangler nd, strongly-entangling 3nd.
  ModelSpec spec;
  spec.layers = {quanv(2, 2, Padding::valid, ChannelMode::mean, q::Encoding::angle,
                       q::Ansatz::basic_entangler, 3),  // 4 qubits: 12
                 quanv(2, 1, Padding::same, ChannelMode::mean, q::Encoding::amplitude,
                       q::Ansatz::strongly_entangling, 2),  // 2 qubits: 12
                 quanv(1, 1, Padding::valid, ChannelMode::mean, q::Encoding::angle,
                       q::Ansatz::paper, 3)};  // 1 qubit: 6
  spec.layers[1].trainable = false;
  spec.residual = "X+O2";
  const Model m(spec, {1, 6, 6}, 4);
  // Shapes: O1 4x3x3, O2 2x3x3, QCL3 reads X+O2 at 2x3x3 -> O3 1x3x3; head 9 features.
  EXPECT_EQ(m.layer(0).output_shape(), (Shape{4, 3, 3}));
  EXPECT_EQ(m.layer(1).output_shape(), (Shape{2, 3, 3}));
  EXPECT_EQ(m.consumer_shape(2), (Shape{2, 3, 3}));
  EXPECT_EQ(m.layer(2).output_shape(), (Shape{1, 3, 3}));
  EXPECT_EQ(m.consumer_shape(3), (Shape{1, 3, 3}));
  const auto& g = m.groups();
  ASSERT_EQ(g.size(), 4u);
  const std::vector<std::string> names = {"QCL1", "QCL2", "QCL3", "head"};
  const std::vector<int> offsets = {0, 12, 24, 30}, counts = {12, 12, 6, 9 * 4 + 4};
  for (std::size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(g[k].name, names[k]);
    EXPECT_EQ(g[k].offset, offsets[k]) << names[k];
    EXPECT_EQ(g[k].count, counts[k]) << names[k];
    EXPECT_EQ(g[k].trainable, k != 1) << names[k];
  }
  EXPECT_EQ(m.parameter_count(), 30 + 40);
  EXPECT_EQ(m.layers(), 3);
  EXPECT_EQ(m.classes(), 4);
  EXPECT_EQ(m.input_shape(), (Shape{1, 6, 6}));
}

TEST(ModelStructure, ConsumerShapesFollowTheWiring) {
  struct Case {
    std::string residual;
    std::vector<Shape> consumers;  // QCL1, QCL2, head
  };
  // Two layers on 1x4x4: O1 4x2x2, O2 4x2x2 (padding same).
  const Case cases[] = {
      {"none", {{1, 4, 4}, {4, 2, 2}, {4, 2, 2}}},
      {"X+O1", {{1, 4, 4}, {4, 2, 2}, {4, 2, 2}}},
      {"X+O2", {{1, 4, 4}, {4, 2, 2}, {4, 2, 2}}},
  };
  for (const Case& c : cases) {
    const Model m(two_layer_spec(c.residual, GradientMode::full, HeadKind::dense), kTwoLayerInput,
                  2);
    for (int k = 0; k < 3; ++k) EXPECT_EQ(m.consumer_shape(k), c.consumers[k]) << c.residual << k;
    EXPECT_EQ(m.wiring().sources, parse_residual(c.residual, 2).sources);
  }
  // Three layers on 1x4x4: O3 is 4x1x1, so sums with O3 shrink to 1x1.
  const Model m3(three_layer_spec("((X+O1)+O2)+O3", GradientMode::full, HeadKind::dense),
                 kTwoLayerInput, 2);
  EXPECT_EQ(m3.consumer_shape(1), (Shape{4, 2, 2}));
  EXPECT_EQ(m3.consumer_shape(2), (Shape{4, 2, 2}));
  EXPECT_EQ(m3.consumer_shape(3), (Shape{4, 1, 1}));
  EXPECT_EQ(m3.groups().back().count, 4 * 2 + 2);
}

TEST(ModelStructure, InitialParametersAreSeeded) {
  const ModelSpec spec = two_layer_spec("O1+O2", GradientMode::barrier, HeadKind::dense);
  const Model a(spec, kTwoLayerInput, 3), b(spec, kTwoLayerInput, 3);
  const std::vector<double> pa = a.initial_parameters();
  EXPECT_EQ(pa, b.initial_parameters());
  EXPECT_EQ(pa, a.initial_parameters());

  ModelSpec other = spec;
  other.seed = spec.seed + 1;
  const std::vector<double> pc = Model(other, kTwoLayerInput, 3).initial_parameters();
  ASSERT_EQ(pc.size(), pa.size());
  for (const ParameterGroup& g : a.groups()) {
    const auto sa = group_slice(pa, g), sc = group_slice(pc, g);
    if (g.name == "head") {
      // Only the weight matrix is random; the biases start at zero.
      EXPECT_NE(std::vector<double>(sa.begin(), sa.end() - 3),
                std::vector<double>(sc.begin(), sc.end() - 3));
    } else {
      EXPECT_NE(sa, sc) << g.name;
    }
  }

  // Quanvolution weights uniform in [0, 2 pi); no two layers alike.
  for (std::size_t k = 0; k < 2; ++k) {
    const auto w = group_slice(pa, a.groups()[k]);
    for (double v : w) {
      EXPECT_GE(v, 0.0);
      EXPECT_LT(v, 2.0 * kPi);
    }
  }
  EXPECT_NE(group_slice(pa, a.groups()[0]), group_slice(pa, a.groups()[1]));

  // Dense head: Glorot-uniform W (16 features, 3 classes), zero biases.
  const auto head = group_slice(pa, a.groups().back());
  const double limit = std::sqrt(6.0 / (16 + 3));
  for (int j = 0; j < 48; ++j) EXPECT_LE(std::abs(head[j]), limit) << j;
  EXPECT_GT(max_abs(std::vector<double>(head.begin(), head.begin() + 48)), 0.5 * limit);
  for (int c = 0; c < 3; ++c) EXPECT_EQ(head[48 + c], 0.0);

  // Each group draws from its own stream: the layers' weights do not depend
  // on the head or the wiring.
  const Model qm(two_layer_spec("X+O1", GradientMode::full, HeadKind::quantum), kTwoLayerInput, 3);
  const auto pq = qm.initial_parameters();
  for (std::size_t k = 0; k < 2; ++k) {
    EXPECT_EQ(group_slice(pq, qm.groups()[k]), group_slice(pa, a.groups()[k]));
  }
  for (double v : group_slice(pq, qm.groups().back())) {
    EXPECT_GE(v, 0.0);
    EXPECT_LT(v, 2.0 * kPi);
  }
}

TEST(ModelStructure, MovedModelKeepsWorking) {
  Model a(two_layer_spec("O1+O2", GradientMode::full, HeadKind::quantum), kTwoLayerInput, 3);
  const Batch batch = make_batch(1, 2, kTwoLayerInput, 3);
  const auto p = a.initial_parameters();
  const double loss = a.evaluate(batch.x, batch.labels, p).loss_sum;
  Model b(std::move(a));
  EXPECT_EQ(b.evaluate(batch.x, batch.labels, p).loss_sum, loss);
}

// ---- errors ------------------------------------------------------------------

TEST(ModelErrors, WindowLargerThanTheInput) {
  ModelSpec spec;
  spec.layers = {quanv(3, 1)};
  expect_usage_error(
      [&] {
        Model m(spec, {1, 2, 2}, 2);
      },
      {"model.layers[0]", "a 3-pixel window does not fit a 2-pixel input",
       "fix:", "padding = \"same\""});
  // The second layer sees QCL1's 2x2 output.
  spec.layers = {quanv(2, 2), quanv(3, 1)};
  expect_usage_error(
      [&] {
        Model m(spec, {1, 4, 4}, 2);
      },
      {"model.layers[1]", "3-pixel window does not fit a 2-pixel input", "fix:"});
}

TEST(ModelErrors, QuantumHeadFeatureLimits) {
  ModelSpec spec;
  spec.layers = {quanv(1, 1)};  // one qubit per pixel: 1 x 65 x 65 = 4225 features
  spec.head.kind = HeadKind::quantum;
  expect_usage_error(
      [&] {
        Model m(spec, {1, 65, 65}, 2);
      },
      {"13 qubits", "4225 features", "4096", "dense"});
  // 64 x 64 = 4096 features fit 12 qubits exactly.
  const Model ok(spec, {1, 64, 64}, 2);
  EXPECT_NE(ok.describe().find("amplitude encoding on 12 qubits"), std::string::npos);
  // Two features are one qubit: too few for three classes.
  expect_usage_error([&] { Model m(spec, {1, 1, 2}, 3); }, {"too few for 3 classes"});
  const Model two(spec, {1, 1, 2}, 2);
  EXPECT_EQ(two.groups().back().count, 2 * 2);  // paper depth 2 on 1 qubit
}

TEST(ModelErrors, ChannelMismatchNamesTheSum) {
  // O1 is 4x2x2 (mean); O2 stacks 4 qubits x 4 channels = 16x2x2.
  ModelSpec spec;
  spec.layers = {quanv(2, 2), quanv(2, 1, Padding::same, ChannelMode::stack)};
  spec.residual = "O1+O2";
  expect_usage_error(
      [&] {
        Model m(spec, {1, 4, 4}, 2);
      },
      {"residual O1+O2 (input of head)", "cannot add O1 (4x2x2) to a 16-channel sum",
       "channel_mode"});
  // A layer input: X has 2 channels, O1 stacks to 8.
  spec.layers = {quanv(2, 2, Padding::valid, ChannelMode::stack), quanv(1, 1)};
  spec.residual = "X+O1";
  expect_usage_error(
      [&] {
        Model m(spec, {2, 4, 4}, 2);
      },
      {"residual X+O1 (input of QCL2)", "cannot add X (2x4x4) to a 8-channel sum"});
}

TEST(ModelErrors, InvalidSpecs) {
  ModelSpec spec;
  expect_usage_error([&] { Model m(spec, {1, 4, 4}, 2); }, {"no quanvolution layers"});
  spec.layers = {quanv(4, 1)};
  expect_usage_error([&] { Model m(spec, {1, 8, 8}, 2); }, {"model.layers[0]", "16 qubits"});
  spec.layers = {quanv(2, 2), quanv(2, 1)};
  spec.residual = "X+O3";
  expect_usage_error([&] { Model m(spec, {1, 4, 4}, 2); }, {"expected O1..O2", "at column 3"});
  spec.residual = "none";
  spec.head.depth = 0;
  expect_usage_error([&] { Model m(spec, {1, 4, 4}, 2); }, {"model.head.depth = 0"});
  spec.head.depth = 2;
  expect_usage_error([&] { Model m(spec, {1, 4, 4}, 1); }, {"at least 2 classes"});
}

TEST(ModelErrors, BadBatches) {
  Model m(two_layer_spec("none", GradientMode::full, HeadKind::dense), kTwoLayerInput, 3);
  const auto p = m.initial_parameters();
  const Batch ok = make_batch(1, 2, kTwoLayerInput, 3);
  const Batch wrong_shape = make_batch(1, 2, {1, 5, 5}, 3);
  expect_usage_error([&] { m.evaluate(wrong_shape.x, wrong_shape.labels, p); },
                     {"model input is 1x5x5", "built for 1x4x4"});
  std::vector<double> short_p(p.begin(), p.end() - 1);
  expect_usage_error(
      [&] { m.evaluate(ok.x, ok.labels, short_p); },
      {"got " + std::to_string(p.size() - 1) + " parameters", "has " + std::to_string(p.size())});
  expect_usage_error([&] { m.evaluate(ok.x, {0}, p); }, {"got 1 labels for 2 images"});
  expect_usage_error([&] { m.evaluate(ok.x, {0, 3}, p); }, {"label 3 out of range"});
  std::vector<double> g;
  expect_usage_error(
      [&] {
        m.loss_and_gradient(ok.x, {-1, 0}, p, 1.0, g);
      },
      {"label -1 out of range"});
}

// ---- heads -------------------------------------------------------------------

TEST(Heads, DenseByHand) {
  auto head = make_head(head_spec(HeadKind::dense), {1, 1, 2}, 3);
  ASSERT_EQ(head->weight_count(), 3 * 2 + 3);
  // W = [[1, 2], [0, -1], [3, 0]] (row per class), b = [0.5, 0, -1].
  const std::vector<double> w = {1, 2, 0, -1, 3, 0, 0.5, 0, -1};
  Tensor f(2, {1, 1, 2});
  f.data = {1.0, 2.0, -1.0, 0.5};
  std::vector<double> logits;
  head->forward(f, w.data(), logits);
  EXPECT_EQ(logits, (std::vector<double>{5.5, -2.0, 2.0, 0.5, -0.5, -4.0}));

  // dL/dW = g f^T, dL/db = g, dL/df = W^T g.
  const std::vector<double> dlogits = {1, 0, -1, 0, 2, 0};
  std::vector<double> dw(9, 0.0);
  Tensor df(2, {1, 1, 2});
  head->backward(f, w.data(), dlogits, dw.data(), &df);
  EXPECT_EQ(dw, (std::vector<double>{1, 2, -2, 1, -1, -2, 1, 2, -1}));
  EXPECT_EQ(df.data, (std::vector<double>{-2, 2, 0, -2}));
  EXPECT_NE(head->describe().find("dense 2 -> 3"), std::string::npos) << head->describe();
}

TEST(Heads, QuantumMatchesDenseReference) {
  // (features, classes): 6 features on 3 qubits with 2 readout qubits;
  // 8 on 3 with 1; 8 on 3 with 3 (5 classes out of 8 basis states).
  const std::vector<std::pair<int, int>> cases = {{6, 3}, {8, 2}, {8, 5}};
  std::mt19937_64 rng(31);
  for (auto [features, classes] : cases) {
    SCOPED_TRACE(std::to_string(features) + " features, " + std::to_string(classes) + " classes");
    auto head = make_head(head_spec(HeadKind::quantum), {1, 1, features}, classes);
    q::CircuitSpec c;
    c.qubits = 3;
    c.encoding = q::Encoding::amplitude;
    c.ansatz = q::Ansatz::paper;
    c.depth = 2;
    c.readout = q::Readout::probabilities;
    c.readout_qubits = classes <= 2 ? 1 : classes <= 4 ? 2 : 3;
    ASSERT_EQ(head->weight_count(), ref::weight_count(c));
    const std::vector<double> w =
        uniform(rng, static_cast<std::size_t>(head->weight_count()), 0.0, 2.0 * kPi);
    const Tensor f = random_tensor(rng, 2, {1, 1, features}, -1.0, 1.0);
    std::vector<double> logits;
    head->forward(f, w.data(), logits);
    ASSERT_EQ(logits.size(), static_cast<std::size_t>(2 * classes));
    for (int i = 0; i < 2; ++i) {
      std::vector<double> amps(8, 0.0);
      std::copy(f.image(i), f.image(i) + features, amps.begin());
      const std::vector<double> p = ref::outputs(c, w, amps);
      for (int k = 0; k < classes; ++k) {
        EXPECT_NEAR(logits[i * classes + k], std::log(p[k] + 1e-12), 1e-11) << i << "," << k;
      }
    }
  }
}

// ---- losses by hand ----------------------------------------------------------

TEST(ModelLoss, ZeroDenseHeadGivesUniformSoftmax) {
  for (int classes : {2, 3, 5}) {
    Model m(two_layer_spec("(X+O1)+O2", GradientMode::barrier, HeadKind::dense), kTwoLayerInput,
            classes);
    std::vector<double> p = m.initial_parameters();
    const ParameterGroup& h = m.groups().back();
    std::fill(p.begin() + h.offset, p.begin() + h.offset + h.count, 0.0);
    const int n = 3;
    const Batch batch = make_batch(2, n, kTwoLayerInput, classes);
    const BatchResult r = m.evaluate(batch.x, batch.labels, p);
    EXPECT_NEAR(r.loss_sum, n * std::log(static_cast<double>(classes)), 1e-12);
    // Ties go to the first class.
    EXPECT_EQ(r.predictions, std::vector<int>(n, 0));
    int zeros = 0;
    for (int y : batch.labels) zeros += y == 0;
    EXPECT_EQ(r.correct, zeros);
    std::vector<double> logits;
    m.logits(batch.x, p, logits);
    EXPECT_EQ(logits, std::vector<double>(static_cast<std::size_t>(n) * classes, 0.0));
  }
}

TEST(ModelLoss, BiasOnlyHeadByHand) {
  Model m(two_layer_spec("O1+O2", GradientMode::full, HeadKind::dense), kTwoLayerInput, 3);
  std::vector<double> p = m.initial_parameters();
  const ParameterGroup& h = m.groups().back();
  std::fill(p.begin() + h.offset, p.begin() + h.offset + h.count, 0.0);
  // Biases are the head's last three weights.
  p[h.offset + h.count - 3] = 1.0;
  p[h.offset + h.count - 2] = 2.0;
  p[h.offset + h.count - 1] = 0.0;
  const Batch batch = make_batch(3, 3, kTwoLayerInput, 3);  // labels 1, 2, 0
  const BatchResult r = m.evaluate(batch.x, batch.labels, p);
  const double lse = std::log(std::exp(1.0) + std::exp(2.0) + 1.0);
  EXPECT_NEAR(r.loss_sum, (lse - 2.0) + (lse - 0.0) + (lse - 1.0), 1e-12);
  EXPECT_EQ(r.predictions, (std::vector<int>{1, 1, 1}));
  EXPECT_EQ(r.correct, 1);
}

TEST(ModelLoss, OneQubitModelByHand) {
  // One layer, 1x1 windows on a 1x1x2 image: RY(pi x) then the paper ansatz
  // RY(a) RX(b) on one qubit, so O1 = cos(pi x + a) cos(b). The head reads
  // X+O1 and is dense: z = W (x + O1) + bias.
  ModelSpec spec;
  spec.layers = {quanv(1, 1)};
  spec.residual = "X+O1";
  spec.gradient_mode = GradientMode::full;
  Model m(spec, {1, 1, 2}, 2);
  ASSERT_EQ(m.parameter_count(), 2 + 2 * 2 + 2);
  const double a = 0.3, b = 0.4;
  const std::vector<double> p = {a, b, /*W*/ 1.0, 0.0, 0.5, -2.0, /*bias*/ 0.1, -0.2};
  Tensor x(2, {1, 1, 2});
  x.data = {0.0, 0.5, 0.25, -0.75};
  const std::vector<int> labels = {1, 0};

  std::vector<double> expected_logits;
  double loss = 0.0;
  std::vector<double> dp(p.size(), 0.0);
  for (int i = 0; i < 2; ++i) {
    double f[2], df_da[2], df_db[2];
    for (int j = 0; j < 2; ++j) {
      const double t = kPi * x.data[2 * i + j] + a;
      f[j] = x.data[2 * i + j] + std::cos(t) * std::cos(b);
      df_da[j] = -std::sin(t) * std::cos(b);
      df_db[j] = -std::cos(t) * std::sin(b);
    }
    const double z0 = 1.0 * f[0] + 0.0 * f[1] + 0.1;
    const double z1 = 0.5 * f[0] - 2.0 * f[1] - 0.2;
    expected_logits.insert(expected_logits.end(), {z0, z1});
    const double lse = std::log(std::exp(z0) + std::exp(z1));
    loss += lse - (labels[i] == 0 ? z0 : z1);
    // dL/dz = softmax - onehot; dL/df = W^T dL/dz; then the chain rule.
    const double g0 = std::exp(z0 - lse) - (labels[i] == 0),
                 g1 = std::exp(z1 - lse) - (labels[i] == 1);
    const double gf[2] = {1.0 * g0 + 0.5 * g1, 0.0 * g0 - 2.0 * g1};
    dp[0] += gf[0] * df_da[0] + gf[1] * df_da[1];
    dp[1] += gf[0] * df_db[0] + gf[1] * df_db[1];
    dp[2] += g0 * f[0];
    dp[3] += g0 * f[1];
    dp[4] += g1 * f[0];
    dp[5] += g1 * f[1];
    dp[6] += g0;
    dp[7] += g1;
  }

  std::vector<double> logits;
  m.logits(x, p, logits);
  expect_close(expected_logits, logits, 1e-14, 1e-14, "logits");
  std::vector<double> grad;
  const BatchResult r = m.loss_and_gradient(x, labels, p, 1.0, grad);
  EXPECT_NEAR(r.loss_sum, loss, 1e-13);
  expect_close(dp, grad, 1e-13, 1e-12, "gradient");
}
