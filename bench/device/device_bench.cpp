// Circuits per second of the batched kernels on the default execution space
// (a GPU in a CUDA or HIP build), for bench/device_check.sh: both evaluators,
// forward and forward + VJP, 4 and 9 qubits, the `paper` ansatz at depth 4
// with angle (RY) encoding and expval-z readout, batches of 2^22 circuits.
// Needs Kokkos alone (no Google Benchmark on such nodes).
//
// Each case: one warm-up call, then --reps timed calls (fenced; one where
// the warm-up took over 2 s), median and best reported; then the same calls
// on the host space (Kokkos::DefaultHostExecutionSpace: one core where that
// is Serial, as in a CUDA build) with --host-batch circuits (default 2^14),
// and the ratio of the two rates, measured in the same run. The weights
// change every call, as in training, so the compiled evaluator pays its
// compile (and, with the VJP, its weight-gradient pass) in every call. Each
// case is also checked: the first 4,096 circuits run again on both spaces
// and the outputs, input gradients and weight gradients compared (max
// relative difference, at most 1e-12, else the program fails). Results: one
// JSON object per case on --json FILE, and a table on stdout.
//
//   device_bench [--batch N] [--host-batch N] [--reps R] [--qubits 4,9] [--json FILE]
#include "resqunn/quantum/batched_circuit.hpp"
#include "resqunn/quantum/circuit.hpp"
#include "resqunn/quantum/detail/lanes.hpp"

#include <Kokkos_Core.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace resqunn::quantum;
using Device = Kokkos::DefaultExecutionSpace;
using Host = Kokkos::DefaultHostExecutionSpace;
constexpr std::size_t kCheckRows = 4096;

struct Options {
  std::size_t batch = std::size_t{1} << 22;
  std::size_t host_batch = std::size_t{1} << 14;
  int reps = 5;
  std::vector<int> qubits{4, 9};
  std::string json;
};

[[noreturn]] void usage(const char* problem) {
  std::fprintf(stderr,
               "device_bench: %s\n"
               "usage: device_bench [--batch N] [--host-batch N] [--reps R] [--qubits 4,9] "
               "[--json FILE]\n",
               problem);
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage((a + " needs a value").c_str());
      return argv[++i];
    };
    if (a == "--batch") {
      o.batch = std::stoull(value());
    } else if (a == "--host-batch") {
      o.host_batch = std::max<std::size_t>(1, std::stoull(value()));
    } else if (a == "--reps") {
      o.reps = std::max(1, std::stoi(value()));
    } else if (a == "--qubits") {
      o.qubits.clear();
      std::stringstream list(value());
      for (std::string q; std::getline(list, q, ',');) o.qubits.push_back(std::stoi(q));
    } else if (a == "--json") {
      o.json = value();
    } else if (a == "--help" || a == "-h") {
      usage("circuits/s of both evaluators on the default execution space");
    } else if (a.rfind("--kokkos", 0) != 0) {
      usage(("unknown option " + a).c_str());
    }
  }
  if (o.batch < kCheckRows) usage("--batch must be at least 4096");
  return o;
}

CircuitSpec paper_spec(int qubits, Evaluator e) {
  CircuitSpec s;
  s.qubits = qubits;
  s.depth = 4;
  s.ansatz = Ansatz::paper;
  s.encoding = Encoding::angle;
  s.evaluator = e;
  return s;
}

// Fills a host view from one seeded stream (the same values for both spaces).
template <class V>
void fill(const V& v, std::uint64_t seed) {
  auto h = Kokkos::create_mirror_view(v);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> d(-1.0, 1.0);
  for (std::size_t i = 0; i < h.span(); ++i) h.data()[i] = d(rng);
  Kokkos::deep_copy(v, h);
}

template <class Space>
struct Data {
  using C = BatchedCircuit<Space>;
  typename C::Matrix x, y, u, gx;
  typename C::Vector w, gw;
  Data(const CircuitSpec& s, std::size_t batch)
      : x("x", batch, s.input_size()),
        y("y", batch, s.output_size()),
        u("u", batch, s.output_size()),
        gx("gx", batch, s.input_size()),
        w("w", s.weight_count()),
        gw("gw", s.weight_count()) {}
  /// Inputs, upstream gradients and weights from fixed seeds: the same
  /// values in every space.
  void fill_random() const {
    fill(x, 1);
    fill(u, 2);
    fill(w, 3);
  }
};

// The first `rows` rows of a matrix (all of a vector) on the host.
template <class V>
std::vector<double> to_host(const V& v, std::size_t rows) {
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v);
  const std::size_t n =
      std::min(h.span(), rows * (h.span() / std::max<std::size_t>(1, v.extent(0))));
  return std::vector<double>(h.data(), h.data() + n);
}

double max_rel_diff(const std::vector<double>& a, const std::vector<double>& b) {
  double scale = 0.0, diff = 0.0;
  for (double v : a) scale = std::max(scale, std::abs(v));
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double d = std::abs(a[i] - b[i]);
    diff = std::isnan(d) ? INFINITY : std::max(diff, d);
  }
  return diff / std::max(scale, 1e-300);
}

struct Timing {
  double median = 0, best = 0;
  int reps = 0;
};

struct Result {
  Timing device, host;
  double check = 0;
};

// Times calls of `circuit` on `d` (one warm-up, then up to max_reps calls;
// one where the warm-up took over 2 s: such calls vary little). The weights
// change every call, as in training.
template <class Space>
Timing time_calls(const BatchedCircuit<Space>& circuit, Data<Space>& d, bool vjp, int max_reps) {
  auto w = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), d.w);
  double shift = 1e-3;
  const auto call = [&] {
    w(0) += shift;  // new weights every call: the compile is paid each time
    shift = -shift;
    Kokkos::deep_copy(d.w, w);
    if (vjp) {
      circuit.vjp(d.x, d.w, d.u, d.y, d.gx, d.gw);
    } else {
      circuit.forward(d.x, d.w, d.y);
    }
    Kokkos::fence();
  };
  Kokkos::Timer warm;
  call();  // warm-up: module load, scratch pools
  const int reps = warm.seconds() > 2.0 ? 1 : max_reps;
  std::vector<double> times;
  for (int r = 0; r < reps; ++r) {
    Kokkos::Timer timer;
    call();
    times.push_back(timer.seconds());
  }
  std::sort(times.begin(), times.end());
  return {times[times.size() / 2], times.front(), reps};
}

Result run_case(const CircuitSpec& spec, bool vjp, const Options& o) {
  Result res;
  Data<Device> d(spec, o.batch);
  d.fill_random();
  const BatchedCircuit<Device> circuit(spec);
  res.device = time_calls(circuit, d, vjp, o.reps);
  {  // the baseline: the same calls on the host space (one core for Serial)
    Data<Host> h(spec, o.host_batch);
    h.fill_random();
    const BatchedCircuit<Host> circuit_h(spec);
    res.host = time_calls(circuit_h, h, vjp, o.reps);
  }

  // Check: the first kCheckRows circuits with the last weights, on both.
  Data<Device> dc(spec, kCheckRows);
  Data<Host> hc(spec, kCheckRows);
  const auto rows = std::make_pair(std::size_t{0}, kCheckRows);
  Kokkos::deep_copy(dc.x, Kokkos::subview(d.x, rows, Kokkos::ALL));
  Kokkos::deep_copy(dc.u, Kokkos::subview(d.u, rows, Kokkos::ALL));
  Kokkos::deep_copy(dc.w, d.w);
  Kokkos::deep_copy(hc.x, Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), dc.x));
  Kokkos::deep_copy(hc.u, Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), dc.u));
  Kokkos::deep_copy(hc.w, Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), d.w));
  const BatchedCircuit<Host> host(spec);
  circuit.vjp(dc.x, dc.w, dc.u, dc.y, dc.gx, dc.gw);
  host.vjp(hc.x, hc.w, hc.u, hc.y, hc.gx, hc.gw);
  Kokkos::fence();
  // The big batch's own outputs too (forward or VJP as timed).
  const double big = max_rel_diff(to_host(hc.y, kCheckRows), to_host(d.y, kCheckRows));
  res.check =
      std::max({big, max_rel_diff(to_host(hc.y, kCheckRows), to_host(dc.y, kCheckRows)),
                max_rel_diff(to_host(hc.gx, kCheckRows), to_host(dc.gx, kCheckRows)),
                max_rel_diff(to_host(hc.gw, hc.gw.extent(0)), to_host(dc.gw, dc.gw.extent(0)))});
  return res;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  Kokkos::ScopeGuard kokkos(argc, argv);
  std::ofstream json;
  if (!o.json.empty()) {
    json.open(o.json);
    if (!json) {
      std::fprintf(stderr, "device_bench: cannot write %s (check the folder exists)\n",
                   o.json.c_str());
      return 1;
    }
  }
  namespace d = resqunn::quantum::detail;
  constexpr KernelShape kShape = d::default_shape<Device>();
  const char* shape = kShape == KernelShape::threads ? "threads" : "lanes";
  const int lanes = d::ShapeTraits<kShape>::W, threads = d::ShapeTraits<kShape>::T;
  std::printf(
      "# device_bench: %s, kernel shape %s (%d circuit(s) per thread, %d threads per team), "
      "batch %zu, %d timed calls per case\n",
      Device::name(), shape, lanes, threads, o.batch, o.reps);
  std::printf("%-7s %-12s %-8s %14s %14s %12s %14s %9s %10s\n", "qubits", "evaluator", "mode",
              "circuits/s", "best c/s", "ns/circuit", "host c/s", "speedup", "check");
  bool ok = true;
  for (int n : o.qubits) {
    for (Evaluator e : {Evaluator::compiled, Evaluator::statevector}) {
      for (bool vjp : {false, true}) {
        const CircuitSpec spec = paper_spec(n, e);
        const char* ev = e == Evaluator::compiled ? "compiled" : "statevector";
        const char* mode = vjp ? "fwd+vjp" : "forward";
        Result r;
        try {
          r = run_case(spec, vjp, o);
        } catch (const std::exception& ex) {
          std::printf("%-7d %-12s %-8s failed: %s\n", n, ev, mode, ex.what());
          ok = false;
          continue;
        }
        const double rate = static_cast<double>(o.batch) / r.device.median;
        const double best = static_cast<double>(o.batch) / r.device.best;
        const double host = static_cast<double>(o.host_batch) / r.host.median;
        const bool agrees = r.check <= 1e-12;
        ok = ok && agrees;
        std::printf("%-7d %-12s %-8s %14.4e %14.4e %12.4f %14.4e %9.1f %10.2e%s\n", n, ev, mode,
                    rate, best, 1e9 / rate, host, rate / host, r.check, agrees ? "" : "  MISMATCH");
        std::fflush(stdout);
        if (json) {
          json << "{\"space\": \"" << Device::name() << "\", \"shape\": \"" << shape
               << "\", \"lanes_per_thread\": " << lanes << ", \"team_threads\": " << threads
               << ", \"qubits\": " << n << ", \"ansatz\": \"paper\", \"depth\": 4"
               << ", \"evaluator\": \"" << ev << "\", \"mode\": \"" << mode
               << "\", \"batch\": " << o.batch << ", \"reps\": " << r.device.reps
               << ", \"seconds_median\": " << r.device.median
               << ", \"seconds_best\": " << r.device.best << ", \"circuits_per_second\": " << rate
               << ", \"host_space\": \"" << Host::name()
               << "\", \"host_concurrency\": " << Host().concurrency()
               << ", \"host_batch\": " << o.host_batch << ", \"host_circuits_per_second\": " << host
               << ", \"check_max_rel_diff\": " << r.check << "}\n";
        }
      }
    }
  }
  return ok ? 0 : 1;
}
