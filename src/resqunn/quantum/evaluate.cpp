#include "resqunn/quantum/evaluate.hpp"

#include "resqunn/core/error.hpp"
#include "resqunn/quantum/batched_circuit.hpp"

#include <string>

namespace resqunn::quantum {

namespace {

using Space = Kokkos::DefaultExecutionSpace;
using Circuit = BatchedCircuit<Space>;

void expect_size(const std::vector<double>& v, std::size_t want, const std::string& what) {
  if (v.size() != want) {
    throw UsageError(what + " has " + std::to_string(v.size()) + " values, expected " +
                     std::to_string(want));
  }
}

Circuit::Matrix to_device(const std::vector<double>& v, std::size_t rows, std::size_t cols,
                          const char* label) {
  Circuit::Matrix d(std::string(label), rows, cols);
  auto h = Kokkos::create_mirror_view(d);
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < cols; ++j) h(i, j) = v[i * cols + j];
  }
  Kokkos::deep_copy(d, h);
  return d;
}

std::vector<double> to_host(const Circuit::Matrix& d) {
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), d);
  std::vector<double> v(d.extent(0) * d.extent(1));
  for (std::size_t i = 0; i < d.extent(0); ++i) {
    for (std::size_t j = 0; j < d.extent(1); ++j) v[i * d.extent(1) + j] = h(i, j);
  }
  return v;
}

}  // namespace

Evaluation evaluate(const CircuitSpec& spec, const std::vector<double>& weights,
                    const std::vector<double>& inputs, std::size_t batch,
                    const std::vector<double>& upstream) {
  spec.validate();
  const auto nin = static_cast<std::size_t>(spec.input_size());
  const auto nout = static_cast<std::size_t>(spec.output_size());
  const auto nw = static_cast<std::size_t>(spec.weight_count());
  expect_size(weights, nw, "weights");
  expect_size(inputs, batch * nin, "inputs (batch x " + std::to_string(nin) + ")");
  const bool vjp = !upstream.empty();
  if (vjp) expect_size(upstream, batch * nout, "upstream (batch x " + std::to_string(nout) + ")");

  const Circuit circuit(spec);
  const auto x = to_device(inputs, batch, nin, "inputs");
  const auto w = to_device(weights, nw, 1, "weights");
  const Circuit::ConstVector wv = Kokkos::subview(w, Kokkos::ALL, 0);
  Circuit::Matrix y("outputs", batch, nout);
  Evaluation e;
  e.batch = batch;
  if (!vjp) {
    circuit.forward(x, wv, y);
  } else {
    const auto u = to_device(upstream, batch, nout, "upstream");
    Circuit::Matrix gx("input_grads", batch, nin);
    Circuit::Matrix gw("weight_grads", nw, 1);
    circuit.vjp(x, wv, u, y, gx, Kokkos::subview(gw, Kokkos::ALL, 0));
    e.input_grads = to_host(gx);
    e.weight_grads = to_host(gw);
  }
  e.outputs = to_host(y);
  return e;
}

std::vector<double> pad_amplitudes(const std::vector<double>& features, int qubits) {
  const std::size_t dim = std::size_t{1} << qubits;
  if (features.size() > dim) {
    throw UsageError(std::to_string(features.size()) + " amplitude features do not fit " +
                         std::to_string(qubits) + " qubits (at most " + std::to_string(dim) + ")",
                     "use more qubits or fewer features");
  }
  std::vector<double> padded(features);
  padded.resize(dim, 0.0);
  return padded;
}

}  // namespace resqunn::quantum
