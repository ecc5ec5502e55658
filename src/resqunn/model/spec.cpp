#include "resqunn/model/spec.hpp"

#include "resqunn/core/error.hpp"
#include "resqunn/core/text.hpp"
#include "resqunn/model/residual.hpp"

#include <string>
#include <tuple>

namespace resqunn::model {

int QuanvSpec::qubits() const {
  if (encoding == quantum::Encoding::angle) return kernel * kernel;
  int n = 1;
  while ((1 << n) < kernel * kernel) ++n;
  return n;
}

quantum::CircuitSpec QuanvSpec::circuit() const {
  quantum::CircuitSpec c;
  c.qubits = qubits();
  c.encoding = encoding;
  c.angle_axis = angle_axis;
  c.angle_scale = angle_scale;
  c.ansatz = ansatz;
  c.depth = depth;
  c.readout = quantum::Readout::expval_z;
  c.evaluator = evaluator;
  return c;
}

void QuanvSpec::validate(const std::string& where) const {
  check_usage(kernel >= 1 && kernel <= 8,
              where + ".kernel = " + std::to_string(kernel) + " is out of range",
              "use a window of 1..8 pixels (angle encoding needs kernel^2 <= 12 qubits)");
  check_usage(stride >= 1 && stride <= 8,
              where + ".stride = " + std::to_string(stride) + " is out of range",
              "use a stride of 1..8");
  check_usage(depth >= 1 && depth <= kMaxDepth,
              where + ".depth = " + std::to_string(depth) + " is out of range",
              "use 1.." + std::to_string(kMaxDepth) + " ansatz layers");
  check_usage(angle_scale > 0.0, where + ".angle_scale must be positive", "the default is pi");
  // RZ on |0> only adds a phase: the layer's output would ignore its input.
  check_usage(encoding != quantum::Encoding::angle || angle_axis != quantum::GateKind::rz,
              where + ".angle_axis = rz encodes nothing (RZ only changes the phase of |0>)",
              "use rx or ry");
  check_usage(qubits() <= quantum::kMaxQubits,
              where + ": a " + std::to_string(kernel) + "x" + std::to_string(kernel) +
                  " window needs " + std::to_string(qubits()) + " qubits with " +
                  std::string(to_string(encoding)) + " encoding",
              "use kernel <= 3 with angle encoding, or amplitude encoding (at most " +
                  std::to_string(quantum::kMaxQubits) + " qubits)");
  circuit().validate();
}

void HeadSpec::validate() const {
  check_usage(depth >= 1 && depth <= kMaxDepth,
              "model.head.depth = " + std::to_string(depth) + " is out of range",
              "use 1.." + std::to_string(kMaxDepth) + " ansatz layers");
}

void ModelSpec::validate() const {
  check_usage(!layers.empty(), "the model has no quanvolution layers",
              "give at least one layer (model.depths = [1])");
  check_usage(layers.size() <= 16, "the model has " + std::to_string(layers.size()) + " layers",
              "use at most 16 quanvolution layers");
  for (std::size_t i = 0; i < layers.size(); ++i) {
    layers[i].validate("model.layers[" + std::to_string(i) + "]");
  }
  head.validate();
  (void)parse_residual(residual, static_cast<int>(layers.size()));
}

namespace {

constexpr Named<Padding> kPaddings[] = {{Padding::valid, "valid"}, {Padding::same, "same"}};
constexpr Named<ChannelMode> kChannelModes[] = {
    {ChannelMode::mean, "mean"}, {ChannelMode::stack, "stack"}, {ChannelMode::pool, "pool"}};
constexpr Named<GradientMode> kGradientModes[] = {{GradientMode::barrier, "barrier"},
                                                  {GradientMode::full, "full"}};
constexpr Named<HeadKind> kHeadKinds[] = {{HeadKind::dense, "dense"},
                                          {HeadKind::quantum, "quantum"}};

}  // namespace

namespace {
auto fields(const QuanvSpec& q) noexcept {
  return std::tie(q.kernel, q.stride, q.padding, q.encoding, q.angle_axis, q.angle_scale, q.ansatz,
                  q.depth, q.trainable, q.channel_mode, q.evaluator);
}
auto fields(const HeadSpec& h) noexcept { return std::tie(h.kind, h.ansatz, h.depth, h.evaluator); }
}  // namespace

bool operator==(const QuanvSpec& a, const QuanvSpec& b) noexcept { return fields(a) == fields(b); }
bool operator==(const HeadSpec& a, const HeadSpec& b) noexcept { return fields(a) == fields(b); }

bool same_architecture(const ModelSpec& a, const ModelSpec& b) noexcept {
  return a.layers == b.layers && a.residual == b.residual && a.gradient_mode == b.gradient_mode &&
         a.head == b.head;
}

std::string_view to_string(Padding p) noexcept { return name_of(p, kPaddings); }
std::string_view to_string(ChannelMode m) noexcept { return name_of(m, kChannelModes); }
std::string_view to_string(GradientMode m) noexcept { return name_of(m, kGradientModes); }
std::string_view to_string(HeadKind k) noexcept { return name_of(k, kHeadKinds); }

Padding parse_padding(std::string_view name) { return parse_name(name, kPaddings, "padding"); }

ChannelMode parse_channel_mode(std::string_view name) {
  return parse_name(name, kChannelModes, "channel mode");
}

GradientMode parse_gradient_mode(std::string_view name) {
  return parse_name(name, kGradientModes, "gradient mode");
}

HeadKind parse_head_kind(std::string_view name) { return parse_name(name, kHeadKinds, "head"); }

}  // namespace resqunn::model
