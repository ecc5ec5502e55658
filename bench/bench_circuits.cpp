// ns per circuit of the batched kernels (forward, forward + adjoint VJP)
// against the dense one-circuit-at-a-time reference of the test suite, in
// the same run. Single thread: Kokkos::Serial; all threads: Kokkos::OpenMP.
// Reported counters: ns_per_circuit (lower is better; the console prints it
// with an SI prefix, the JSON output in seconds). Table and command:
// docs/benchmarks.md.
#include "resqunn/quantum/batched_circuit.hpp"
#include "resqunn/quantum/detail/compiled_evaluator.hpp"

#include <Kokkos_Core.hpp>

#include "dense_reference.hpp"
#include <benchmark/benchmark.h>

#include <random>

namespace {

using namespace resqunn::quantum;

CircuitSpec paper_spec(int qubits, int depth) {
  CircuitSpec s;
  s.qubits = qubits;
  s.depth = depth;
  s.ansatz = Ansatz::paper;
  s.encoding = Encoding::angle;
  return s;
}

// Batch big enough that a run is dominated by circuit work, small enough
// to stay in cache like the production micro-batches.
std::size_t batch_for(int qubits) { return qubits <= 4 ? 8192 : 512; }

template <class Space>
struct Problem {
  using C = BatchedCircuit<Space>;
  CircuitSpec spec;
  C circuit;
  typename C::Matrix x, y, u, gx;
  typename C::Vector w, gw;

  Problem(const CircuitSpec& s, std::size_t batch)
      : spec(s),
        circuit(s),
        x("x", batch, s.input_size()),
        y("y", batch, s.output_size()),
        u("u", batch, s.output_size()),
        gx("gx", batch, s.input_size()),
        w("w", s.weight_count()),
        gw("gw", s.weight_count()) {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> d(-1.0, 1.0);
    auto fill = [&](auto v) {
      auto h = Kokkos::create_mirror_view(v);
      auto* p = h.data();
      for (std::size_t i = 0; i < h.span(); ++i) p[i] = d(rng);
      Kokkos::deep_copy(v, h);
    };
    fill(x);
    fill(u);
    fill(w);
  }
};

template <class Space>
void BM_Forward(benchmark::State& state) {
  const auto spec = paper_spec(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  const std::size_t batch = batch_for(spec.qubits);
  Problem<Space> p(spec, batch);
  for (auto _ : state) {
    p.circuit.forward(p.x, p.w, p.y);
    benchmark::DoNotOptimize(p.y.data());
  }
  state.counters["ns_per_circuit"] = benchmark::Counter(
      static_cast<double>(state.iterations() * batch),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert, benchmark::Counter::kIs1000);
  state.counters["threads"] = Space().concurrency();
}

template <class Space>
void BM_ForwardVjp(benchmark::State& state) {
  const auto spec = paper_spec(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  const std::size_t batch = batch_for(spec.qubits);
  Problem<Space> p(spec, batch);
  for (auto _ : state) {
    p.circuit.vjp(p.x, p.w, p.u, p.y, p.gx, p.gw);
    benchmark::DoNotOptimize(p.gw.data());
  }
  state.counters["ns_per_circuit"] = benchmark::Counter(
      static_cast<double>(state.iterations() * batch),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert, benchmark::Counter::kIs1000);
  state.counters["threads"] = Space().concurrency();
}

// Both evaluators (docs/quantum.md) on the same workload: Serial, paper
// ansatz, angle (RY) encoding, expval-z; batch 20,000 (2,048 from 7 qubits
// on). Args: evaluator (0 state vector, 1 compiled), qubits, depth, vjp (0
// forward, 1 forward + VJP, 2 forward + VJP without input gradients: what a
// layer whose input is data runs).
// The weights change every call, as in training, so the compiled rows pay
// their compile (and, with the VJP, their weight-gradient pass) each call.
template <class Space>
void BM_Evaluator(benchmark::State& state) {
  CircuitSpec spec = paper_spec(static_cast<int>(state.range(1)), static_cast<int>(state.range(2)));
  spec.evaluator = state.range(0) == 0 ? Evaluator::statevector : Evaluator::compiled;
  const bool vjp = state.range(3) != 0;
  const bool data_inputs = state.range(3) == 2;
  const std::size_t batch = spec.qubits <= 6 ? 20000 : 2048;
  if (spec.evaluator == Evaluator::compiled &&
      !resqunn::quantum::detail::compiled_supported(
          spec, resqunn::quantum::detail::default_shape<Space>())) {
    state.SkipWithError("beyond the compiled evaluator's limits");
    return;
  }
  Problem<Space> p(spec, batch);
  auto w = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.w);
  double shift = 1e-3;
  for (auto _ : state) {
    w(0) += shift;
    shift = -shift;
    Kokkos::deep_copy(p.w, w);
    if (vjp) {
      p.circuit.vjp(p.x, p.w, p.u, p.y, data_inputs ? typename Problem<Space>::C::Matrix() : p.gx,
                    p.gw);
    } else {
      p.circuit.forward(p.x, p.w, p.y);
    }
    benchmark::DoNotOptimize(p.y.data());
  }
  state.counters["ns_per_circuit"] = benchmark::Counter(
      static_cast<double>(state.iterations() * batch),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert, benchmark::Counter::kIs1000);
}

void evaluator_rows(benchmark::internal::Benchmark* b) {
  b->ArgNames({"compiled", "qubits", "depth", "vjp"});
  for (int e : {0, 1}) {
    for (int d : {1, 2, 4, 8, 16, 32}) {
      for (int v : {0, 1, 2}) b->Args({e, 4, d, v});
    }
  }
}

// Where auto switches: forward + VJP of both evaluators, qubits 1..10 at
// depths 1, 4, 16 (the compiled evaluator up to its limits).
void switch_rows(benchmark::internal::Benchmark* b) {
  b->ArgNames({"compiled", "qubits", "depth", "vjp"});
  for (int d : {1, 4, 16}) {
    for (int n = 1; n <= 10; ++n) {
      for (int e : {0, 1}) {
        for (int v : {1, 2}) {
          if (n != 4) b->Args({e, n, d, v});
        }
      }
    }
  }
}

// The dense reference, one circuit at a time: forward, and forward plus
// gradients by the parameter-shift rule (what a statevector simulator
// without an adjoint does).
void BM_DenseReferenceForward(benchmark::State& state) {
  const auto spec = paper_spec(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> d(-1.0, 1.0);
  std::vector<double> w(spec.weight_count()), x(spec.input_size());
  for (auto& v : w) v = d(rng);
  for (auto& v : x) v = d(rng);
  for (auto _ : state) {
    auto out = resqunn::quantum::reference::outputs(spec, w, x);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["ns_per_circuit"] = benchmark::Counter(
      static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert, benchmark::Counter::kIs1000);
}

void BM_DenseReferenceForwardGrad(benchmark::State& state) {
  const auto spec = paper_spec(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> d(-1.0, 1.0);
  std::vector<double> w(spec.weight_count()), x(spec.input_size()), u(spec.output_size());
  for (auto& v : w) v = d(rng);
  for (auto& v : x) v = d(rng);
  for (auto& v : u) v = d(rng);
  for (auto _ : state) {
    auto out = resqunn::quantum::reference::outputs(spec, w, x);
    auto g = resqunn::quantum::reference::parameter_shift_weight_grad(spec, w, x, u);
    benchmark::DoNotOptimize(out.data());
    benchmark::DoNotOptimize(g.data());
  }
  state.counters["ns_per_circuit"] = benchmark::Counter(
      static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert, benchmark::Counter::kIs1000);
}

void circuit_sizes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"qubits", "depth"});
  for (int d : {1, 2, 4, 8}) b->Args({4, d});
  b->Args({9, 4});
  b->Args({10, 4});
}

void small_sizes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"qubits", "depth"});
  for (int d : {1, 2, 4, 8}) b->Args({4, d});
  b->Args({9, 4});
}

#ifdef KOKKOS_ENABLE_SERIAL
BENCHMARK_TEMPLATE(BM_Forward, Kokkos::Serial)->Apply(circuit_sizes);
BENCHMARK_TEMPLATE(BM_ForwardVjp, Kokkos::Serial)->Apply(circuit_sizes);
BENCHMARK_TEMPLATE(BM_Evaluator, Kokkos::Serial)->Apply(evaluator_rows);
BENCHMARK_TEMPLATE(BM_Evaluator, Kokkos::Serial)->Apply(switch_rows)->MinTime(0.2);
#endif
#ifdef KOKKOS_ENABLE_OPENMP
BENCHMARK_TEMPLATE(BM_Forward, Kokkos::OpenMP)->Apply(circuit_sizes)->UseRealTime();
BENCHMARK_TEMPLATE(BM_ForwardVjp, Kokkos::OpenMP)->Apply(circuit_sizes)->UseRealTime();
#endif
BENCHMARK(BM_DenseReferenceForward)->Apply(small_sizes);
BENCHMARK(BM_DenseReferenceForwardGrad)->Apply(small_sizes);

}  // namespace
