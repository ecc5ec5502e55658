// CircuitSpec and the ansatz gate programs: hand-written gate lists, sizes,
// validation errors, the name parsers, and the compiled kernel program
// (fused steps, slot tables, product-state prefix).
#include "resqunn/core/error.hpp"
#include "resqunn/quantum/circuit.hpp"
#include "resqunn/quantum/detail/program.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace resqunn::quantum;
using resqunn::UsageError;

namespace {

Gate ry(int q, int w) { return {GateKind::ry, q, -1, w}; }
Gate rx(int q, int w) { return {GateKind::rx, q, -1, w}; }
Gate rz(int q, int w) { return {GateKind::rz, q, -1, w}; }
Gate cnot(int control, int target) { return {GateKind::cnot, target, control, -1}; }
Gate cz(int control, int target) { return {GateKind::cz, target, control, -1}; }

std::string show(const Gate& g) {
  std::string s(to_string(g.kind));
  if (g.kind == GateKind::cnot || g.kind == GateKind::cz) {
    return s + "(" + std::to_string(g.control) + "," + std::to_string(g.target) + ")";
  }
  return s + "(q" + std::to_string(g.target) + ", w" + std::to_string(g.param) + ")";
}

std::string show(const std::vector<Gate>& gates) {
  std::string s;
  for (const Gate& g : gates) s += (s.empty() ? "" : " ") + show(g);
  return s;
}

// Compares field by field (control / param included, so a rotation with a
// stray control or a CNOT with a weight index fails too).
void expect_gates(const std::vector<Gate>& expected, const std::vector<Gate>& got) {
  bool same = expected.size() == got.size();
  for (std::size_t i = 0; same && i < got.size(); ++i) {
    same = expected[i].kind == got[i].kind && expected[i].target == got[i].target &&
           expected[i].control == got[i].control && expected[i].param == got[i].param;
  }
  EXPECT_TRUE(same) << "expected: " << show(expected) << "\n     got: " << show(got);
}

CircuitSpec spec(int n, Ansatz a, int depth) {
  CircuitSpec s;
  s.qubits = n;
  s.ansatz = a;
  s.depth = depth;
  return s;
}

template <class F>
std::string usage_error_of(F&& f) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("WRONG EXCEPTION TYPE: ") + e.what();
  }
  return "NO EXCEPTION";
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST(AnsatzGates, PaperThreeQubitsOneLayer) {
  expect_gates({ry(0, 0), ry(1, 1), ry(2, 2), rx(0, 3), rx(1, 4), rx(2, 5), cnot(0, 1), cnot(1, 2),
                cnot(2, 0)},
               ansatz_gates(spec(3, Ansatz::paper, 1)));
}

TEST(AnsatzGates, PaperTwoLayersNumbersWeightsPerLayer) {
  expect_gates({ry(0, 0), ry(1, 1), rx(0, 2), rx(1, 3), cnot(0, 1),  // layer 0
                ry(0, 4), ry(1, 5), rx(0, 6), rx(1, 7), cnot(0, 1)},
               ansatz_gates(spec(2, Ansatz::paper, 2)));
}

TEST(AnsatzGates, RingOfTwoQubitsIsOneCnotAndOfOneQubitNone) {
  expect_gates({rx(0, 0), rx(1, 1), cnot(0, 1)}, ansatz_gates(spec(2, Ansatz::basic_entangler, 1)));
  expect_gates({rx(0, 0), rx(0, 1)}, ansatz_gates(spec(1, Ansatz::basic_entangler, 2)));
  expect_gates({ry(0, 0), rx(0, 1)}, ansatz_gates(spec(1, Ansatz::paper, 1)));
}

TEST(AnsatzGates, BasicEntanglerFourQubits) {
  expect_gates(
      {rx(0, 0), rx(1, 1), rx(2, 2), rx(3, 3), cnot(0, 1), cnot(1, 2), cnot(2, 3), cnot(3, 0),
       rx(0, 4), rx(1, 5), rx(2, 6), rx(3, 7), cnot(0, 1), cnot(1, 2), cnot(2, 3), cnot(3, 0)},
      ansatz_gates(spec(4, Ansatz::basic_entangler, 2)));
}

TEST(AnsatzGates, StronglyEntanglingRangesCycleOneToNMinusOne) {
  // n = 4, depth 3: r = 1, 2, 3; weights l*12 + 3q + {0, 1, 2}.
  std::vector<Gate> expected;
  for (int l = 0; l < 3; ++l) {
    for (int q = 0; q < 4; ++q) {
      expected.push_back(rz(q, l * 12 + 3 * q));
      expected.push_back(ry(q, l * 12 + 3 * q + 1));
      expected.push_back(rz(q, l * 12 + 3 * q + 2));
    }
    const int r = l + 1;
    for (int q = 0; q < 4; ++q) expected.push_back(cnot(q, (q + r) % 4));
  }
  expect_gates(expected, ansatz_gates(spec(4, Ansatz::strongly_entangling, 3)));
  // Written out for layer 1 (r = 2) to pin the direction: CNOT(q, q + 2).
  const std::vector<Gate> got = ansatz_gates(spec(4, Ansatz::strongly_entangling, 3));
  ASSERT_EQ(got.size(), 48u);
  expect_gates({cnot(0, 2), cnot(1, 3), cnot(2, 0), cnot(3, 1)},
               std::vector<Gate>(got.begin() + 28, got.begin() + 32));
}

TEST(AnsatzGates, StronglyEntanglingSmallRegisters) {
  // n = 3: r = 1, 2, 1 (wraps after n - 1 layers).
  const std::vector<Gate> g3 = ansatz_gates(spec(3, Ansatz::strongly_entangling, 3));
  ASSERT_EQ(g3.size(), 36u);
  expect_gates({cnot(0, 1), cnot(1, 2), cnot(2, 0)},
               std::vector<Gate>(g3.begin() + 9, g3.begin() + 12));
  expect_gates({cnot(0, 2), cnot(1, 0), cnot(2, 1)},
               std::vector<Gate>(g3.begin() + 21, g3.begin() + 24));
  expect_gates({cnot(0, 1), cnot(1, 2), cnot(2, 0)},
               std::vector<Gate>(g3.begin() + 33, g3.begin() + 36));
  // n = 2: CNOT(0,1) and CNOT(1,0) every layer (unlike the ring, not deduplicated).
  expect_gates(
      {rz(0, 0), ry(0, 1), rz(0, 2), rz(1, 3), ry(1, 4), rz(1, 5), cnot(0, 1), cnot(1, 0), rz(0, 6),
       ry(0, 7), rz(0, 8), rz(1, 9), ry(1, 10), rz(1, 11), cnot(0, 1), cnot(1, 0)},
      ansatz_gates(spec(2, Ansatz::strongly_entangling, 2)));
  // n = 1: rotations only.
  expect_gates({rz(0, 0), ry(0, 1), rz(0, 2), rz(0, 3), ry(0, 4), rz(0, 5)},
               ansatz_gates(spec(1, Ansatz::strongly_entangling, 2)));
}

TEST(AnsatzGates, ValidatesTheSpec) {
  EXPECT_THROW(ansatz_gates(spec(0, Ansatz::paper, 1)), UsageError);
  EXPECT_THROW(ansatz_gates(spec(3, Ansatz::paper, 0)), UsageError);
}

TEST(CircuitSpec, Sizes) {
  CircuitSpec s;
  for (int n : {1, 2, 3, 5, 9, 12}) {
    SCOPED_TRACE("n = " + std::to_string(n));
    s.qubits = n;
    s.depth = 3;
    s.ansatz = Ansatz::paper;
    EXPECT_EQ(s.weight_count(), 6 * n);
    s.ansatz = Ansatz::basic_entangler;
    EXPECT_EQ(s.weight_count(), 3 * n);
    s.ansatz = Ansatz::strongly_entangling;
    EXPECT_EQ(s.weight_count(), 9 * n);
    EXPECT_EQ(static_cast<std::size_t>(s.weight_count()),
              ansatz_gates(s).size() - (n > 1 ? 3u * n : 0u));

    s.encoding = Encoding::angle;
    EXPECT_EQ(s.input_size(), n);
    s.encoding = Encoding::amplitude;
    EXPECT_EQ(s.input_size(), 1 << n);

    s.readout = Readout::expval_z;
    s.readout_qubits = 0;
    EXPECT_EQ(s.output_size(), n);
    s.readout_qubits = 1;  // ignored by expval-z
    EXPECT_EQ(s.output_size(), n);
    s.readout = Readout::probabilities;
    s.readout_qubits = 0;
    EXPECT_EQ(s.output_size(), 1 << n);
    s.readout_qubits = n;
    EXPECT_EQ(s.output_size(), 1 << n);
    s.readout_qubits = 1;
    EXPECT_EQ(s.output_size(), 2);
  }
  const CircuitSpec defaults;
  EXPECT_EQ(defaults.qubits, 4);
  EXPECT_EQ(defaults.weight_count(), 8);  // paper, depth 1
  EXPECT_EQ(defaults.input_size(), 4);
  EXPECT_EQ(defaults.output_size(), 4);
  EXPECT_NO_THROW(defaults.validate());
}

TEST(CircuitSpec, ValidateNamesTheFieldAndTheRange) {
  CircuitSpec s;
  for (int n : {1, kMaxQubits}) {
    s.qubits = n;
    EXPECT_NO_THROW(s.validate()) << n;
  }
  for (int n : {0, -1, 13}) {
    s.qubits = n;
    const std::string msg = usage_error_of([&] { s.validate(); });
    EXPECT_TRUE(contains(msg, "qubits") && contains(msg, std::to_string(n)) &&
                contains(msg, "1..12"))
        << msg;
  }
  s = CircuitSpec{};
  for (int d : {0, -2}) {
    s.depth = d;
    const std::string msg = usage_error_of([&] { s.validate(); });
    EXPECT_TRUE(contains(msg, "depth") && contains(msg, std::to_string(d))) << msg;
  }
  s = CircuitSpec{};
  s.angle_axis = GateKind::cnot;
  {
    const std::string msg = usage_error_of([&] { s.validate(); });
    EXPECT_TRUE(contains(msg, "rx, ry or rz")) << msg;
  }
  s = CircuitSpec{};
  s.readout = Readout::probabilities;
  s.readout_qubits = 5;  // > 4 qubits
  {
    const std::string msg = usage_error_of([&] { s.validate(); });
    EXPECT_TRUE(contains(msg, "readout_qubits") && contains(msg, "5") && contains(msg, "0")) << msg;
  }
  s.readout_qubits = -1;
  EXPECT_THROW(s.validate(), UsageError);
  s.readout_qubits = 4;
  EXPECT_NO_THROW(s.validate());
}

TEST(Names, RoundTrip) {
  for (GateKind g : {GateKind::rx, GateKind::ry, GateKind::rz}) {
    EXPECT_EQ(parse_rotation(to_string(g)), g);
  }
  for (Encoding e : {Encoding::angle, Encoding::amplitude})
    EXPECT_EQ(parse_encoding(to_string(e)), e);
  for (Ansatz a : {Ansatz::paper, Ansatz::basic_entangler, Ansatz::strongly_entangling}) {
    EXPECT_EQ(parse_ansatz(to_string(a)), a);
  }
  for (Readout r : {Readout::expval_z, Readout::probabilities}) {
    EXPECT_EQ(parse_readout(to_string(r)), r);
  }
  EXPECT_EQ(to_string(GateKind::cnot), "cnot");
  EXPECT_EQ(to_string(GateKind::cz), "cz");
  EXPECT_EQ(to_string(Ansatz::basic_entangler), "basic-entangler");
  EXPECT_EQ(to_string(Ansatz::strongly_entangling), "strongly-entangling");
  EXPECT_EQ(to_string(Readout::expval_z), "expval-z");
}

TEST(Names, UnknownNamesListTheValidOnes) {
  std::string msg = usage_error_of([] { parse_ansatz("strongly_entangling"); });
  EXPECT_TRUE(contains(msg, "'strongly_entangling'") &&
              contains(msg, "paper, basic-entangler, strongly-entangling"))
      << msg;
  msg = usage_error_of([] { parse_encoding("angles"); });
  EXPECT_TRUE(contains(msg, "'angles'") && contains(msg, "angle, amplitude")) << msg;
  msg = usage_error_of([] { parse_readout("expval_z"); });
  EXPECT_TRUE(contains(msg, "'expval_z'") && contains(msg, "expval-z, probabilities")) << msg;
  // Rotations only: the two-qubit gates are not encoding axes.
  msg = usage_error_of([] { parse_rotation("cnot"); });
  EXPECT_TRUE(contains(msg, "'cnot'") && contains(msg, "rx, ry, rz")) << msg;
  EXPECT_FALSE(contains(msg.substr(msg.find("rx")), "cz")) << msg;
  EXPECT_THROW(parse_rotation("RX"), UsageError);  // case-sensitive
  EXPECT_THROW(parse_ansatz(""), UsageError);
}

// ---- the compiled program (detail::compile) ------------------------------------

namespace {

namespace detail = resqunn::quantum::detail;

/// Expects step `i` to be a rotation step on `target` with these axes and
/// weights, and its pair table to be the pairs (l0, l0 | 1 << target) of
/// logical basis states mapped through the identity (true before any CNOT).
void expect_identity_rotation_step(const detail::Program& p, std::size_t i, int target,
                                   const std::vector<GateKind>& axes,
                                   const std::vector<int>& params) {
  SCOPED_TRACE("step " + std::to_string(i));
  ASSERT_LT(i, p.steps.size());
  const detail::Step& s = p.steps[i];
  EXPECT_EQ(s.kind, detail::StepKind::rotations);
  EXPECT_EQ(s.target, target);
  ASSERT_EQ(static_cast<std::size_t>(s.count), axes.size());
  for (std::size_t r = 0; r < axes.size(); ++r) {
    EXPECT_EQ(s.axis[r], axes[r]) << "rotation " << r;
    EXPECT_EQ(s.param[r], params[r]) << "rotation " << r;
  }
  for (int k = 0; k < p.dim / 2; ++k) {
    const int l0 = ((k >> target) << (target + 1)) | (k & ((1 << target) - 1));
    EXPECT_EQ(p.slots[static_cast<std::size_t>(s.table + 2 * k)], l0) << "pair " << k;
    EXPECT_EQ(p.slots[static_cast<std::size_t>(s.table + 2 * k + 1)], l0 | (1 << target))
        << "pair " << k;
  }
}

}  // namespace

TEST(Program, PaperPrefixIsTheFirstLayersRotations) {
  // Per qubit RY then RX fused into one step; the CNOT ring ends the prefix.
  const detail::Program p = detail::compile(ansatz_gates(spec(4, Ansatz::paper, 2)), 4);
  ASSERT_EQ(p.steps.size(), 8u);
  EXPECT_EQ(p.prefix, 4);
  for (int q = 0; q < 4; ++q) {
    expect_identity_rotation_step(p, static_cast<std::size_t>(q), q, {GateKind::ry, GateKind::rx},
                                  {q, 4 + q});
    const detail::Step& later = p.steps[static_cast<std::size_t>(4 + q)];
    EXPECT_EQ(later.target, q);
    EXPECT_EQ(later.param[0], 8 + q);
    EXPECT_EQ(later.param[1], 12 + q);
  }
  // The layer-2 tables go through the ring's slot permutation.
  bool permuted = false;
  for (std::size_t i = 4; i < 8; ++i) {
    for (int k = 0; k < 8; ++k) {
      const int l0 = ((k >> p.steps[i].target) << (p.steps[i].target + 1)) |
                     (k & ((1 << p.steps[i].target) - 1));
      permuted = permuted || p.slots[static_cast<std::size_t>(p.steps[i].table + 2 * k)] != l0;
    }
  }
  EXPECT_TRUE(permuted);
}

TEST(Program, WithoutTwoQubitGatesEverythingIsPrefix) {
  // One qubit: no ring; the rotations fuse three at a time, in order.
  const detail::Program p = detail::compile(ansatz_gates(spec(1, Ansatz::paper, 3)), 1);
  EXPECT_EQ(p.prefix, 2);
  ASSERT_EQ(p.steps.size(), 2u);
  expect_identity_rotation_step(p, 0, 0, {GateKind::ry, GateKind::rx, GateKind::ry}, {0, 1, 2});
  expect_identity_rotation_step(p, 1, 0, {GateKind::rx, GateKind::ry, GateKind::rx}, {3, 4, 5});
  const detail::Program se =
      detail::compile(ansatz_gates(spec(1, Ansatz::strongly_entangling, 2)), 1);
  EXPECT_EQ(se.prefix, 2);
  EXPECT_EQ(se.steps.size(), 2u);
  // Depth 1 with a ring: the ring only permutes slots, so every step is
  // prefix and the full-state program is empty.
  const detail::Program be = detail::compile(ansatz_gates(spec(5, Ansatz::basic_entangler, 1)), 5);
  EXPECT_EQ(be.prefix, 5);
  EXPECT_EQ(be.steps.size(), 5u);
}

TEST(Program, PrefixEndsAtTheFirstCnotOrCz) {
  detail::Program p = detail::compile({cnot(0, 1), ry(0, 0), ry(1, 1)}, 2);
  EXPECT_EQ(p.prefix, 0);
  EXPECT_EQ(p.steps.size(), 2u);
  p = detail::compile({rx(1, 0), cz(0, 1), rx(0, 1), ry(1, 2)}, 2);
  EXPECT_EQ(p.prefix, 1);
  ASSERT_EQ(p.steps.size(), 4u);
  expect_identity_rotation_step(p, 0, 1, {GateKind::rx}, {0});
  EXPECT_EQ(p.steps[1].kind, detail::StepKind::cz);
  // A rotation after the CZ starts a new step even on a qubit that had one.
  p = detail::compile({ry(0, 0), rz(1, 1), cnot(1, 0), rx(0, 2), rx(1, 3)}, 2);
  EXPECT_EQ(p.prefix, 2);
  EXPECT_EQ(p.steps.size(), 4u);
}
