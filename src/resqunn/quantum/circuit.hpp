// What a circuit is: qubit count, data encoding, trainable ansatz, readout,
// and the gate program the ansatz expands to. Everything here is host-side
// description; kernels (batched_circuit.hpp) execute it.
//
// Conventions (docs/quantum.md):
//  * Qubit q is bit q of a basis-state index: |b> with b = sum_q bit_q 2^q.
//  * R_P(t) = exp(-i t P / 2) for P in {X, Y, Z}.
//  * CNOT(c, t) flips t when c is 1; CZ(c, t) negates |..1..1..> amplitudes.
//  * All qubits start in |0>.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace resqunn::quantum {

inline constexpr int kMaxQubits = 12;

enum class GateKind : std::uint8_t { rx, ry, rz, cnot, cz };
enum class Encoding : std::uint8_t { angle, amplitude };
enum class Ansatz : std::uint8_t { paper, basic_entangler, strongly_entangling };
enum class Readout : std::uint8_t { expval_z, probabilities };
/// How BatchedCircuit evaluates: gate by gate on state vectors, or from the
/// observables compiled once per weight vector (docs/quantum.md, "Compiled
/// evaluation"); `automatic` ("auto") takes the cheaper by the cost model of
/// evaluator_cost.hpp.
enum class Evaluator : std::uint8_t { automatic, compiled, statevector };

/// One gate of a program. Rotations read their angle from weight `param`.
struct Gate {
  GateKind kind = GateKind::rx;
  int target = 0;
  int control = -1;  // two-qubit gates only
  int param = -1;    // rotations only: index into the weight vector
};

struct CircuitSpec {
  int qubits = 4;
  Encoding encoding = Encoding::angle;
  /// Angle encoding: feature x_q becomes R_axis(angle_scale * x_q) on qubit q.
  GateKind angle_axis = GateKind::ry;
  double angle_scale = 3.14159265358979323846;
  Ansatz ansatz = Ansatz::paper;
  int depth = 1;
  Readout readout = Readout::expval_z;
  /// Probabilities readout: the first k qubits (0 means all).
  int readout_qubits = 0;
  Evaluator evaluator = Evaluator::automatic;

  /// Features per circuit: n (angle) or 2^n (amplitude; shorter inputs are
  /// zero-padded by the caller-facing APIs, the kernel takes exactly 2^n).
  int input_size() const;
  /// n (<Z_q> for q = 0..n-1) or 2^k (P(b) for b over the first k qubits).
  int output_size() const;
  int weight_count() const;
  /// Throws UsageError naming the first invalid field and its valid range.
  void validate() const;
};

/// The ansatz as a gate list; weights are numbered in gate order:
///  paper:               per layer l: RY(q) for q = 0..n-1, RX(q) for q = 0..n-1,
///                       then the CNOT ring (weights l*2n + q and l*2n + n + q)
///  basic-entangler:     per layer: RX(q) for each q, then the CNOT ring (l*n + q)
///  strongly-entangling: per layer: RZ RY RZ on each qubit q (weights
///                       l*3n + 3q + {0,1,2}), then CNOT(q, (q + r) mod n) for
///                       q = 0..n-1 with range r = 1 + (l mod (n - 1))
/// CNOT ring: CNOT(0,1), CNOT(1,2), ..., CNOT(n-2,n-1), CNOT(n-1,0); for n = 2
/// only CNOT(0,1) (the ring would repeat the pair); none for n = 1.
std::vector<Gate> ansatz_gates(const CircuitSpec& spec);

/// Names as used in configs and JSON ("paper", "basic-entangler",
/// "strongly-entangling"; "angle", "amplitude"; "expval-z", "probabilities";
/// "rx", "ry", "rz", "cnot", "cz"; "auto", "compiled", "statevector").
/// Parsers throw UsageError listing the valid names.
std::string_view to_string(GateKind g) noexcept;
std::string_view to_string(Encoding e) noexcept;
std::string_view to_string(Ansatz a) noexcept;
std::string_view to_string(Readout r) noexcept;
std::string_view to_string(Evaluator e) noexcept;
GateKind parse_rotation(std::string_view name);  // rx | ry | rz only
Encoding parse_encoding(std::string_view name);
Ansatz parse_ansatz(std::string_view name);
Readout parse_readout(std::string_view name);
Evaluator parse_evaluator(std::string_view name);

}  // namespace resqunn::quantum
