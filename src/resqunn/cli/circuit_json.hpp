// The JSON request/response of `resqunn circuit` (format in docs/cli.md).
#pragma once

#include "resqunn/quantum/circuit.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace resqunn::cli {

struct CircuitRequest {
  quantum::CircuitSpec spec;
  std::vector<double> weights;
  std::vector<double> inputs;  // batch x input_size, row-major (amplitudes zero-padded)
  std::size_t batch = 0;
  std::vector<double> upstream;  // batch x output_size, or empty
};

/// Parses and checks a request; every problem is a UsageError naming the
/// field (and, for arrays, the row) and what was expected.
CircuitRequest parse_circuit_request(const std::string& text, const std::string& source);

/// {"outputs": [[...]], "input_grads": [[...]], "weight_grads": [...], ...}
nlohmann::json circuit_response(const CircuitRequest& request);

}  // namespace resqunn::cli
