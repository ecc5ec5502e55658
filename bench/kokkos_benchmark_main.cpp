// main() of the Google Benchmark programs that run Kokkos kernels: Kokkos
// lives around the whole benchmark run, so Views made by benchmarks are
// gone before Kokkos::finalize.
#include <Kokkos_Core.hpp>

#include <benchmark/benchmark.h>

int main(int argc, char** argv) {
  Kokkos::initialize(argc, argv);
  int rc = 0;
  {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
      rc = 1;
    } else {
      benchmark::RunSpecifiedBenchmarks();
      benchmark::Shutdown();
    }
  }
  Kokkos::finalize();
  return rc;
}
