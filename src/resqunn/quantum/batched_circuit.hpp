// Batched simulation of one circuit structure over many inputs: forward
// pass and adjoint vector-Jacobian product, one Kokkos dispatch each.
//
// All B circuits share the spec and the weights; each has its own input
// row. Data layout: row-major (LayoutRight) B x features matrices, so that a
// row is one circuit. Inside the kernels, circuits are processed in chunks
// of `lanes` with their state vectors stored amplitude-major and circuit
// fastest (structure of arrays), which lets the compiler vectorise across
// circuits and gives coalesced access on GPUs.
//
// Two evaluators share this contract (CircuitSpec::evaluator): the
// state-vector kernels (gate by gate; detail/circuit_kernels.hpp) and the
// compiled evaluator (the observables compiled once per weight vector, then
// a depth-independent cost per circuit; detail/compiled_evaluator.hpp).
//
// Results do not depend on the position of a circuit in the batch, the
// number of threads or the execution space's concurrency: each circuit's
// arithmetic is the same sequence of operations, and the weight gradient is
// summed in a fixed order (per lane over a team's fixed run of chunks, then
// over the lanes, then over the teams in ascending order). Outputs and input
// gradients do not depend on the batch size either. Design and conventions:
// docs/quantum.md.
#pragma once

#include "resqunn/quantum/circuit.hpp"
#include "resqunn/quantum/detail/lanes.hpp"
#include "resqunn/quantum/detail/program.hpp"

#include <Kokkos_Core.hpp>

#include <memory>

namespace resqunn::quantum {

namespace detail {
template <class ExecSpace>
class CompiledEvaluator;
}  // namespace detail

/// How the kernels map circuits to threads (detail/lanes.hpp): `lanes`
/// (vectorised chunks of 8 circuits per thread, the CPU default) or
/// `threads` (one circuit per thread, teams of 32, the GPU default, which
/// host spaces run too).
using KernelShape = detail::KernelShape;

template <class ExecSpace>
class BatchedCircuit {
public:
  using execution_space = ExecSpace;
  using memory_space = typename ExecSpace::memory_space;
  using Matrix = Kokkos::View<double**, Kokkos::LayoutRight, memory_space>;
  using ConstMatrix = Kokkos::View<const double**, Kokkos::LayoutRight, memory_space>;
  using Vector = Kokkos::View<double*, memory_space>;
  using ConstVector = Kokkos::View<const double*, memory_space>;

  /// Validates the spec (UsageError), resolves Evaluator::automatic
  /// (choose_evaluator) and prepares that evaluator: the gate program of the
  /// state-vector kernels, or the compiled evaluator's Pauli program (which
  /// throws UsageError past its limits when asked for by name). `shape`
  /// picks the kernels' shape; device spaces have only `threads`.
  explicit BatchedCircuit(const CircuitSpec& spec, ExecSpace space = ExecSpace(),
                          KernelShape shape = detail::default_shape<ExecSpace>());
  ~BatchedCircuit();
  BatchedCircuit(const BatchedCircuit&) = default;
  BatchedCircuit& operator=(const BatchedCircuit&) = default;
  BatchedCircuit(BatchedCircuit&&) noexcept = default;
  BatchedCircuit& operator=(BatchedCircuit&&) noexcept = default;

  /// The spec, its evaluator resolved (never Evaluator::automatic).
  const CircuitSpec& spec() const noexcept { return spec_; }
  Evaluator evaluator() const noexcept { return spec_.evaluator; }
  KernelShape shape() const noexcept { return shape_; }

  /// outputs(b, :) = readout of circuit b. Shapes: inputs B x input_size,
  /// weights weight_count, outputs B x output_size. Throws UsageError on a
  /// shape mismatch.
  void forward(ConstMatrix inputs, ConstVector weights, Matrix outputs) const;

  /// Forward pass plus adjoint VJP for upstream gradients dL/d(outputs)
  /// (B x output_size): writes outputs, input_grads(b, :) = dL/d(inputs(b, :))
  /// and weight_grads = sum over b of dL/d(weights) (overwritten). An empty
  /// input_grads (no rows; e.g. a default-constructed Matrix) asks for no
  /// input gradients: callers whose inputs are data (the first layer, or
  /// any layer in barrier mode) skip that part of the adjoint pass. An
  /// empty outputs likewise, for callers that ran forward on the batch.
  void vjp(ConstMatrix inputs, ConstVector weights, ConstMatrix upstream, Matrix outputs,
           Matrix input_grads, Vector weight_grads) const;

  /// The compiled evaluator's moments (0 for the state vector): the VJP's
  /// weight gradient before its last pass, linear in the upstream
  /// gradients, so that callers can sum them over several batches (the
  /// micro-batches of an optimizer step, in a fixed order) and run that pass
  /// once (docs/quantum.md, "Compiled evaluation").
  long moment_count() const noexcept;
  /// As vjp, but `moments` (moment_count()) gets the batch's moments
  /// (overwritten) instead of weight gradients. Compiled evaluator only:
  /// throws UsageError otherwise.
  void vjp_moments(ConstMatrix inputs, ConstVector weights, ConstMatrix upstream, Matrix outputs,
                   Matrix input_grads, Vector moments) const;
  /// weight_grads (overwritten) from a sum of vjp_moments results made with
  /// these weights. Compiled evaluator only.
  void weight_grads_from_moments(ConstVector weights, ConstVector moments,
                                 Vector weight_grads) const;

  /// Circuits per chunk (SIMD width of the structure-of-arrays state) of
  /// the default shape.
  static constexpr int lanes() { return detail::lanes_for<ExecSpace>(); }

private:
  void run(bool vjp, ConstMatrix inputs, ConstVector weights, ConstMatrix upstream, Matrix outputs,
           Matrix input_grads, Vector weight_grads) const;
  template <KernelShape K>
  void run_shape(bool vjp, ConstMatrix inputs, ConstMatrix upstream, Matrix outputs,
                 Matrix input_grads, Vector weight_grads) const;

  CircuitSpec spec_;
  ExecSpace space_;
  KernelShape shape_;
  // Evaluator::compiled: the compiled evaluator (shared by copies, like the
  // Views below); the state-vector members stay empty.
  std::shared_ptr<detail::CompiledEvaluator<ExecSpace>> compiled_;
  // The compiled program (detail/program.hpp) in the execution space's memory.
  Kokkos::View<detail::Step*, memory_space> steps_;
  Kokkos::View<std::int32_t*, memory_space> slots_;
  Kokkos::View<std::int32_t*, memory_space> logical_;
  int prefix_ = 0;  // steps before the first two-qubit gate
  // Per-call work arrays, kept between calls: a BatchedCircuit must not be
  // used by two threads at once.
  Matrix trig_;   // cos, sin of half weights
  Matrix fused_;  // each step's 2x2 unitary
  mutable Matrix partial_;
};

}  // namespace resqunn::quantum
