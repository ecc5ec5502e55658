// Runs one circuit structure over a host-side batch of inputs on Kokkos'
// default execution space: the model keeps its tensors in host memory
// (std::vector), the kernels take Views. On host-accessible spaces the Views
// alias the vectors (no copies); on GPUs the data is copied in and out, and
// the bytes copied are counted (work()).
// Internal to the model component.
#pragma once

#include "resqunn/model/work.hpp"
#include "resqunn/quantum/circuit.hpp"

#include <memory>
#include <vector>

namespace resqunn::model::detail {

class CircuitRunner {
public:
  explicit CircuitRunner(const quantum::CircuitSpec& spec);
  ~CircuitRunner();
  CircuitRunner(CircuitRunner&&) noexcept;
  CircuitRunner& operator=(CircuitRunner&&) noexcept;

  const quantum::CircuitSpec& spec() const noexcept { return spec_; }
  /// Circuits simulated so far: forward only, and forward + adjoint.
  long forward_circuits() const noexcept { return work_.forward_circuits; }
  long adjoint_circuits() const noexcept { return work_.adjoint_circuits; }
  /// Those counts and the bytes copied between host and device memory.
  const Work& work() const noexcept { return work_; }

  /// outputs = batch x output_size (resized).
  void forward(const std::vector<double>& inputs, std::size_t batch, const double* weights,
               std::vector<double>& outputs);

  /// Forward + adjoint: outputs (only if `outputs` is non-null: callers that
  /// ran forward on this batch already have them), input_grads (batch x
  /// input_size, only if `input_grads` is non-null) and weight_grads
  /// (weight_count, overwritten). `weights` points at weight_count values.
  void vjp(const std::vector<double>& inputs, std::size_t batch, const double* weights,
           const std::vector<double>& upstream, std::vector<double>* outputs,
           std::vector<double>* input_grads, std::vector<double>& weight_grads);

  /// The compiled evaluator's moments per batch (0 for the state vector):
  /// vjp_moments returns them in place of weight gradients, to be summed over
  /// batches and turned into weight gradients once (quantum::BatchedCircuit).
  long moment_count() const noexcept;
  void vjp_moments(const std::vector<double>& inputs, std::size_t batch, const double* weights,
                   const std::vector<double>& upstream, std::vector<double>* outputs,
                   std::vector<double>* input_grads, std::vector<double>& moments);
  /// weight_grads (weight_count, overwritten) from a sum of moments
  /// (moment_count() values at `moments`).
  void weight_grads_from_moments(const double* weights, const double* moments,
                                 std::vector<double>& weight_grads);

private:
  struct Impl;
  void adjoint(const std::vector<double>& inputs, std::size_t batch, const double* weights,
               const std::vector<double>& upstream, std::vector<double>* outputs,
               std::vector<double>* input_grads, std::vector<double>& grads, bool moments);
  quantum::CircuitSpec spec_;
  std::unique_ptr<Impl> impl_;
  Work work_;
};

}  // namespace resqunn::model::detail
