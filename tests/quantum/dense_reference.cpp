#include "dense_reference.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace resqunn::quantum::reference {

namespace {

constexpr double kPi = 3.14159265358979323846;

#if defined(__GLIBC__)
// Every gate allocates and frees full 2^n x 2^n matrices (4 MiB at n = 9).
// By default glibc maps such blocks afresh and unmaps them on free, so each
// gate would page-fault its matrices in again: most of the reference's time
// at nine qubits. Keeping freed memory in the heap changes no result.
const bool kHeapKept = [] {
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  return true;
}();
#endif

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("dense reference: " + what);
}

DenseMatrix from_mat2(const Mat2& m) {
  DenseMatrix d(2);
  d(0, 0) = m[0];
  d(0, 1) = m[1];
  d(1, 0) = m[2];
  d(1, 1) = m[3];
  return d;
}

int qubits_of(const CircuitSpec& spec) {
  require(spec.qubits >= 1 && spec.qubits <= 16, "qubits out of range");
  return spec.qubits;
}

// The CNOT ring as the text spells it: CNOT(0,1), ..., CNOT(n-2,n-1),
// CNOT(n-1,0); only CNOT(0,1) for n = 2; nothing for n = 1.
void append_ring(std::vector<Step>& program, int n) {
  if (n == 1) return;
  if (n == 2) {
    program.push_back({Step::cnot, 1, 0, -1});
    return;
  }
  for (int c = 0; c < n; ++c) program.push_back({Step::cnot, (c + 1) % n, c, -1});
}

double contract(const std::vector<double>& upstream, const std::vector<double>& out) {
  double s = 0;
  for (std::size_t o = 0; o < out.size(); ++o) s += upstream[o] * out[o];
  return s;
}

void check_sizes(const CircuitSpec& spec, const std::vector<double>& weights,
                 const std::vector<double>& inputs) {
  require(static_cast<int>(weights.size()) == weight_count(spec),
          "expected " + std::to_string(weight_count(spec)) + " weights, got " +
              std::to_string(weights.size()));
  require(static_cast<int>(inputs.size()) == input_size(spec),
          "expected " + std::to_string(input_size(spec)) + " inputs, got " +
              std::to_string(inputs.size()));
}

}  // namespace

// ---- linear algebra -------------------------------------------------------

DenseMatrix identity(int dim) {
  DenseMatrix m(dim);
  for (int i = 0; i < dim; ++i) m(i, i) = 1.0;
  return m;
}

DenseMatrix kron(const DenseMatrix& a, const DenseMatrix& b) {
  DenseMatrix k(a.dim * b.dim);
  for (int ar = 0; ar < a.dim; ++ar) {
    for (int ac = 0; ac < a.dim; ++ac) {
      // k starts zero; skipping a's exact zeros only saves time.
      if (a(ar, ac) == Complex(0.0)) continue;
      for (int br = 0; br < b.dim; ++br) {
        for (int bc = 0; bc < b.dim; ++bc) {
          k(ar * b.dim + br, ac * b.dim + bc) = a(ar, ac) * b(br, bc);
        }
      }
    }
  }
  return k;
}

DenseMatrix add(const DenseMatrix& a, const DenseMatrix& b) {
  require(a.dim == b.dim, "add: dimension mismatch");
  DenseMatrix s(a.dim);
  for (std::size_t i = 0; i < a.a.size(); ++i) s.a[i] = a.a[i] + b.a[i];
  return s;
}

DenseMatrix multiply(const DenseMatrix& a, const DenseMatrix& b) {
  require(a.dim == b.dim, "multiply: dimension mismatch");
  DenseMatrix p(a.dim);
  for (int r = 0; r < a.dim; ++r) {
    for (int k = 0; k < a.dim; ++k) {
      for (int c = 0; c < a.dim; ++c) p(r, c) += a(r, k) * b(k, c);
    }
  }
  return p;
}

DenseMatrix adjoint(const DenseMatrix& a) {
  DenseMatrix t(a.dim);
  for (int r = 0; r < a.dim; ++r) {
    for (int c = 0; c < a.dim; ++c) t(c, r) = std::conj(a(r, c));
  }
  return t;
}

State multiply(const DenseMatrix& m, const State& psi) {
  require(static_cast<int>(psi.size()) == m.dim, "multiply: dimension mismatch");
  State out(psi.size());
  for (int r = 0; r < m.dim; ++r) {
    Complex s = 0.0;
    for (int c = 0; c < m.dim; ++c) {
      const Complex e = m(r, c);
      // Skipping exact zeros changes no result (0 * finite = 0) and keeps
      // 9-qubit circuits affordable.
      if (e != Complex(0.0)) s += e * psi[c];
    }
    out[r] = s;
  }
  return out;
}

// ---- gates ----------------------------------------------------------------

Mat2 pauli_x() { return {0.0, 1.0, 1.0, 0.0}; }
Mat2 pauli_y() { return {0.0, Complex(0, -1), Complex(0, 1), 0.0}; }
Mat2 pauli_z() { return {1.0, 0.0, 0.0, -1.0}; }
Mat2 projector0() { return {1.0, 0.0, 0.0, 0.0}; }
Mat2 projector1() { return {0.0, 0.0, 0.0, 1.0}; }

Mat2 rotation(char axis, double theta) {
  // exp(-i t P / 2) = cos(t/2) I - i sin(t/2) P for an involutory P.
  require(axis == 'x' || axis == 'y' || axis == 'z', "rotation axis must be x, y or z");
  const Mat2 p = axis == 'x' ? pauli_x() : axis == 'y' ? pauli_y() : pauli_z();
  const double c = std::cos(theta / 2), s = std::sin(theta / 2);
  const Mat2 id = {1.0, 0.0, 0.0, 1.0};
  Mat2 r;
  for (int i = 0; i < 4; ++i) r[i] = c * id[i] - Complex(0, 1) * s * p[i];
  return r;
}

DenseMatrix embed(int n, const std::vector<Factor>& factors) {
  require(n >= 1, "embed: need at least one qubit");
  std::vector<DenseMatrix> per_qubit(n, identity(2));
  std::vector<bool> given(n, false);
  for (const Factor& f : factors) {
    require(f.qubit >= 0 && f.qubit < n, "embed: qubit out of range");
    require(!given[f.qubit], "embed: qubit given twice");
    given[f.qubit] = true;
    per_qubit[f.qubit] = from_mat2(f.m);
  }
  // F_{n-1} (x) ... (x) F_0: in kron(A, B) the row index is rA * dim(B) + rB,
  // so the factor appended last owns the least significant bit.
  DenseMatrix m = identity(1);
  for (int q = n - 1; q >= 0; --q) m = kron(m, per_qubit[q]);
  return m;
}

DenseMatrix cnot_matrix(int n, int control, int target) {
  require(control != target, "cnot: control == target");
  return add(embed(n, {{control, projector0()}}),
             embed(n, {{control, projector1()}, {target, pauli_x()}}));
}

DenseMatrix cz_matrix(int n, int control, int target) {
  require(control != target, "cz: control == target");
  return add(embed(n, {{control, projector0()}}),
             embed(n, {{control, projector1()}, {target, pauli_z()}}));
}

// ---- circuits -------------------------------------------------------------

std::vector<Step> ansatz_program(const CircuitSpec& spec) {
  const int n = qubits_of(spec);
  require(spec.depth >= 1, "depth must be >= 1");
  std::vector<Step> program;
  for (int l = 0; l < spec.depth; ++l) {
    switch (spec.ansatz) {
      case Ansatz::paper:
        // RY(q) with weight l*2n + q, RX(q) with weight l*2n + n + q, ring.
        for (int q = 0; q < n; ++q) program.push_back({Step::ry, q, -1, l * 2 * n + q});
        for (int q = 0; q < n; ++q) program.push_back({Step::rx, q, -1, l * 2 * n + n + q});
        append_ring(program, n);
        break;
      case Ansatz::basic_entangler:
        for (int q = 0; q < n; ++q) program.push_back({Step::rx, q, -1, l * n + q});
        append_ring(program, n);
        break;
      case Ansatz::strongly_entangling:
        for (int q = 0; q < n; ++q) {
          program.push_back({Step::rz, q, -1, l * 3 * n + 3 * q + 0});
          program.push_back({Step::ry, q, -1, l * 3 * n + 3 * q + 1});
          program.push_back({Step::rz, q, -1, l * 3 * n + 3 * q + 2});
        }
        // CNOT(q, (q + r) mod n), r = 1 + (l mod (n - 1)); no entangler for
        // one qubit (the range is undefined and the target would be q).
        if (n > 1) {
          const int r = 1 + l % (n - 1);
          for (int q = 0; q < n; ++q) program.push_back({Step::cnot, (q + r) % n, q, -1});
        }
        break;
    }
  }
  return program;
}

int weight_count(const CircuitSpec& spec) {
  int count = 0;
  for (const Step& s : ansatz_program(spec)) count += s.weight >= 0 ? 1 : 0;
  return count;
}

int input_size(const CircuitSpec& spec) {
  const int n = qubits_of(spec);
  return spec.encoding == Encoding::angle ? n : 1 << n;
}

int output_size(const CircuitSpec& spec) {
  const int n = qubits_of(spec);
  if (spec.readout == Readout::expval_z) return n;
  require(spec.readout_qubits >= 0 && spec.readout_qubits <= n, "readout_qubits out of range");
  return 1 << (spec.readout_qubits == 0 ? n : spec.readout_qubits);
}

State encode(const CircuitSpec& spec, const std::vector<double>& inputs) {
  const int n = qubits_of(spec);
  const int dim = 1 << n;
  require(static_cast<int>(inputs.size()) == input_size(spec), "wrong input size");
  State psi(dim, 0.0);
  if (spec.encoding == Encoding::angle) {
    const char axis = spec.angle_axis == GateKind::rx   ? 'x'
                      : spec.angle_axis == GateKind::ry ? 'y'
                      : spec.angle_axis == GateKind::rz ? 'z'
                                                        : '?';
    require(axis != '?', "angle axis must be a rotation");
    psi[0] = 1.0;
    for (int q = 0; q < n; ++q) {
      psi = multiply(embed(n, {{q, rotation(axis, spec.angle_scale * inputs[q])}}), psi);
    }
    return psi;
  }
  double norm2 = 0;
  for (double x : inputs) norm2 += x * x;
  if (norm2 == 0) {
    psi[0] = 1.0;
    return psi;
  }
  const double norm = std::sqrt(norm2);
  for (int i = 0; i < dim; ++i) psi[i] = inputs[i] / norm;
  return psi;
}

State final_state(const CircuitSpec& spec, const std::vector<double>& weights,
                  const std::vector<double>& inputs) {
  check_sizes(spec, weights, inputs);
  const int n = spec.qubits;
  State psi = encode(spec, inputs);
  for (const Step& s : ansatz_program(spec)) {
    switch (s.kind) {
      case Step::rx:
        psi = multiply(embed(n, {{s.target, rotation('x', weights[s.weight])}}), psi);
        break;
      case Step::ry:
        psi = multiply(embed(n, {{s.target, rotation('y', weights[s.weight])}}), psi);
        break;
      case Step::rz:
        psi = multiply(embed(n, {{s.target, rotation('z', weights[s.weight])}}), psi);
        break;
      case Step::cnot:
        psi = multiply(cnot_matrix(n, s.control, s.target), psi);
        break;
      case Step::cz:
        psi = multiply(cz_matrix(n, s.control, s.target), psi);
        break;
    }
  }
  return psi;
}

std::vector<double> readout(const CircuitSpec& spec, const State& psi) {
  const int n = qubits_of(spec);
  const int dim = 1 << n;
  require(static_cast<int>(psi.size()) == dim, "readout: wrong state size");
  std::vector<double> out;
  if (spec.readout == Readout::expval_z) {
    for (int q = 0; q < n; ++q) {
      const State z_psi = multiply(embed(n, {{q, pauli_z()}}), psi);
      Complex e = 0.0;
      for (int i = 0; i < dim; ++i) e += std::conj(psi[i]) * z_psi[i];
      out.push_back(e.real());
    }
    return out;
  }
  const int k = spec.readout_qubits == 0 ? n : spec.readout_qubits;
  out.assign(static_cast<std::size_t>(1) << k, 0.0);
  for (int i = 0; i < dim; ++i) out[i % (1 << k)] += std::norm(psi[i]);
  return out;
}

std::vector<double> outputs(const CircuitSpec& spec, const std::vector<double>& weights,
                            const std::vector<double>& inputs) {
  return readout(spec, final_state(spec, weights, inputs));
}

std::vector<double> parameter_shift_weight_grad(const CircuitSpec& spec,
                                                const std::vector<double>& weights,
                                                const std::vector<double>& inputs,
                                                const std::vector<double>& upstream) {
  check_sizes(spec, weights, inputs);
  require(static_cast<int>(upstream.size()) == output_size(spec), "wrong upstream size");
  std::vector<double> grad(weights.size());
  for (std::size_t j = 0; j < weights.size(); ++j) {
    std::vector<double> plus = weights, minus = weights;
    plus[j] += kPi / 2;
    minus[j] -= kPi / 2;
    grad[j] = (contract(upstream, outputs(spec, plus, inputs)) -
               contract(upstream, outputs(spec, minus, inputs))) /
              2;
  }
  return grad;
}

Gradients finite_difference_grads(const CircuitSpec& spec, const std::vector<double>& weights,
                                  const std::vector<double>& inputs,
                                  const std::vector<double>& upstream, double h) {
  check_sizes(spec, weights, inputs);
  require(static_cast<int>(upstream.size()) == output_size(spec), "wrong upstream size");
  require(h > 0, "step must be positive");
  Gradients g;
  g.weights.resize(weights.size());
  for (std::size_t j = 0; j < weights.size(); ++j) {
    std::vector<double> plus = weights, minus = weights;
    plus[j] += h;
    minus[j] -= h;
    g.weights[j] = (contract(upstream, outputs(spec, plus, inputs)) -
                    contract(upstream, outputs(spec, minus, inputs))) /
                   (2 * h);
  }
  g.inputs.assign(inputs.size(), 0.0);
  bool all_zero = true;
  for (double x : inputs) all_zero = all_zero && x == 0;
  if (spec.encoding == Encoding::amplitude && all_zero) return g;
  for (std::size_t j = 0; j < inputs.size(); ++j) {
    std::vector<double> plus = inputs, minus = inputs;
    plus[j] += h;
    minus[j] -= h;
    g.inputs[j] = (contract(upstream, outputs(spec, weights, plus)) -
                   contract(upstream, outputs(spec, weights, minus))) /
                  (2 * h);
  }
  return g;
}

}  // namespace resqunn::quantum::reference
