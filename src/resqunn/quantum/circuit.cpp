#include "resqunn/quantum/circuit.hpp"

#include <string>

#include "resqunn/core/error.hpp"

namespace resqunn::quantum {

namespace {

template <class E, std::size_t N>
E parse_name(std::string_view name, const E (&values)[N], const char* what) {
  std::string known;
  for (E v : values) {
    if (to_string(v) == name) return v;
    known += (known.empty() ? "" : ", ") + std::string(to_string(v));
  }
  throw UsageError("unknown " + std::string(what) + " '" + std::string(name) + "'",
                   "use one of: " + known);
}

void ring(std::vector<Gate>& gates, int n) {
  if (n < 2) return;
  for (int q = 0; q + 1 < n; ++q) gates.push_back({GateKind::cnot, q + 1, q, -1});
  if (n > 2) gates.push_back({GateKind::cnot, 0, n - 1, -1});
}

void check(bool ok, const std::string& problem, const std::string& fix) {
  if (!ok) throw UsageError(problem, fix);
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
  check(qubits >= 1 && qubits <= kMaxQubits,
        "circuit qubits = " + std::to_string(qubits) + " is out of range",
        "use 1.." + std::to_string(kMaxQubits) + " qubits");
  check(depth >= 1 && depth <= 1000,
        "circuit depth = " + std::to_string(depth) + " is out of range",
        "use a depth of 1..1000 ansatz layers");
  check(angle_axis == GateKind::rx || angle_axis == GateKind::ry || angle_axis == GateKind::rz,
        "angle encoding axis must be a rotation", "use rx, ry or rz");
  check(readout_qubits >= 0 && readout_qubits <= qubits,
        "readout_qubits = " + std::to_string(readout_qubits) + " with " + std::to_string(qubits) +
            " qubits",
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

std::string_view to_string(GateKind g) noexcept {
  switch (g) {
    case GateKind::rx:
      return "rx";
    case GateKind::ry:
      return "ry";
    case GateKind::rz:
      return "rz";
    case GateKind::cnot:
      return "cnot";
    case GateKind::cz:
      return "cz";
  }
  return "?";
}

std::string_view to_string(Encoding e) noexcept {
  return e == Encoding::angle ? "angle" : "amplitude";
}

std::string_view to_string(Ansatz a) noexcept {
  switch (a) {
    case Ansatz::paper:
      return "paper";
    case Ansatz::basic_entangler:
      return "basic-entangler";
    case Ansatz::strongly_entangling:
      return "strongly-entangling";
  }
  return "?";
}

std::string_view to_string(Readout r) noexcept {
  return r == Readout::expval_z ? "expval-z" : "probabilities";
}

GateKind parse_rotation(std::string_view name) {
  static const GateKind all[] = {GateKind::rx, GateKind::ry, GateKind::rz};
  return parse_name(name, all, "rotation");
}

Encoding parse_encoding(std::string_view name) {
  static const Encoding all[] = {Encoding::angle, Encoding::amplitude};
  return parse_name(name, all, "encoding");
}

Ansatz parse_ansatz(std::string_view name) {
  static const Ansatz all[] = {Ansatz::paper, Ansatz::basic_entangler, Ansatz::strongly_entangling};
  return parse_name(name, all, "ansatz");
}

Readout parse_readout(std::string_view name) {
  static const Readout all[] = {Readout::expval_z, Readout::probabilities};
  return parse_name(name, all, "readout");
}

}  // namespace resqunn::quantum
