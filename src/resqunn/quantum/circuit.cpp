#include "resqunn/quantum/circuit.hpp"

#include "resqunn/core/error.hpp"
#include "resqunn/core/text.hpp"

#include <string>

namespace resqunn::quantum {

namespace {

void ring(std::vector<Gate>& gates, int n) {
  if (n < 2) return;
  for (int q = 0; q + 1 < n; ++q) gates.push_back({GateKind::cnot, q + 1, q, -1});
  if (n > 2) gates.push_back({GateKind::cnot, 0, n - 1, -1});
}

}  // namespace

int CircuitSpec::input_size() const { return encoding == Encoding::angle ? qubits : 1 << qubits; }

int CircuitSpec::output_size() const {
  if (readout == Readout::expval_z) return qubits;
  return 1 << (readout_qubits == 0 ? qubits : readout_qubits);
}

int CircuitSpec::weight_count() const {
  const int per_layer = ansatz == Ansatz::paper             ? 2 * qubits
                        : ansatz == Ansatz::basic_entangler ? qubits
                                                            : 3 * qubits;
  return per_layer * depth;
}

void CircuitSpec::validate() const {
  check_usage(qubits >= 1 && qubits <= kMaxQubits,
              "circuit qubits = " + std::to_string(qubits) + " is out of range",
              "use 1.." + std::to_string(kMaxQubits) + " qubits");
  check_usage(depth >= 1 && depth <= 1000,
              "circuit depth = " + std::to_string(depth) + " is out of range",
              "use a depth of 1..1000 ansatz layers");
  check_usage(
      angle_axis == GateKind::rx || angle_axis == GateKind::ry || angle_axis == GateKind::rz,
      "angle encoding axis must be a rotation", "use rx, ry or rz");
  check_usage(readout_qubits >= 0 && readout_qubits <= qubits,
              "readout_qubits = " + std::to_string(readout_qubits) + " with " +
                  std::to_string(qubits) + " qubits",
              "use 0 (all qubits) to " + std::to_string(qubits));
}

std::vector<Gate> ansatz_gates(const CircuitSpec& spec) {
  spec.validate();
  const int n = spec.qubits;
  std::vector<Gate> gates;
  int w = 0;
  for (int l = 0; l < spec.depth; ++l) {
    switch (spec.ansatz) {
      case Ansatz::paper:
        for (int q = 0; q < n; ++q) gates.push_back({GateKind::ry, q, -1, w++});
        for (int q = 0; q < n; ++q) gates.push_back({GateKind::rx, q, -1, w++});
        ring(gates, n);
        break;
      case Ansatz::basic_entangler:
        for (int q = 0; q < n; ++q) gates.push_back({GateKind::rx, q, -1, w++});
        ring(gates, n);
        break;
      case Ansatz::strongly_entangling:
        for (int q = 0; q < n; ++q) {
          gates.push_back({GateKind::rz, q, -1, w++});
          gates.push_back({GateKind::ry, q, -1, w++});
          gates.push_back({GateKind::rz, q, -1, w++});
        }
        if (n > 1) {
          const int r = 1 + l % (n - 1);
          for (int q = 0; q < n; ++q) gates.push_back({GateKind::cnot, (q + r) % n, q, -1});
        }
        break;
    }
  }
  return gates;
}

namespace {

// Rotations first: parse_rotation accepts only those.
constexpr Named<GateKind> kGates[] = {{GateKind::rx, "rx"},
                                      {GateKind::ry, "ry"},
                                      {GateKind::rz, "rz"},
                                      {GateKind::cnot, "cnot"},
                                      {GateKind::cz, "cz"}};
constexpr Named<GateKind> kRotations[] = {kGates[0], kGates[1], kGates[2]};
constexpr Named<Encoding> kEncodings[] = {{Encoding::angle, "angle"},
                                          {Encoding::amplitude, "amplitude"}};
constexpr Named<Ansatz> kAnsatzes[] = {{Ansatz::paper, "paper"},
                                       {Ansatz::basic_entangler, "basic-entangler"},
                                       {Ansatz::strongly_entangling, "strongly-entangling"}};
constexpr Named<Readout> kReadouts[] = {{Readout::expval_z, "expval-z"},
                                        {Readout::probabilities, "probabilities"}};
constexpr Named<Evaluator> kEvaluators[] = {{Evaluator::automatic, "auto"},
                                            {Evaluator::compiled, "compiled"},
                                            {Evaluator::statevector, "statevector"}};

}  // namespace

std::string_view to_string(GateKind g) noexcept { return name_of(g, kGates); }
std::string_view to_string(Encoding e) noexcept { return name_of(e, kEncodings); }
std::string_view to_string(Ansatz a) noexcept { return name_of(a, kAnsatzes); }
std::string_view to_string(Readout r) noexcept { return name_of(r, kReadouts); }
std::string_view to_string(Evaluator e) noexcept { return name_of(e, kEvaluators); }

GateKind parse_rotation(std::string_view name) { return parse_name(name, kRotations, "rotation"); }
Encoding parse_encoding(std::string_view name) { return parse_name(name, kEncodings, "encoding"); }
Ansatz parse_ansatz(std::string_view name) { return parse_name(name, kAnsatzes, "ansatz"); }
Readout parse_readout(std::string_view name) { return parse_name(name, kReadouts, "readout"); }
Evaluator parse_evaluator(std::string_view name) {
  return parse_name(name, kEvaluators, "evaluator");
}

}  // namespace resqunn::quantum
