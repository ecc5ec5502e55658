#include "resqunn/quantum/detail/pauli_program.hpp"

#include "resqunn/core/error.hpp"

#include <complex>
#include <string>

namespace resqunn::quantum::detail {

namespace {

using Complex = std::complex<double>;
using Matrix4 = std::array<std::array<Complex, 4>, 4>;

// sigma_p[r][c] for p = I, X, Y, Z.
Complex pauli_entry(int p, int r, int c) {
  switch (p) {
    case kI:
      return r == c ? 1.0 : 0.0;
    case kX:
      return r != c ? 1.0 : 0.0;
    case kY:
      return r == c ? Complex(0.0) : Complex(0.0, r == 0 ? -1.0 : 1.0);
    default:
      return r == c ? (r == 0 ? 1.0 : -1.0) : 0.0;
  }
}

// The two-qubit Pauli with digits (pc, pt) in the basis i = bit_c + 2 bit_t.
Matrix4 pauli_pair(int pc, int pt) {
  Matrix4 m{};
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 4; ++j)
      m[i][j] = pauli_entry(pc, i & 1, j & 1) * pauli_entry(pt, i >> 1, j >> 1);
  }
  return m;
}

Matrix4 multiply(const Matrix4& a, const Matrix4& b) {
  Matrix4 m{};
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 4; ++j) {
      for (int k = 0; k < 4; ++k) m[i][j] += a[i][k] * b[k][j];
    }
  }
  return m;
}

// G P G^dagger for each two-qubit Pauli P; G is a real permutation or
// diagonal matrix here (CNOT, CZ), so G^dagger = G^T.
CliffordTable conjugation_table(const Matrix4& g) {
  Matrix4 gt{};
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 4; ++j) gt[i][j] = std::conj(g[j][i]);
  }
  CliffordTable table;
  for (int p = 0; p < 16; ++p) {
    const Matrix4 image = multiply(multiply(g, pauli_pair(p & 3, p >> 2)), gt);
    bool found = false;
    for (int q = 0; q < 16 && !found; ++q) {
      const Matrix4 candidate = pauli_pair(q & 3, q >> 2);
      for (const int s : {1, -1}) {
        bool equal = true;
        for (int i = 0; i < 4 && equal; ++i) {
          for (int j = 0; j < 4 && equal; ++j) {
            equal = std::abs(image[i][j] - static_cast<double>(s) * candidate[i][j]) < 1e-12;
          }
        }
        if (equal) {
          table.image[p] = static_cast<std::uint8_t>(q);
          table.sign[p] = static_cast<std::int8_t>(s);
          found = true;
          break;
        }
      }
    }
    if (!found) throw Error("two-qubit gate is not a Clifford on Pauli " + std::to_string(p));
  }
  return table;
}

Matrix4 cnot_matrix() {  // flips the target (bit 1) when the control (bit 0) is 1
  Matrix4 g{};
  for (int i = 0; i < 4; ++i) g[(i & 1) ? (i ^ 2) : i][i] = 1.0;
  return g;
}

Matrix4 cz_matrix() {
  Matrix4 g{};
  for (int i = 0; i < 4; ++i) g[i][i] = i == 3 ? -1.0 : 1.0;
  return g;
}

void check_qubit(int q, int qubits, const char* role) {
  if (q < 0 || q >= qubits) {
    throw UsageError(std::string("gate ") + role + " qubit " + std::to_string(q) + " outside 0.." +
                     std::to_string(qubits - 1));
  }
}

PauliOp pauli_op(const Gate& g, int qubits) {
  PauliOp op;
  check_qubit(g.target, qubits, "target");
  if (g.kind == GateKind::cnot || g.kind == GateKind::cz) {
    check_qubit(g.control, qubits, "control");
    if (g.control == g.target)
      throw UsageError("two-qubit gate on one qubit " + std::to_string(g.target));
    op.kind = g.kind == GateKind::cnot ? 1 : 2;
    op.qubit = g.control;
    op.target = g.target;
    return op;
  }
  op.qubit = g.target;
  op.param = g.param;
  // (axis, b, c) cyclic in (X, Y, Z).
  op.b = g.kind == GateKind::rx ? kY : g.kind == GateKind::ry ? kZ : kX;
  op.c = g.kind == GateKind::rx ? kZ : g.kind == GateKind::ry ? kX : kY;
  return op;
}

std::vector<std::int32_t> observables(const CircuitSpec& spec) {
  std::vector<std::int32_t> out;
  if (spec.readout == Readout::expval_z) {
    for (int q = 0; q < spec.qubits; ++q) out.push_back(kZ << (2 * q));
    return out;
  }
  const int k = spec.readout_qubits == 0 ? spec.qubits : spec.readout_qubits;
  for (int set = 0; set < (1 << k); ++set) {
    std::int32_t index = 0;
    for (int q = 0; q < k; ++q) {
      if ((set >> q) & 1) index |= kZ << (2 * q);
    }
    out.push_back(index);
  }
  return out;
}

}  // namespace

long monomial_count(int qubits) {
  long count = 1;
  for (int q = 0; q < qubits; ++q) count *= 3;
  return count;
}

int observable_count(const CircuitSpec& spec) {
  if (spec.readout == Readout::expval_z) return spec.qubits;
  return 1 << (spec.readout_qubits == 0 ? spec.qubits : spec.readout_qubits);
}

long moments_per_observable(const CircuitSpec& spec) {
  if (spec.encoding == Encoding::angle) return monomial_count(spec.qubits);
  const long dim = 1L << spec.qubits;
  return dim * dim;
}

PauliProgram compile_pauli(const CircuitSpec& spec, const std::vector<Gate>& gates) {
  PauliProgram p;
  p.qubits = spec.qubits;
  p.size = 1L << (2 * spec.qubits);
  p.cliffords = {conjugation_table(cnot_matrix()), conjugation_table(cz_matrix())};
  for (const auto& g : gates) p.ops.push_back(pauli_op(g, spec.qubits));
  p.observables = observables(spec);
  if (spec.encoding == Encoding::angle) {
    // Tr(Q rho_q) of R_axis(t)|0><0|R_axis(t)^dagger: (1, cos t, sin t) on
    // (I, Z, X) for RY, (I, Z, Y) with Tr(Y rho) = -sin t for RX; for RZ the
    // state is |0><0| and the kernel's v_q = (1, 1, 0).
    const std::uint8_t b_digit = spec.angle_axis == GateKind::rx ? kY : kX;
    const int b_sign = spec.angle_axis == GateKind::rx ? -1 : 1;
    const long count = monomial_count(spec.qubits);
    p.monomial_pauli.resize(count);
    p.monomial_sign.resize(count);
    for (long m = 0; m < count; ++m) {
      std::int32_t index = 0;
      int sign = 1;
      long rest = m;
      for (int q = 0; q < spec.qubits; ++q, rest /= 3) {
        const int digit = static_cast<int>(rest % 3);
        if (digit == 1) index |= kZ << (2 * q);
        if (digit == 2) {
          index |= b_digit << (2 * q);
          sign *= b_sign;
        }
      }
      p.monomial_pauli[m] = index;
      p.monomial_sign[m] = static_cast<std::int8_t>(sign);
    }
  }
  return p;
}

}  // namespace resqunn::quantum::detail
