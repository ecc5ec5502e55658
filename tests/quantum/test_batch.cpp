// Reproducibility of BatchedCircuit: a circuit's outputs and input gradients
// are bitwise the same whatever the batch size, chunking and position in the
// batch; batch weight gradients are the sum of the single-circuit ones; and
// the Serial and OpenMP execution spaces give bitwise identical numbers.
#include "kernel_harness.hpp"
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <string>
#include <vector>

using namespace resqunn::quantum;
using namespace resqunn::quantum::test;
using Space = Kokkos::DefaultExecutionSpace;

namespace {

struct Problem {
  CircuitSpec spec;
  std::size_t batch;
  std::vector<double> weights, inputs, upstream;
  std::size_t m, o;
};

Problem make_problem(const CircuitSpec& s, std::size_t batch, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Problem p{s,
            batch,
            random_weights(rng, s),
            random_inputs(rng, s, batch),
            {},
            static_cast<std::size_t>(s.input_size()),
            static_cast<std::size_t>(s.output_size())};
  p.upstream = uniform(rng, batch * p.o, -1, 1);
  return p;
}

/// The specs the invariance tests run on: every ansatz and encoding, both
/// readouts, lane-unfriendly qubit counts and depths.
std::vector<CircuitSpec> invariance_specs() {
  std::vector<CircuitSpec> specs;
  int i = 0;
  for (Ansatz a : {Ansatz::paper, Ansatz::basic_entangler, Ansatz::strongly_entangling}) {
    for (const EncodingCase& enc : all_encodings()) {
      const ReadoutCase readouts[] = {
          {Readout::expval_z, 0}, {Readout::probabilities, 0}, {Readout::probabilities, 1}};
      const ReadoutCase ro = readouts[i % 3];
      specs.push_back(make_spec(3 + i % 3, enc, a, 1 + i % 2, ro.readout, ro.k));
      ++i;
    }
  }
  return specs;
}

/// Rows `order[0..count)` of p as one batch.
void gather(const Problem& p, const std::vector<std::size_t>& order, std::size_t first,
            std::size_t count, std::vector<double>& x, std::vector<double>& up) {
  x.clear();
  up.clear();
  for (std::size_t i = first; i < first + count; ++i) {
    const std::vector<double> xr = row(p.inputs, order[i], p.m),
                              ur = row(p.upstream, order[i], p.o);
    x.insert(x.end(), xr.begin(), xr.end());
    up.insert(up.end(), ur.begin(), ur.end());
  }
}

}  // namespace

TEST(BatchInvariance, ChunkingAndPositionDoNotChangeAnyBit) {
  const std::size_t batch = 33;
  std::uint64_t seed = 100;
  // One spec per ansatz and encoding kind (the exhaustive grid is the
  // reference tests' job; here each spec costs ~100 kernel launches).
  std::vector<CircuitSpec> specs;
  for (const CircuitSpec& s : invariance_specs()) {
    if (s.encoding == Encoding::amplitude || s.angle_axis == GateKind::ry) specs.push_back(s);
  }
  for (const CircuitSpec& s : specs) {
    SCOPED_TRACE(describe(s));
    const Problem p = make_problem(s, batch, seed++);

    // Every row on its own: batches of 1.
    std::vector<double> single_out, single_ig;
    std::vector<std::vector<double>> single_wg;
    for (std::size_t b = 0; b < batch; ++b) {
      const std::vector<double> x = row(p.inputs, b, p.m), up = row(p.upstream, b, p.o);
      const KernelResult f = run_kernel<Space>(s, p.weights, x, 1);
      const KernelResult v = run_kernel<Space>(s, p.weights, x, 1, &up);
      single_out.insert(single_out.end(), f.outputs.begin(), f.outputs.end());
      single_ig.insert(single_ig.end(), v.input_grads.begin(), v.input_grads.end());
      single_wg.push_back(v.weight_grads);
      expect_identical(f.outputs, v.outputs, p.o,
                       "forward vs vjp outputs, row " + std::to_string(b));
    }

    // Consecutive chunks of 5, 8 and 33 rows (the last chunk partial), in
    // order, reversed and rotated, so that each row sits at many positions
    // and lanes.
    std::vector<std::size_t> identity(batch), reversed(batch), rotated(batch);
    std::iota(identity.begin(), identity.end(), 0);
    std::reverse_copy(identity.begin(), identity.end(), reversed.begin());
    std::rotate_copy(identity.begin(), identity.begin() + 3, identity.end(), rotated.begin());
    struct Layout {
      const char* name;
      const std::vector<std::size_t>* order;
      std::size_t chunk;
    };
    const Layout layouts[] = {{"in order", &identity, 5},
                              {"in order", &identity, 8},
                              {"in order", &identity, 33},
                              {"reversed", &reversed, 33},
                              {"rotated by 3", &rotated, 8}};
    for (const Layout& layout : layouts) {
      const std::vector<std::size_t>& order = *layout.order;
      const std::size_t chunk = layout.chunk;
      const std::string what =
          std::string(layout.name) + ", chunks of " + std::to_string(chunk) + ": ";
      std::vector<double> out(batch * p.o), ig(batch * p.m);
      std::vector<double> x, up;
      for (std::size_t first = 0; first < batch; first += chunk) {
        const std::size_t count = std::min(chunk, batch - first);
        gather(p, order, first, count, x, up);
        const KernelResult f = run_kernel<Space>(s, p.weights, x, count);
        const KernelResult v = run_kernel<Space>(s, p.weights, x, count, &up);
        // Weight gradient of the chunk vs the sum of its rows' gradients.
        std::vector<double> expected(p.weights.size(), 0.0), magnitude(p.weights.size(), 0.0);
        for (std::size_t i = first; i < first + count; ++i) {
          for (std::size_t j = 0; j < p.weights.size(); ++j) {
            expected[j] += single_wg[order[i]][j];
            magnitude[j] += std::abs(single_wg[order[i]][j]);
          }
        }
        for (std::size_t j = 0; j < p.weights.size(); ++j) {
          EXPECT_NEAR(v.weight_grads[j], expected[j], 1e-13 * std::max(1.0, magnitude[j]))
              << what << "weight " << j << " of the chunk at " << first;
        }
        expect_identical(f.outputs, v.outputs, p.o, what + "vjp vs forward outputs");
        for (std::size_t i = 0; i < count; ++i) {
          const std::size_t b = order[first + i];
          std::copy_n(f.outputs.begin() + static_cast<std::ptrdiff_t>(i * p.o), p.o,
                      out.begin() + static_cast<std::ptrdiff_t>(b * p.o));
          std::copy_n(v.input_grads.begin() + static_cast<std::ptrdiff_t>(i * p.m), p.m,
                      ig.begin() + static_cast<std::ptrdiff_t>(b * p.m));
        }
      }
      expect_identical(single_out, out, p.o, what + "outputs (row index = circuit)");
      expect_identical(single_ig, ig, p.m, what + "input grads (row index = circuit)");
    }
  }
}

TEST(BatchInvariance, WeightGradientsAreDeterministic) {
  for (const CircuitSpec& s : invariance_specs()) {
    const Problem p = make_problem(s, 37, 7);
    const KernelResult a = run_kernel<Space>(s, p.weights, p.inputs, p.batch, &p.upstream);
    const KernelResult b = run_kernel<Space>(s, p.weights, p.inputs, p.batch, &p.upstream);
    expect_identical(a.weight_grads, b.weight_grads, a.weight_grads.size(),
                     describe(s) + ": weight grads of two identical runs");
  }
}

#if defined(KOKKOS_ENABLE_SERIAL) && defined(KOKKOS_ENABLE_OPENMP)
TEST(ExecutionSpaces, SerialAndOpenMPAgreeBitwise) {
  ASSERT_GE(Kokkos::OpenMP::concurrency(), 1);
  std::uint64_t seed = 500;
  for (const CircuitSpec& s : invariance_specs()) {
    for (std::size_t batch : {1u, 19u, 70u}) {
      SCOPED_TRACE(describe(s) + " batch=" + std::to_string(batch));
      const Problem p = make_problem(s, batch, seed++);
      const KernelResult fs = run_kernel<Kokkos::Serial>(s, p.weights, p.inputs, batch);
      const KernelResult fo = run_kernel<Kokkos::OpenMP>(s, p.weights, p.inputs, batch);
      expect_identical(fs.outputs, fo.outputs, p.o, "forward outputs");
      const KernelResult vs =
          run_kernel<Kokkos::Serial>(s, p.weights, p.inputs, batch, &p.upstream);
      const KernelResult vo =
          run_kernel<Kokkos::OpenMP>(s, p.weights, p.inputs, batch, &p.upstream);
      expect_identical(vs.outputs, vo.outputs, p.o, "vjp outputs");
      expect_identical(vs.input_grads, vo.input_grads, p.m, "input grads");
      expect_identical(vs.weight_grads, vo.weight_grads, p.weights.size(), "weight grads");
    }
  }
}
#else
TEST(ExecutionSpaces, SerialAndOpenMPAgreeBitwise) {
  GTEST_SKIP() << "needs a Kokkos with both the Serial and the OpenMP backend";
}
#endif
