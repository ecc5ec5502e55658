// The compiled evaluator's program (docs/quantum.md, "Compiled
// evaluation"): a circuit as maps on real Pauli-coefficient vectors.
//
// An operator on n qubits is A = sum_Q a_Q Q over the 4^n Pauli strings Q;
// its coefficient vector a is indexed by Q = sum_q p_q 4^q with the digit
// p_q in {0: I, 1: X, 2: Y, 3: Z}. Conjugation by a gate is a real
// orthogonal map on such vectors (its Pauli transfer matrix): a rotation
// about axis a mixes, on its qubit, the two Paulis that anticommute with
// a; CNOT and CZ permute strings with signs. With o_k the vector of the
// readout observable O_k and mu(rho) = (Tr(Q rho))_Q of an input state,
// <O_k> = <o_k, T mu> where T is the circuit's Schroedinger transfer map.
// Host-side; internal to the quantum component.
#pragma once

#include "resqunn/quantum/circuit.hpp"

#include <array>
#include <cstdint>
#include <vector>

namespace resqunn::quantum::detail {

/// Pauli digits of one qubit in a coefficient index.
enum PauliDigit : std::uint8_t { kI = 0, kX = 1, kY = 2, kZ = 3 };

/// One gate as a map on coefficient vectors.
struct PauliOp {
  /// 0: rotation; 1, 2: the two-qubit Clifford of `clifford` table 0 or 1.
  std::uint8_t kind = 0;
  /// Rotations: the anticommuting pair (b, c), with (axis, b, c) cyclic in
  /// (X, Y, Z); the Schroedinger map is (r_b, r_c) <- (cos t r_b - sin t
  /// r_c, cos t r_c + sin t r_b) with t the weight.
  std::uint8_t b = 0;
  std::uint8_t c = 0;
  int qubit = 0;    // rotations: the qubit; Cliffords: the control
  int target = -1;  // Cliffords
  int param = -1;   // rotations: index into the weight vector
};

/// Conjugation of a two-qubit Pauli (p_control + 4 p_target) by CNOT or CZ:
/// the image's digits in the same form, and its sign (+1 or -1).
/// Plain arrays: the kernels read it on the device, where std::array's
/// operator[] is a host function (nvcc: "calling a constexpr __host__
/// function from a __host__ __device__ function is not allowed").
struct CliffordTable {
  std::uint8_t image[16] = {};
  std::int8_t sign[16] = {};
};

struct PauliProgram {
  int qubits = 0;
  long size = 0;  // 4^qubits
  std::vector<PauliOp> ops;
  std::array<CliffordTable, 2> cliffords{};  // [0] CNOT, [1] CZ
  /// Observables whose expectations the kernels compute: <Z_q> for
  /// expval-z; <Z_S> for every subset S of the readout qubits (S = bit mask,
  /// S = 0 the identity) for probabilities, which are then
  /// P(b) = 2^-k sum_S (-1)^{|b & S|} <Z_S> (a Walsh-Hadamard transform).
  std::vector<std::int32_t> observables;  // Pauli index of each (coefficient 1)
  /// Angle encoding: the 3^n monomials m_P = prod_q v_q[p_q] of the input
  /// state, v_q = (1, cos t_q, sin t_q), P = sum_q p_q 3^q; monomial P is
  /// the coefficient of Pauli string `monomial_pauli[P]` in mu, times
  /// `monomial_sign[P]`. Empty for amplitude encoding.
  std::vector<std::int32_t> monomial_pauli;
  std::vector<std::int8_t> monomial_sign;
};

/// Throws UsageError on gates that do not fit `spec.qubits`.
PauliProgram compile_pauli(const CircuitSpec& spec, const std::vector<Gate>& gates);

/// 3^n.
long monomial_count(int qubits);

/// The observables the compiled evaluator computes for `spec`: n for
/// expval-z, 2^k (every Z_S) for probabilities over k qubits.
int observable_count(const CircuitSpec& spec);

/// Moments per observable: 3^n (angle), 4^n (amplitude).
long moments_per_observable(const CircuitSpec& spec);

}  // namespace resqunn::quantum::detail
