// Compiles a gate list into the program the kernels run:
//  * consecutive rotations on the same qubit are fused into one step (one
//    memory sweep forward; the adjoint still differentiates each rotation);
//  * CNOTs move no data: they permute which memory slot holds which basis
//    state, and every later step addresses its amplitude pairs through a
//    precomputed slot table. The readout reads through the final map;
//  * the steps before the first two-qubit gate (the "product prefix") act
//    on single qubits of what is, after angle encoding, a product state:
//    the kernels apply them to per-qubit 2-vectors instead of the full state.
// Host-side; internal to the quantum component.
#pragma once

#include "resqunn/quantum/circuit.hpp"

#include <cstdint>
#include <vector>

namespace resqunn::quantum::detail {

inline constexpr int kMaxFused = 3;

enum class StepKind : std::uint8_t { rotations, cz };

struct Step {
  StepKind kind = StepKind::rotations;
  std::uint8_t count = 0;               // rotations fused, applied in order 0..count-1
  GateKind axis[kMaxFused] = {};        // their axes
  int param[kMaxFused] = {-1, -1, -1};  // their weights
  int target = -1;                      // rotations: the qubit
  int table = 0;  // offset into Program::slots: dim/2 pairs (rotations) or dim/4 slots (cz)
};

struct Program {
  int dim = 0;
  std::vector<Step> steps;
  /// steps[0..prefix) come before the first two-qubit gate: single-qubit
  /// rotation steps whose slot tables are the identity map.
  int prefix = 0;
  std::vector<std::int32_t> slots;    // pair and sign tables, see Step::table
  std::vector<std::int32_t> logical;  // logical basis state held by each slot at the end
};

/// Throws UsageError on gates that do not fit `qubits`.
Program compile(const std::vector<Gate>& gates, int qubits);

}  // namespace resqunn::quantum::detail
