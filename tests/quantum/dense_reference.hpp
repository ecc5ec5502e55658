// Dense statevector oracle for the quantum-kernel tests.
//
// Deliberately plain and independent of the kernels: one circuit at a time,
// a state of 2^n std::complex<double>, and every gate applied as a full
// 2^n x 2^n matrix built from Kronecker products of 2x2 matrices. The ansatz
// families, encodings and readouts are re-implemented here from the text of
// circuit.hpp (nothing of the quantum library is called; only CircuitSpec and
// its enums are used as plain data), so a shared misreading of the spec is
// the only way both can agree on a wrong answer.
//
// Conventions (circuit.hpp): qubit q is bit q of a basis index (qubit 0 is
// the least significant bit), R_P(t) = exp(-i t P / 2), all qubits start in
// |0>. A full operator is therefore F_{n-1} (x) ... (x) F_1 (x) F_0, with
// qubit 0's factor rightmost in the Kronecker product.
#pragma once

#include "resqunn/quantum/circuit.hpp"

#include <array>
#include <complex>
#include <vector>

namespace resqunn::quantum::reference {

using Complex = std::complex<double>;
using State = std::vector<Complex>;
/// A 2x2 matrix, row-major: {m00, m01, m10, m11}.
using Mat2 = std::array<Complex, 4>;

/// A square matrix, row-major.
struct DenseMatrix {
  int dim = 0;
  std::vector<Complex> a;

  explicit DenseMatrix(int d = 0) : dim(d), a(static_cast<std::size_t>(d) * d) {}
  Complex& operator()(int r, int c) { return a[static_cast<std::size_t>(r) * dim + c]; }
  const Complex& operator()(int r, int c) const { return a[static_cast<std::size_t>(r) * dim + c]; }
};

DenseMatrix identity(int dim);
DenseMatrix kron(const DenseMatrix& a, const DenseMatrix& b);
DenseMatrix add(const DenseMatrix& a, const DenseMatrix& b);
DenseMatrix multiply(const DenseMatrix& a, const DenseMatrix& b);
/// Conjugate transpose.
DenseMatrix adjoint(const DenseMatrix& a);
State multiply(const DenseMatrix& m, const State& psi);

/// The 2x2 building blocks.
Mat2 pauli_x();
Mat2 pauli_y();
Mat2 pauli_z();
Mat2 projector0();  // |0><0|
Mat2 projector1();  // |1><1|
/// R_axis(theta) = exp(-i theta P / 2) for axis 'x', 'y' or 'z'.
Mat2 rotation(char axis, double theta);

/// The n-qubit operator F_{n-1} (x) ... (x) F_0 with F_q = the factor given
/// for qubit q, identity for the others. Throws std::invalid_argument on a
/// qubit out of range or given twice.
struct Factor {
  int qubit;
  Mat2 m;
};
DenseMatrix embed(int n, const std::vector<Factor>& factors);

/// CNOT(control, target) = |0><0|_c (x) I + |1><1|_c (x) X_t.
DenseMatrix cnot_matrix(int n, int control, int target);
/// CZ(control, target) = |0><0|_c (x) I + |1><1|_c (x) Z_t.
DenseMatrix cz_matrix(int n, int control, int target);

/// One step of the reference's own gate program.
struct Step {
  enum Kind { rx, ry, rz, cnot, cz };
  Kind kind;
  int target;   // rotations: the qubit
  int control;  // two-qubit gates only, else -1
  int weight;   // rotations: index into the weight vector, else -1
};

/// The ansatz written out from circuit.hpp's comment (independently of
/// quantum::ansatz_gates).
std::vector<Step> ansatz_program(const CircuitSpec& spec);

/// Sizes derived independently of CircuitSpec's member functions.
int weight_count(const CircuitSpec& spec);
int input_size(const CircuitSpec& spec);
int output_size(const CircuitSpec& spec);

/// The encoded state: R_axis(angle_scale * x_q) on each qubit q of |0...0>,
/// or x / ||x|| (|0...0> for an all-zero x).
State encode(const CircuitSpec& spec, const std::vector<double>& inputs);
/// Encoding followed by the ansatz.
State final_state(const CircuitSpec& spec, const std::vector<double>& weights,
                  const std::vector<double>& inputs);
/// <Z_q> for q = 0..n-1, or P(b) for b in [0, 2^k) marginal over qubits >= k.
std::vector<double> readout(const CircuitSpec& spec, const State& psi);

/// The readout of one circuit. Throws std::invalid_argument on wrong sizes.
std::vector<double> outputs(const CircuitSpec& spec, const std::vector<double>& weights,
                            const std::vector<double>& inputs);

/// sum_o upstream_o d(out_o)/d(w_j) by the parameter-shift rule
/// [f(w_j + pi/2) - f(w_j - pi/2)] / 2 (exact: every weight drives exactly
/// one rotation, whose generator P/2 has eigenvalues +-1/2).
std::vector<double> parameter_shift_weight_grad(const CircuitSpec& spec,
                                                const std::vector<double>& weights,
                                                const std::vector<double>& inputs,
                                                const std::vector<double>& upstream);

struct Gradients {
  std::vector<double> weights;
  std::vector<double> inputs;
};

/// Central differences (f(v + h) - f(v - h)) / 2h of upstream . outputs,
/// for every weight and every input. Angle inputs are differentiated
/// through angle_scale * x, amplitude inputs through the normalisation. An
/// all-zero amplitude input has, by the spec's convention, a zero input
/// gradient (the state there is not differentiable).
Gradients finite_difference_grads(const CircuitSpec& spec, const std::vector<double>& weights,
                                  const std::vector<double>& inputs,
                                  const std::vector<double>& upstream, double h = 1e-6);

}  // namespace resqunn::quantum::reference
