#include "resqunn/model/detail/circuit_runner.hpp"

#include "resqunn/quantum/batched_circuit.hpp"

#include <Kokkos_Core.hpp>

#include <type_traits>

namespace resqunn::model::detail {

namespace {

using Space = Kokkos::DefaultExecutionSpace;
using Circuit = quantum::BatchedCircuit<Space>;
using Matrix = Circuit::Matrix;
using Vector = Circuit::Vector;
using HostMatrix = Kokkos::View<double**, Kokkos::LayoutRight, Kokkos::HostSpace,
                                Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
using HostVector =
    Kokkos::View<double*, Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;

constexpr bool kHostAccessible =
    Kokkos::SpaceAccessibility<Kokkos::HostSpace, Space::memory_space>::accessible;

// A device view of a host array: the array itself where the device can read
// host memory, else a copy (whose bytes, when copied in, are added to
// `moved`). Templates on the space so that the branch not taken is never
// instantiated: wrapping host memory in a CUDA view does not compile, and
// copying is wasted work on host spaces.
template <class S, class HostView, class... Extents>
auto device_view(const HostView& host, bool copy_in, long& moved, Extents... extents) {
  using View = std::conditional_t<HostView::rank == 1, typename quantum::BatchedCircuit<S>::Vector,
                                  typename quantum::BatchedCircuit<S>::Matrix>;
  if constexpr (Kokkos::SpaceAccessibility<Kokkos::HostSpace,
                                           typename S::memory_space>::accessible) {
    (void)copy_in;
    (void)moved;
    return View(host);
  } else {
    View d(Kokkos::view_alloc(Kokkos::WithoutInitializing, "resqunn::model::buffer"), extents...);
    if (copy_in) {
      Kokkos::deep_copy(d, host);
      moved += static_cast<long>(sizeof(double) * d.span());
    }
    return d;
  }
}

Matrix device_matrix(double* data, std::size_t rows, std::size_t cols, bool copy_in, long& moved) {
  return device_view<Space>(HostMatrix(data, rows, cols), copy_in, moved, rows, cols);
}

Vector device_vector(double* data, std::size_t n, bool copy_in, long& moved) {
  return device_view<Space>(HostVector(data, n), copy_in, moved, n);
}

// host_data is written through in the !kHostAccessible branch, which if
// constexpr discards on host backends (all that clang-tidy sees there).
template <class V>
// NOLINTNEXTLINE(readability-non-const-parameter)
void copy_out(const V& device, double* host_data, long& moved) {
  if constexpr (!kHostAccessible) {
    if constexpr (V::rank == 1) {
      Kokkos::deep_copy(HostVector(host_data, device.extent(0)), device);
    } else {
      Kokkos::deep_copy(HostMatrix(host_data, device.extent(0), device.extent(1)), device);
    }
    moved += static_cast<long>(sizeof(double) * device.span());
  } else {
    (void)device;
    (void)host_data;
    (void)moved;
  }
}

}  // namespace

struct CircuitRunner::Impl {
  explicit Impl(const quantum::CircuitSpec& spec) : circuit(spec) {}
  Circuit circuit;
};

CircuitRunner::CircuitRunner(const quantum::CircuitSpec& spec)
    : spec_(spec), impl_(std::make_unique<Impl>(spec)) {}
CircuitRunner::~CircuitRunner() = default;
CircuitRunner::CircuitRunner(CircuitRunner&&) noexcept = default;
CircuitRunner& CircuitRunner::operator=(CircuitRunner&&) noexcept = default;

void CircuitRunner::forward(const std::vector<double>& inputs, std::size_t batch,
                            const double* weights, std::vector<double>& outputs) {
  const std::size_t nin = spec_.input_size(), nout = spec_.output_size();
  const std::size_t nw = spec_.weight_count();
  outputs.resize(batch * nout);
  // The kernels only read inputs and weights; const_cast lets one unmanaged
  // view type serve both directions.
  long& data = work_.circuit_bytes_moved;
  auto x = device_matrix(const_cast<double*>(inputs.data()), batch, nin, true, data);
  auto w = device_vector(const_cast<double*>(weights), nw, true, work_.parameter_bytes_moved);
  auto y = device_matrix(outputs.data(), batch, nout, false, data);
  impl_->circuit.forward(x, w, y);
  work_.forward_circuits += static_cast<long>(batch);
  copy_out(y, outputs.data(), data);
}

void CircuitRunner::vjp(const std::vector<double>& inputs, std::size_t batch, const double* weights,
                        const std::vector<double>& upstream, std::vector<double>* outputs,
                        std::vector<double>* input_grads, std::vector<double>& weight_grads) {
  weight_grads.resize(spec_.weight_count());
  adjoint(inputs, batch, weights, upstream, outputs, input_grads, weight_grads, false);
}

void CircuitRunner::vjp_moments(const std::vector<double>& inputs, std::size_t batch,
                                const double* weights, const std::vector<double>& upstream,
                                std::vector<double>* outputs, std::vector<double>* input_grads,
                                std::vector<double>& moments) {
  moments.resize(static_cast<std::size_t>(moment_count()));
  adjoint(inputs, batch, weights, upstream, outputs, input_grads, moments, true);
}

// The adjoint pass; `grads` receives weight gradients, or with `moments`
// the compiled evaluator's moments.
void CircuitRunner::adjoint(const std::vector<double>& inputs, std::size_t batch,
                            const double* weights, const std::vector<double>& upstream,
                            std::vector<double>* outputs, std::vector<double>* input_grads,
                            std::vector<double>& grads, bool moments) {
  const std::size_t nin = spec_.input_size(), nout = spec_.output_size();
  const std::size_t nw = spec_.weight_count();
  // Outputs or input gradients not wanted: empty matrices, which the
  // kernels skip.
  if (outputs) outputs->resize(batch * nout);
  if (input_grads) input_grads->resize(batch * nin);
  long& data = work_.circuit_bytes_moved;
  long& params = work_.parameter_bytes_moved;
  auto x = device_matrix(const_cast<double*>(inputs.data()), batch, nin, true, data);
  auto w = device_vector(const_cast<double*>(weights), nw, true, params);
  auto u = device_matrix(const_cast<double*>(upstream.data()), batch, nout, true, data);
  auto y = outputs ? device_matrix(outputs->data(), batch, nout, false, data) : Matrix();
  auto gx = input_grads ? device_matrix(input_grads->data(), batch, nin, false, data) : Matrix();
  auto g = device_vector(grads.data(), grads.size(), false, params);
  if (moments) {
    impl_->circuit.vjp_moments(x, w, u, y, gx, g);
  } else {
    impl_->circuit.vjp(x, w, u, y, gx, g);
  }
  work_.adjoint_circuits += static_cast<long>(batch);
  if (outputs) copy_out(y, outputs->data(), data);
  if (input_grads) copy_out(gx, input_grads->data(), data);
  copy_out(g, grads.data(), params);
}

long CircuitRunner::moment_count() const noexcept { return impl_->circuit.moment_count(); }

void CircuitRunner::weight_grads_from_moments(const double* weights, const double* moments,
                                              std::vector<double>& weight_grads) {
  const std::size_t nw = spec_.weight_count();
  weight_grads.resize(nw);
  long& params = work_.parameter_bytes_moved;
  auto w = device_vector(const_cast<double*>(weights), nw, true, params);
  auto m = device_vector(const_cast<double*>(moments), static_cast<std::size_t>(moment_count()),
                         true, params);
  auto g = device_vector(weight_grads.data(), nw, false, params);
  impl_->circuit.weight_grads_from_moments(w, m, g);
  copy_out(g, weight_grads.data(), params);
}

}  // namespace resqunn::model::detail
