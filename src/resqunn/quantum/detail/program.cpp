#include "resqunn/quantum/detail/program.hpp"

#include "resqunn/core/error.hpp"

#include <algorithm>
#include <string>

namespace resqunn::quantum::detail {

namespace {

void check_qubit(int q, int qubits, const char* role) {
  if (q < 0 || q >= qubits) {
    throw UsageError(std::string("gate ") + role + " qubit " + std::to_string(q) + " outside 0.." +
                     std::to_string(qubits - 1));
  }
}

}  // namespace

Program compile(const std::vector<Gate>& gates, int qubits) {
  Program p;
  p.dim = 1 << qubits;
  // slot_of[L]: memory slot holding logical basis state L.
  std::vector<std::int32_t> slot_of(p.dim);
  for (int i = 0; i < p.dim; ++i) slot_of[i] = i;

  auto pair_table = [&](int t) {
    const int offset = static_cast<int>(p.slots.size());
    for (int k = 0; k < p.dim / 2; ++k) {
      const int l0 = ((k >> t) << (t + 1)) | (k & ((1 << t) - 1));
      p.slots.push_back(slot_of[l0]);
      p.slots.push_back(slot_of[l0 | (1 << t)]);
    }
    return offset;
  };

  // open[q]: the step that later rotations on qubit q may join. Rotations on
  // other qubits commute with them; a CNOT or CZ closes every open step
  // (it changes the slot map, or does not commute).
  std::vector<int> open(qubits, -1);
  bool entangled = false;
  for (const Gate& g : gates) {
    check_qubit(g.target, qubits, "target");
    if (g.kind == GateKind::cnot || g.kind == GateKind::cz) {
      check_qubit(g.control, qubits, "control");
      if (g.control == g.target) throw UsageError("two-qubit gate with control == target");
      std::fill(open.begin(), open.end(), -1);
      entangled = true;
    }
    switch (g.kind) {
      case GateKind::rx:
      case GateKind::ry:
      case GateKind::rz: {
        int& o = open[g.target];
        if (o < 0 || p.steps[o].count == kMaxFused) {
          Step s;
          s.target = g.target;
          s.table = pair_table(g.target);
          p.steps.push_back(s);
          o = static_cast<int>(p.steps.size()) - 1;
          if (!entangled) p.prefix = static_cast<int>(p.steps.size());
        }
        Step& s = p.steps[o];
        s.axis[s.count] = g.kind;
        s.param[s.count] = g.param;
        ++s.count;
        break;
      }
      case GateKind::cnot: {
        // After CNOT, logical state L holds what L ^ (bit_c(L) << t) held.
        std::vector<std::int32_t> next(p.dim);
        for (int l = 0; l < p.dim; ++l) {
          next[l] = slot_of[l ^ (((l >> g.control) & 1) << g.target)];
        }
        slot_of.swap(next);
        break;
      }
      case GateKind::cz: {
        Step s;
        s.kind = StepKind::cz;
        s.table = static_cast<int>(p.slots.size());
        const int both = (1 << g.control) | (1 << g.target);
        for (int l = 0; l < p.dim; ++l) {
          if ((l & both) == both) p.slots.push_back(slot_of[l]);
        }
        p.steps.push_back(s);
        break;
      }
    }
  }
  p.logical.assign(p.dim, 0);
  for (int l = 0; l < p.dim; ++l) p.logical[slot_of[l]] = l;
  return p;
}

}  // namespace resqunn::quantum::detail
