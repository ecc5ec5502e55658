// What a model is, as plain data: the quanvolution layers, the residual
// wiring, the gradient mode and the head. Configs (TOML) and sweeps produce
// a ModelSpec; model.hpp builds and runs it. Defaults and every choice the
// ResQuNN paper leaves open are documented in docs/model.md.
#pragma once

#include "resqunn/quantum/circuit.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace resqunn::model {

enum class Padding : std::uint8_t { valid, same };
/// How a layer treats a multi-channel input (docs/model.md):
///  mean:  the circuit runs on each channel's patch, outputs averaged (n channels)
///  stack: the circuit runs on each channel's patch, outputs concatenated (C*n)
///  pool:  channels are averaged first, then one circuit per patch (n channels)
enum class ChannelMode : std::uint8_t { mean, stack, pool };
/// barrier: a quanvolution layer's encoded input is data (the paper's
///          setting): gradients reach a layer only along paths that do not
///          cross another layer's encoding.
/// full:    exact gradients through every encoding (input VJP).
enum class GradientMode : std::uint8_t { barrier, full };
enum class HeadKind : std::uint8_t { dense, quantum };

/// Ansatz layers per circuit: 1..kMaxDepth (the depth studies go to 128;
/// the compiled evaluator makes depth cost nothing per circuit).
inline constexpr int kMaxDepth = 128;

/// One quanvolution layer: a k x k window slides over the image; each patch
/// is encoded into a circuit whose <Z_q> readouts become output channels.
struct QuanvSpec {
  int kernel = 2;
  int stride = 2;
  Padding padding = Padding::valid;
  quantum::Encoding encoding = quantum::Encoding::angle;
  quantum::GateKind angle_axis = quantum::GateKind::ry;
  double angle_scale = 3.14159265358979323846;
  quantum::Ansatz ansatz = quantum::Ansatz::paper;
  int depth = 1;
  bool trainable = true;
  ChannelMode channel_mode = ChannelMode::mean;
  /// How the circuits run; `automatic` lets the plan choose (plan.hpp).
  quantum::Evaluator evaluator = quantum::Evaluator::automatic;

  /// angle: k*k qubits; amplitude: ceil(log2(k*k)) qubits (at least 1).
  int qubits() const;
  /// The circuit each patch runs (expval-z readout).
  quantum::CircuitSpec circuit() const;
  /// Throws UsageError naming `where` (e.g. "model.layers[1]") and the field.
  void validate(const std::string& where) const;
};

struct HeadSpec {
  HeadKind kind = HeadKind::dense;
  /// Quantum head only: the ansatz and depth of the classifier circuit.
  quantum::Ansatz ansatz = quantum::Ansatz::paper;
  int depth = 2;
  /// Quantum head: how its circuit runs (as QuanvSpec::evaluator).
  quantum::Evaluator evaluator = quantum::Evaluator::automatic;
  void validate() const;
};

struct ModelSpec {
  std::vector<QuanvSpec> layers;  // at least one
  /// Residual configuration, e.g. "none", "X+O1", "(X+O1)+O2" (residual.hpp).
  std::string residual = "none";
  GradientMode gradient_mode = GradientMode::barrier;
  HeadSpec head;
  /// Weight initialisation seed.
  std::uint64_t seed = 1;

  /// Throws UsageError for invalid layers, head or residual string.
  void validate() const;
};

/// Field-wise equality (every field above: keep in step with the structs).
bool operator==(const QuanvSpec& a, const QuanvSpec& b) noexcept;
bool operator==(const HeadSpec& a, const HeadSpec& b) noexcept;
/// Equal in everything but the weight seed: such specs have the same plan.
bool same_architecture(const ModelSpec& a, const ModelSpec& b) noexcept;

std::string_view to_string(Padding p) noexcept;
std::string_view to_string(ChannelMode m) noexcept;
std::string_view to_string(GradientMode m) noexcept;
std::string_view to_string(HeadKind k) noexcept;
/// Parsers throw UsageError listing the valid names (and a close match).
Padding parse_padding(std::string_view name);
ChannelMode parse_channel_mode(std::string_view name);
GradientMode parse_gradient_mode(std::string_view name);
HeadKind parse_head_kind(std::string_view name);

}  // namespace resqunn::model
