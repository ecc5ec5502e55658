// Host-side convenience over BatchedCircuit: std::vector in, std::vector
// out, run on the default execution space. Used by `resqunn circuit`, tests
// and anything that is not itself performance critical.
#pragma once

#include "resqunn/quantum/circuit.hpp"

#include <cstddef>
#include <vector>

namespace resqunn::quantum {

struct Evaluation {
  std::size_t batch = 0;
  std::vector<double> outputs;       // batch x output_size, row-major
  std::vector<double> input_grads;   // batch x input_size (empty without upstream)
  std::vector<double> weight_grads;  // weight_count (empty without upstream)
};

/// Runs `batch` circuits. `inputs` is batch x input_size row-major;
/// `upstream`, if not empty, batch x output_size and triggers the VJP.
/// Throws UsageError on inconsistent sizes.
Evaluation evaluate(const CircuitSpec& spec, const std::vector<double>& weights,
                    const std::vector<double>& inputs, std::size_t batch,
                    const std::vector<double>& upstream = {});

/// Amplitude-encoding helper: zero-pads `features` to 2^qubits values.
/// Throws UsageError if there are more than 2^qubits.
std::vector<double> pad_amplitudes(const std::vector<double>& features, int qubits);

}  // namespace resqunn::quantum
