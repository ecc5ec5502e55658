// QuanvLayer against the dense-matrix oracle: each patch is cut out of the
// image here, run through reference::outputs one circuit at a time, and its
// <Z_q> placed into the output channels as the channel mode says. The
// backward pass is checked against central finite differences of
// <upstream, forward(x, w)> in the weights and in every input pixel.
#include "resqunn/model/quanv_layer.hpp"

#include "dense_reference.hpp"
#include "model_test_support.hpp"
#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <random>
#include <string>
#include <vector>

using namespace resqunn::model;
using namespace resqunn::model::test;
namespace q = resqunn::quantum;
namespace ref = resqunn::quantum::reference;

namespace {

constexpr double kForwardTol = 1e-12;
constexpr double kFdStep = 1e-5;
constexpr double kFdAbsTol = 1e-6;
constexpr double kFdRelTol = 1e-6;

struct LayerCase {
  std::string label;
  QuanvSpec spec;
  Shape input;
  int images;
};

void PrintTo(const LayerCase& c, std::ostream* os) { *os << c.label; }

QuanvSpec make_spec(q::Encoding enc, q::GateKind axis, int kernel, int stride, Padding padding,
                    ChannelMode mode, q::Ansatz ansatz, int depth, double scale = kPi) {
  QuanvSpec s;
  s.encoding = enc;
  s.angle_axis = axis;
  s.kernel = kernel;
  s.stride = stride;
  s.padding = padding;
  s.channel_mode = mode;
  s.ansatz = ansatz;
  s.depth = depth;
  s.angle_scale = scale;
  return s;
}

const auto kAngle = q::Encoding::angle;
const auto kAmp = q::Encoding::amplitude;
const auto kRx = q::GateKind::rx;
const auto kRy = q::GateKind::ry;
const auto kPaper = q::Ansatz::paper;
const auto kBasic = q::Ansatz::basic_entangler;
const auto kStrong = q::Ansatz::strongly_entangling;

std::vector<LayerCase> layer_cases() {
  const auto V = Padding::valid, S = Padding::same;
  const auto mean = ChannelMode::mean, stack = ChannelMode::stack, pool = ChannelMode::pool;
  return {
      {"angle_ry_k2_s2_valid_mean_c1",
       make_spec(kAngle, kRy, 2, 2, V, mean, kPaper, 1),
       {1, 4, 4},
       2},
      {"angle_rx_k2_s1_valid_mean_c2",
       make_spec(kAngle, kRx, 2, 1, V, mean, kBasic, 2),
       {2, 3, 4},
       2},
      {"angle_rx_k2_s1_same_stack_c2",
       make_spec(kAngle, kRx, 2, 1, S, stack, kPaper, 1),
       {2, 3, 3},
       2},
      {"angle_ry_k2_s2_same_pool_c3",
       make_spec(kAngle, kRy, 2, 2, S, pool, kStrong, 2, 0.8),
       {3, 5, 5},
       2},
      {"angle_rx_k1_s1_valid_stack_c2",
       make_spec(kAngle, kRx, 1, 1, V, stack, kPaper, 2),
       {2, 2, 3},
       2},
      {"angle_ry_k2_s3_same_mean_c2",
       make_spec(kAngle, kRy, 2, 3, S, mean, kPaper, 1),
       {2, 5, 4},
       1},
      // 9 qubits: one image, four patches.
      {"angle_ry_k3_s1_valid_mean_c1",
       make_spec(kAngle, kRy, 3, 1, V, mean, kPaper, 1),
       {1, 4, 4},
       1},
      {"amplitude_k2_s1_valid_mean_c2",
       make_spec(kAmp, kRy, 2, 1, V, mean, kPaper, 2),
       {2, 4, 4},
       2},
      {"amplitude_k2_s2_same_mean_c1",
       make_spec(kAmp, kRy, 2, 2, S, mean, kBasic, 1),
       {1, 3, 3},
       2},
      // 3x3 amplitude patches: 9 pixels zero-padded to 16 amplitudes on 4 qubits.
      {"amplitude_k3_s2_same_stack_c2",
       make_spec(kAmp, kRy, 3, 2, S, stack, kPaper, 1),
       {2, 5, 5},
       2},
      {"amplitude_k3_s1_valid_pool_c3",
       make_spec(kAmp, kRy, 3, 1, V, pool, kStrong, 1),
       {3, 4, 4},
       2},
  };
}

// ---- the reference layer, written out from spec.hpp / quanv_layer.hpp ----

/// The circuit a patch runs, built from the layer's fields (not from
/// QuanvSpec::circuit()).
q::CircuitSpec reference_circuit(const QuanvSpec& s) {
  q::CircuitSpec c;
  const int pixels = s.kernel * s.kernel;
  if (s.encoding == q::Encoding::angle) {
    c.qubits = pixels;
  } else {
    c.qubits = 1;
    while ((1 << c.qubits) < pixels) ++c.qubits;
  }
  c.encoding = s.encoding;
  c.angle_axis = s.angle_axis;
  c.angle_scale = s.angle_scale;
  c.ansatz = s.ansatz;
  c.depth = s.depth;
  c.readout = q::Readout::expval_z;
  return c;
}

/// Output size and leading zero padding along one axis: "valid" fits whole
/// windows; "same" gives ceil(in / stride) positions with the padding split
/// evenly, the odd pixel at the end.
struct Extent {
  int out, pad;
};
Extent extent(int in, int k, int stride, Padding p) {
  if (p == Padding::valid) return {(in - k) / stride + 1, 0};
  const int out = (in + stride - 1) / stride;
  const int total = std::max(0, (out - 1) * stride + k - in);
  return {out, total / 2};
}

Shape reference_output_shape(const QuanvSpec& s, Shape in) {
  const int n = reference_circuit(s).qubits;
  return {s.channel_mode == ChannelMode::stack ? in.channels * n : n,
          extent(in.height, s.kernel, s.stride, s.padding).out,
          extent(in.width, s.kernel, s.stride, s.padding).out};
}

/// The k x k window at output position (py, px) of image i, row-major, zero
/// outside the image, zero-padded to the circuit's input size. channel < 0:
/// the mean over channels.
std::vector<double> patch(const QuanvSpec& s, const Tensor& x, int i, int channel, int py, int px) {
  const q::CircuitSpec c = reference_circuit(s);
  const Extent ey = extent(x.shape.height, s.kernel, s.stride, s.padding);
  const Extent ex = extent(x.shape.width, s.kernel, s.stride, s.padding);
  std::vector<double> p(static_cast<std::size_t>(ref::input_size(c)), 0.0);
  for (int dy = 0; dy < s.kernel; ++dy) {
    for (int dx = 0; dx < s.kernel; ++dx) {
      const int y = py * s.stride - ey.pad + dy, xx = px * s.stride - ex.pad + dx;
      if (y < 0 || y >= x.shape.height || xx < 0 || xx >= x.shape.width) continue;
      double v = 0.0;
      if (channel >= 0) {
        v = x.at(i, channel, y, xx);
      } else {
        for (int cc = 0; cc < x.shape.channels; ++cc) v += x.at(i, cc, y, xx);
        v /= x.shape.channels;
      }
      p[static_cast<std::size_t>(dy * s.kernel + dx)] = v;
    }
  }
  return p;
}

Tensor reference_forward(const QuanvSpec& s, const Tensor& x, const std::vector<double>& w) {
  const q::CircuitSpec c = reference_circuit(s);
  const int n = c.qubits, C = x.shape.channels;
  const Shape os = reference_output_shape(s, x.shape);
  Tensor out(x.count, os);
  for (int i = 0; i < x.count; ++i) {
    for (int py = 0; py < os.height; ++py) {
      for (int px = 0; px < os.width; ++px) {
        if (s.channel_mode == ChannelMode::pool) {
          const auto z = ref::outputs(c, w, patch(s, x, i, -1, py, px));
          for (int qb = 0; qb < n; ++qb) out.at(i, qb, py, px) = z[qb];
          continue;
        }
        for (int ch = 0; ch < C; ++ch) {
          const auto z = ref::outputs(c, w, patch(s, x, i, ch, py, px));
          for (int qb = 0; qb < n; ++qb) {
            if (s.channel_mode == ChannelMode::stack) {
              out.at(i, ch * n + qb, py, px) = z[qb];
            } else {
              out.at(i, qb, py, px) += z[qb] / C;
            }
          }
        }
      }
    }
  }
  return out;
}

class QuanvLayerCases : public ::testing::TestWithParam<LayerCase> {};

std::string case_name(const ::testing::TestParamInfo<LayerCase>& i) { return i.param.label; }

}  // namespace

TEST_P(QuanvLayerCases, ShapesAndCounts) {
  const LayerCase& c = GetParam();
  QuanvLayer layer(c.spec, c.input, "test");
  const Shape os = reference_output_shape(c.spec, c.input);
  EXPECT_EQ(layer.input_shape(), c.input);
  EXPECT_EQ(layer.output_shape(), os) << layer.output_shape().str() << " vs " << os.str();
  EXPECT_EQ(layer.weight_count(), ref::weight_count(reference_circuit(c.spec)));
  const int patches = os.height * os.width;
  EXPECT_EQ(layer.circuits_per_image(),
            c.spec.channel_mode == ChannelMode::pool ? patches : patches * c.input.channels);
}

TEST_P(QuanvLayerCases, ForwardMatchesDenseReferencePerPatch) {
  const LayerCase& c = GetParam();
  std::mt19937_64 rng(100 + c.label.size());
  QuanvLayer layer(c.spec, c.input, "test");
  const std::vector<double> w =
      uniform(rng, static_cast<std::size_t>(layer.weight_count()), 0.0, 2.0 * kPi);
  const Tensor x = random_tensor(rng, c.images, c.input, -1.0, 1.0);
  Tensor got;
  layer.forward(x, w.data(), got);
  const Tensor expected = reference_forward(c.spec, x, w);
  ASSERT_EQ(got.count, x.count);
  ASSERT_EQ(got.shape, expected.shape);
  expect_close(expected.data, got.data, kForwardTol, 0.0, "layer outputs");

  // A second call on other data reuses the buffers and must not leak state.
  const Tensor x2 = random_tensor(rng, 1, c.input, -1.0, 1.0);
  layer.forward(x2, w.data(), got);
  ASSERT_EQ(got.count, 1);
  expect_close(reference_forward(c.spec, x2, w).data, got.data, kForwardTol, 0.0,
               "layer outputs, second batch");
}

TEST_P(QuanvLayerCases, BackwardMatchesFiniteDifferences) {
  const LayerCase& c = GetParam();
  std::mt19937_64 rng(200 + c.label.size());
  QuanvLayer layer(c.spec, c.input, "test");
  std::vector<double> w =
      uniform(rng, static_cast<std::size_t>(layer.weight_count()), 0.0, 2.0 * kPi);
  // Amplitude patches are normalised: keep them away from the all-zero patch.
  Tensor x = random_tensor(rng, c.images, c.input, 0.2, 1.0);
  const Tensor up = random_tensor(rng, c.images, layer.output_shape(), -1.0, 1.0);

  auto f = [&] {
    Tensor out;
    layer.forward(x, w.data(), out);
    return dot(up.data, out.data);
  };
  const std::vector<double> fd_w = central_differences(f, w, kFdStep);
  const std::vector<double> fd_x = central_differences(f, x.data, kFdStep);

  std::vector<double> dw(w.size(), 0.0);
  Tensor dx(x.count, x.shape);
  layer.backward(x, w.data(), up, dw.data(), &dx);
  expect_close(fd_w, dw, kFdAbsTol, kFdRelTol, "dL/dweights");
  expect_close(fd_x, dx.data, kFdAbsTol, kFdRelTol, "dL/dx");

  // Each output is optional, and both accumulate (+=).
  std::vector<double> dw_only(w.size(), 1.0);
  layer.backward(x, w.data(), up, dw_only.data(), nullptr);
  for (std::size_t j = 0; j < w.size(); ++j) EXPECT_NEAR(dw_only[j], 1.0 + dw[j], 1e-12) << j;
  Tensor dx_only(x.count, x.shape);
  layer.backward(x, w.data(), up, nullptr, &dx_only);
  layer.backward(x, w.data(), up, nullptr, &dx_only);
  for (std::size_t j = 0; j < dx.data.size(); ++j) {
    EXPECT_NEAR(dx_only.data[j], 2.0 * dx.data[j], 1e-12) << j;
  }
}

INSTANTIATE_TEST_SUITE_P(Layers, QuanvLayerCases, ::testing::ValuesIn(layer_cases()), case_name);

TEST(QuanvLayer, ChannelModesByHand) {
  // Two channels whose second is the first plus a constant: the mean of two
  // single-channel runs, the two runs side by side, and one run on the mean.
  std::mt19937_64 rng(5);
  const Shape one{1, 4, 4}, two{2, 4, 4};
  Tensor x(1, two), x0(1, one), x1(1, one), xm(1, one);
  for (int y = 0; y < 4; ++y) {
    for (int xx = 0; xx < 4; ++xx) {
      const double v = 0.1 * (y * 4 + xx) - 0.7;
      x.at(0, 0, y, xx) = x0.at(0, 0, y, xx) = v;
      x.at(0, 1, y, xx) = x1.at(0, 0, y, xx) = v + 0.3;
      xm.at(0, 0, y, xx) = v + 0.15;
    }
  }
  QuanvSpec s = make_spec(kAngle, kRy, 2, 2, Padding::valid, ChannelMode::mean, kPaper, 1);
  QuanvLayer single(s, one, "single");
  const std::vector<double> w = uniform(rng, static_cast<std::size_t>(single.weight_count()), 0, 6);
  Tensor o0, o1, om;
  single.forward(x0, w.data(), o0);
  single.forward(x1, w.data(), o1);
  single.forward(xm, w.data(), om);

  QuanvLayer mean(s, two, "mean");
  Tensor got;
  mean.forward(x, w.data(), got);
  for (std::size_t j = 0; j < got.data.size(); ++j) {
    EXPECT_NEAR(got.data[j], 0.5 * (o0.data[j] + o1.data[j]), 1e-14) << j;
  }

  s.channel_mode = ChannelMode::stack;
  QuanvLayer stack(s, two, "stack");
  stack.forward(x, w.data(), got);
  ASSERT_EQ(got.shape, (Shape{8, 2, 2}));
  for (std::size_t j = 0; j < o0.data.size(); ++j) {
    EXPECT_EQ(got.data[j], o0.data[j]) << j;
    EXPECT_EQ(got.data[o0.data.size() + j], o1.data[j]) << j;
  }

  s.channel_mode = ChannelMode::pool;
  QuanvLayer pool(s, two, "pool");
  pool.forward(x, w.data(), got);
  ASSERT_EQ(got.shape, (Shape{4, 2, 2}));
  for (std::size_t j = 0; j < got.data.size(); ++j)
    EXPECT_NEAR(got.data[j], om.data[j], 1e-14) << j;
}

TEST(QuanvLayer, OneQubitByHand) {
  // kernel 1, angle RY(pi x), paper ansatz RY(a) RX(b) on one qubit:
  // <Z> = cos(pi x + a) cos(b).
  QuanvSpec s = make_spec(kAngle, kRy, 1, 1, Padding::valid, ChannelMode::mean, kPaper, 1);
  QuanvLayer layer(s, {1, 1, 3}, "hand");
  ASSERT_EQ(layer.weight_count(), 2);
  const double w[2] = {0.3, 0.4};
  Tensor x(1, {1, 1, 3});
  x.data = {0.0, 0.25, -0.5};
  Tensor out;
  layer.forward(x, w, out);
  ASSERT_EQ(out.shape, (Shape{1, 1, 3}));
  for (int j = 0; j < 3; ++j) {
    EXPECT_NEAR(out.data[j], std::cos(kPi * x.data[j] + 0.3) * std::cos(0.4), 1e-14) << j;
  }
}

TEST(QuanvLayer, WindowThatDoesNotFitNamesTheLayer) {
  const QuanvSpec s = make_spec(kAngle, kRy, 3, 1, Padding::valid, ChannelMode::mean, kPaper, 1);
  expect_usage_error(
      [&] {
        QuanvLayer l(s, {1, 2, 5}, "model.layers[1]");
      },
      {"model.layers[1]", "3-pixel window does not fit a 2-pixel input", "padding = \"same\""});
  expect_usage_error(
      [&] {
        QuanvLayer l(s, {1, 5, 2}, "model.layers[0]");
      },
      {"model.layers[0]", "does not fit a 2-pixel input"});
  // With "same" padding the window may overhang the image (zero pixels).
  QuanvSpec same = s;
  same.padding = Padding::same;
  QuanvLayer l(same, {1, 2, 2}, "model.layers[1]");
  EXPECT_EQ(l.output_shape(), (Shape{9, 2, 2}));
}

TEST(QuanvLayer, InvalidSpecNamesTheLayer) {
  // 4x4 angle windows would need 16 qubits.
  QuanvSpec s = make_spec(kAngle, kRy, 4, 1, Padding::valid, ChannelMode::mean, kPaper, 1);
  expect_usage_error(
      [&] {
        QuanvLayer l(s, {1, 8, 8}, "model.layers[2]");
      },
      {"model.layers[2]", "16 qubits"});
  s = make_spec(kAngle, kRy, 2, 0, Padding::valid, ChannelMode::mean, kPaper, 1);
  expect_usage_error(
      [&] {
        QuanvLayer l(s, {1, 8, 8}, "model.layers[0]");
      },
      {"model.layers[0].stride = 0"});
}

// RZ on |0> is only a phase: such a layer would ignore its input.
TEST(QuanvLayerSpec, RzAngleEncodingIsRejectedWithAFix) {
  QuanvSpec spec;
  spec.angle_axis = q::GateKind::rz;
  try {
    spec.validate("model.layers[0]");
    FAIL() << "expected a UsageError";
  } catch (const resqunn::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("model.layers[0].angle_axis = rz"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("use rx or ry"), std::string::npos);
  }
}
