// What a model's circuits have cost so far: circuits simulated, and bytes
// copied between host and device memory for them.
#pragma once

namespace resqunn::model {

/// Circuit simulations a model has run — the unit of its cost; an adjoint
/// pass (forward + VJP) costs about 3x a forward (docs/benchmarks.md) — and
/// the bytes its circuit calls copied between host memory and the execution
/// space's memory: per-circuit data (inputs, upstream gradients, outputs,
/// input gradients: grows with the batch) and per-call parameters (weights,
/// weight gradients, moments). Both are 0 where the execution space reads
/// host memory (CPU backends): the kernels then work on the model's arrays
/// in place.
struct Work {
  long forward_circuits = 0;
  long adjoint_circuits = 0;
  long circuit_bytes_moved = 0;
  long parameter_bytes_moved = 0;

  Work& operator+=(const Work& o) noexcept {
    forward_circuits += o.forward_circuits;
    adjoint_circuits += o.adjoint_circuits;
    circuit_bytes_moved += o.circuit_bytes_moved;
    parameter_bytes_moved += o.parameter_bytes_moved;
    return *this;
  }
};

}  // namespace resqunn::model
