// The compiled evaluator behind BatchedCircuit (Evaluator::compiled): the
// circuit's observables compiled, per weight vector, into coefficients of
// the input state's monomials (angle) or quadratic forms (amplitude), then
// every circuit of a batch evaluated from them at a cost that does not
// depend on the depth. Same contract as the state-vector kernels: outputs,
// per-circuit input gradients, batch-summed weight gradients, fixed-order
// sums. docs/quantum.md, "Compiled evaluation". Internal to quantum.
#pragma once

#include "resqunn/quantum/circuit.hpp"
#include "resqunn/quantum/detail/lanes.hpp"
#include "resqunn/quantum/detail/pauli_program.hpp"

#include <Kokkos_Core.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace resqunn::quantum::detail {

/// Memory the compiled evaluator needs for `spec` at any batch size: the
/// per-team scratch of the batch kernel (VJP) and the Pauli vectors of its
/// compile and weight-gradient passes, in bytes.
struct CompiledFootprint {
  std::size_t scratch_bytes = 0;
  std::size_t pauli_bytes = 0;
};
CompiledFootprint compiled_footprint(const CircuitSpec& spec, KernelShape shape);

/// Limits of the compiled evaluator (kept so that a team's scratch and the
/// Pauli vectors stay in memory): compiled_supported() says whether `spec`
/// fits; require_compiled_supported() throws UsageError naming the limit.
inline constexpr std::size_t kCompiledScratchLimit = std::size_t{64} << 20;
inline constexpr std::size_t kCompiledPauliLimit = std::size_t{1} << 30;
bool compiled_supported(const CircuitSpec& spec, KernelShape shape);
void require_compiled_supported(const CircuitSpec& spec, KernelShape shape);

template <class ExecSpace>
class CompiledEvaluator {
public:
  using memory_space = typename ExecSpace::memory_space;
  using Matrix = Kokkos::View<double**, Kokkos::LayoutRight, memory_space>;
  using ConstMatrix = Kokkos::View<const double**, Kokkos::LayoutRight, memory_space>;
  using Vector = Kokkos::View<double*, memory_space>;
  using ConstVector = Kokkos::View<const double*, memory_space>;

  /// `spec` must be valid and compiled_supported for `shape`.
  CompiledEvaluator(const CircuitSpec& spec, ExecSpace space,
                    KernelShape shape = default_shape<ExecSpace>());

  /// As BatchedCircuit::forward / vjp (shapes already checked). Compiles
  /// first when `weights` differ from the last compiled ones, so that calls
  /// with the same weights (micro-batches and validation of one optimizer
  /// step) share one compile.
  void run(bool vjp, ConstMatrix inputs, ConstVector weights, ConstMatrix upstream, Matrix outputs,
           Matrix input_grads, Vector weight_grads);

  /// The VJP without its weight-gradient pass: `moments` (moment_count(),
  /// overwritten) gets the batch's moments, which are linear in the upstream
  /// gradients: sums of several calls' moments give, through
  /// weight_grads_from_moments, the weight gradient of all of them at the
  /// cost of one pass.
  void vjp_moments(ConstMatrix inputs, ConstVector weights, ConstMatrix upstream, Matrix outputs,
                   Matrix input_grads, Vector moments);
  /// weight_grads (overwritten) = d/d(weights) of sum_j <o_j, T(weights) mu_j>
  /// for the moments vector of vjp_moments.
  void weight_grads_from_moments(ConstVector weights, ConstVector moments, Vector weight_grads);
  long moment_count() const noexcept { return static_cast<long>(nobs_) * nm_; }

  /// How many times the observables were compiled (for tests and benches).
  long compiles() const noexcept { return compiles_; }

private:
  void compile(ConstVector weights);
  // The batch kernel; with a VJP, the moments summed over its teams into
  // `moments`. Returns nothing else.
  void run_kernel(bool vjp, ConstMatrix inputs, ConstVector weights, ConstMatrix upstream,
                  Matrix outputs, Matrix input_grads, Vector moments);
  template <KernelShape K>
  void launch(bool vjp, ConstMatrix inputs, ConstMatrix upstream, Matrix outputs,
              Matrix input_grads, Vector moments);

  CircuitSpec spec_;
  ExecSpace space_;
  KernelShape shape_;
  int nobs_ = 0;
  long nm_ = 0;
  long pauli_size_ = 0;
  Kokkos::View<PauliOp*, memory_space> ops_;
  Kokkos::View<CliffordTable*, memory_space> cliffords_;
  Kokkos::View<std::int32_t*, memory_space> observables_;
  Kokkos::View<std::int32_t*, memory_space> monomial_pauli_;
  Kokkos::View<std::int8_t*, memory_space> monomial_sign_;
  Matrix heisenberg_;  // (4^n, observable); the gradient pass's o after extraction
  Matrix coeffs_;      // (observable, nm)
  Matrix work_;        // amplitude: (observable, dim^2) transform rows
  Matrix mu_;          // (4^n, observable)
  Matrix partial_;     // (team, observable * nm)
  Vector moments_;     // observable * nm
  std::vector<double> compiled_weights_;
  bool compiled_ = false;
  long compiles_ = 0;
};

}  // namespace resqunn::quantum::detail
