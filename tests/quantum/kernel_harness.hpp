// Shared pieces of the quantum-kernel tests: seeded random data, running
// BatchedCircuit<Space> from std::vectors (through Views in the space's own
// memory), the dense reference row by row, and vector comparisons that name
// the failing (row, column).
#pragma once

#include "resqunn/quantum/batched_circuit.hpp"
#include "resqunn/quantum/circuit.hpp"

#include <Kokkos_Core.hpp>

#include "dense_reference.hpp"
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace resqunn::quantum::test {

inline constexpr double kPi = 3.14159265358979323846;

// ---- specs and random data -------------------------------------------------

/// One point of the encoding grid: angle with an axis, or amplitude.
struct EncodingCase {
  Encoding encoding;
  GateKind axis;
};

inline std::vector<EncodingCase> all_encodings() {
  return {{Encoding::angle, GateKind::rx},
          {Encoding::angle, GateKind::ry},
          {Encoding::angle, GateKind::rz},
          {Encoding::amplitude, GateKind::ry}};
}

/// One point of the readout grid: expval-z, or probabilities over the first
/// k qubits (0 = all).
struct ReadoutCase {
  Readout readout;
  int k;
};

inline CircuitSpec make_spec(int n, EncodingCase enc, Ansatz ansatz, int depth, Readout readout,
                             int readout_qubits = 0, double angle_scale = kPi) {
  CircuitSpec s;
  s.qubits = n;
  s.encoding = enc.encoding;
  s.angle_axis = enc.axis;
  s.angle_scale = angle_scale;
  s.ansatz = ansatz;
  s.depth = depth;
  s.readout = readout;
  s.readout_qubits = readout_qubits;
  return s;
}

/// "n=3 paper depth=2 angle(ry, scale=3.14159) probabilities(k=1)".
inline std::string describe(const CircuitSpec& s) {
  std::ostringstream o;
  o << "n=" << s.qubits << " " << to_string(s.ansatz) << " depth=" << s.depth << " "
    << to_string(s.encoding);
  if (s.encoding == Encoding::angle) {
    o << "(" << to_string(s.angle_axis) << ", scale=" << s.angle_scale << ")";
  }
  o << " " << to_string(s.readout);
  if (s.readout == Readout::probabilities) o << "(k=" << s.readout_qubits << ")";
  return o.str();
}

/// The grid the per-qubit tests walk for one ansatz and qubit count: every
/// encoding (all_encodings) x readout (expval-z, all probabilities, the
/// first qubit's), depths 1, 2, 3 in turn (3 gives strongly-entangling range
/// 3 at n >= 4) and angle_scale alternating between pi and 0.8.
inline std::vector<CircuitSpec> encoding_readout_grid(int n, Ansatz ansatz) {
  const ReadoutCase readouts[] = {
      {Readout::expval_z, 0}, {Readout::probabilities, 0}, {Readout::probabilities, 1}};
  std::vector<CircuitSpec> grid;
  int config = 0;
  for (const EncodingCase& enc : all_encodings()) {
    for (const ReadoutCase& ro : readouts) {
      const int depth = 1 + config++ % 3;
      grid.push_back(make_spec(n, enc, ansatz, depth, ro.readout, ro.k, config % 2 ? kPi : 0.8));
    }
  }
  return grid;
}

inline std::string ansatz_name(Ansatz a) {
  std::string name(to_string(a));
  for (char& c : name) c = c == '-' ? '_' : c;
  return name;
}

inline std::vector<double> uniform(std::mt19937_64& rng, std::size_t count, double lo, double hi) {
  std::uniform_real_distribution<double> d(lo, hi);
  std::vector<double> v(count);
  for (double& x : v) x = d(rng);
  return v;
}

inline std::vector<double> random_weights(std::mt19937_64& rng, const CircuitSpec& s) {
  return uniform(rng, static_cast<std::size_t>(reference::weight_count(s)), -kPi, kPi);
}

/// batch x input_size inputs. Angle: uniform in [-1, 1]. Amplitude: rows of
/// random direction and a norm in [0.3, 4] (never normalised), except that
/// row `zero_row` (if < batch) is all zero.
inline std::vector<double> random_inputs(std::mt19937_64& rng, const CircuitSpec& s,
                                         std::size_t batch, std::size_t zero_row = 3) {
  const std::size_t m = static_cast<std::size_t>(reference::input_size(s));
  std::vector<double> x = uniform(rng, batch * m, -1, 1);
  if (s.encoding != Encoding::amplitude) return x;
  std::uniform_real_distribution<double> norm(0.3, 4.0);
  for (std::size_t b = 0; b < batch; ++b) {
    double n2 = 0;
    for (std::size_t j = 0; j < m; ++j) n2 += x[b * m + j] * x[b * m + j];
    const double f = b == zero_row ? 0.0 : norm(rng) / std::sqrt(n2);
    for (std::size_t j = 0; j < m; ++j) x[b * m + j] *= f;
  }
  return x;
}

inline std::vector<double> row(const std::vector<double>& m, std::size_t b, std::size_t width) {
  return std::vector<double>(m.begin() + static_cast<std::ptrdiff_t>(b * width),
                             m.begin() + static_cast<std::ptrdiff_t>((b + 1) * width));
}

// ---- the kernels -------------------------------------------------------------

struct KernelResult {
  std::vector<double> outputs;       // batch x output_size
  std::vector<double> input_grads;   // batch x input_size (vjp only)
  std::vector<double> weight_grads;  // weight_count (vjp only)
};

/// Runs BatchedCircuit<Space>::forward (no upstream) or ::vjp on `batch`
/// rows, with the kernels in `shape`. Result Views are pre-filled with NaN /
/// garbage so that anything the kernel leaves unwritten shows up.
template <class Space>
KernelResult run_kernel(const CircuitSpec& spec, const std::vector<double>& weights,
                        const std::vector<double>& inputs, std::size_t batch,
                        const std::vector<double>* upstream = nullptr, bool input_grads = true,
                        bool outputs = true, KernelShape shape = detail::default_shape<Space>()) {
  using Circuit = BatchedCircuit<Space>;
  const std::size_t m = static_cast<std::size_t>(spec.input_size());
  const std::size_t o = static_cast<std::size_t>(spec.output_size());
  const std::size_t w = weights.size();
  const double nan = std::numeric_limits<double>::quiet_NaN();

  const Circuit circuit(spec, Space(), shape);
  typename Circuit::Matrix in("inputs", batch, m);
  typename Circuit::Vector wt("weights", w);
  // A VJP without outputs: an empty matrix (the kernels skip them).
  typename Circuit::Matrix out("outputs", outputs || !upstream ? batch : 0, o);
  auto in_h = Kokkos::create_mirror_view(in);
  auto wt_h = Kokkos::create_mirror_view(wt);
  for (std::size_t b = 0; b < batch; ++b) {
    for (std::size_t j = 0; j < m; ++j) in_h(b, j) = inputs.at(b * m + j);
  }
  for (std::size_t j = 0; j < w; ++j) wt_h(j) = weights[j];
  Kokkos::deep_copy(in, in_h);
  Kokkos::deep_copy(wt, wt_h);
  Kokkos::deep_copy(out, nan);

  KernelResult r;
  if (upstream == nullptr) {
    circuit.forward(in, wt, out);
  } else {
    typename Circuit::Matrix up("upstream", batch, o);
    // Without input gradients: an empty matrix (the kernels skip them).
    typename Circuit::Matrix ig("input_grads", input_grads ? batch : 0, m);
    typename Circuit::Vector wg("weight_grads", w);
    auto up_h = Kokkos::create_mirror_view(up);
    for (std::size_t b = 0; b < batch; ++b) {
      for (std::size_t j = 0; j < o; ++j) up_h(b, j) = upstream->at(b * o + j);
    }
    Kokkos::deep_copy(up, up_h);
    Kokkos::deep_copy(ig, nan);
    Kokkos::deep_copy(wg, 12345.0);  // must be overwritten, not accumulated into
    circuit.vjp(in, wt, up, out, ig, wg);
    auto ig_h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ig);
    auto wg_h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), wg);
    r.input_grads.resize(input_grads ? batch * m : 0);
    for (std::size_t b = 0; input_grads && b < batch; ++b) {
      for (std::size_t j = 0; j < m; ++j) r.input_grads[b * m + j] = ig_h(b, j);
    }
    r.weight_grads.assign(wg_h.data(), wg_h.data() + w);
  }
  auto out_h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  r.outputs.resize(out.extent(0) * o);
  for (std::size_t b = 0; b < out.extent(0); ++b) {
    for (std::size_t j = 0; j < o; ++j) r.outputs[b * o + j] = out_h(b, j);
  }
  return r;
}

// ---- comparisons -------------------------------------------------------------

/// Expects |got - expected| <= abs_tol + rel_tol * |expected| elementwise
/// (NaN fails). Elements are named (row, column) for a row width `width`;
/// at most `max_report` mismatches are listed, then the count.
inline void expect_close(const std::vector<double>& expected, const std::vector<double>& got,
                         double abs_tol, double rel_tol, std::size_t width, const std::string& what,
                         std::size_t max_report = 4) {
  ASSERT_EQ(expected.size(), got.size()) << what << ": size";
  std::size_t bad = 0;
  double worst = 0;
  std::ostringstream report;
  report.precision(17);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const double err = std::abs(got[i] - expected[i]);
    const bool ok = err <= abs_tol + rel_tol * std::abs(expected[i]);  // false for NaN
    if (ok) continue;
    if (!(err <= worst)) worst = err;
    if (bad++ < max_report) {
      report << "\n  [" << (width ? i / width : 0) << ", " << (width ? i % width : i)
             << "] expected " << expected[i] << ", got " << got[i] << " (error " << err << ")";
    }
  }
  if (bad > 0) {
    ADD_FAILURE() << what << ": " << bad << " of " << expected.size() << " values off (abs tol "
                  << abs_tol << ", rel tol " << rel_tol << ", worst error " << worst << ")"
                  << report.str();
  }
}

/// Bitwise equality (EXPECT_EQ semantics on each double), reported compactly.
inline void expect_identical(const std::vector<double>& expected, const std::vector<double>& got,
                             std::size_t width, const std::string& what) {
  ASSERT_EQ(expected.size(), got.size()) << what << ": size";
  std::size_t bad = 0;
  std::ostringstream report;
  report.precision(17);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (got[i] == expected[i]) continue;
    if (bad++ < 4) {
      report << "\n  [" << i / width << ", " << i % width << "] expected " << expected[i]
             << ", got " << got[i];
    }
  }
  EXPECT_EQ(bad, 0u) << what << ": values differ bitwise" << report.str();
}

// ---- the reference, batched ------------------------------------------------------

inline std::vector<double> reference_outputs(const CircuitSpec& s,
                                             const std::vector<double>& weights,
                                             const std::vector<double>& inputs, std::size_t batch) {
  const std::size_t m = static_cast<std::size_t>(reference::input_size(s));
  std::vector<double> out;
  for (std::size_t b = 0; b < batch; ++b) {
    const std::vector<double> o = reference::outputs(s, weights, row(inputs, b, m));
    out.insert(out.end(), o.begin(), o.end());
  }
  return out;
}

}  // namespace resqunn::quantum::test
