#include "resqunn/parallel/kokkos_info.hpp"

#include "resqunn/config.hpp"

#include <Kokkos_Core.hpp>

namespace resqunn::parallel {

namespace {

// Device backends first, then host ones, as Kokkos lists them. The macros
// come from the configure step's view of the same Kokkos (test_kokkos_config
// checks they agree with Kokkos' own).
struct Backend {
  bool enabled;
  const char* name;
};
constexpr Backend kBackends[] = {{RESQUNN_KOKKOS_ENABLE_CUDA, "Cuda"},
                                 {RESQUNN_KOKKOS_ENABLE_HIP, "HIP"},
                                 {RESQUNN_KOKKOS_ENABLE_SYCL, "SYCL"},
                                 {RESQUNN_KOKKOS_ENABLE_OPENMPTARGET, "OpenMPTarget"},
                                 {RESQUNN_KOKKOS_ENABLE_OPENACC, "OpenACC"},
                                 {RESQUNN_KOKKOS_ENABLE_HPX, "HPX"},
                                 {RESQUNN_KOKKOS_ENABLE_OPENMP, "OpenMP"},
                                 {RESQUNN_KOKKOS_ENABLE_THREADS, "Threads"},
                                 {RESQUNN_KOKKOS_ENABLE_SERIAL, "Serial"}};

}  // namespace

KokkosInfo kokkos_info() {
  KokkosInfo info;
  // KOKKOS_VERSION is MMmmpp, e.g. 30401 for 3.4.1.
  info.version = std::to_string(KOKKOS_VERSION / 10000) + "." +
                 std::to_string(KOKKOS_VERSION / 100 % 100) + "." +
                 std::to_string(KOKKOS_VERSION % 100);
  for (const auto& backend : kBackends) {
    if (backend.enabled) info.backends.emplace_back(backend.name);
  }
  info.default_execution_space = Kokkos::DefaultExecutionSpace::name();
  if (Kokkos::is_initialized()) {
    info.concurrency = static_cast<int>(Kokkos::DefaultExecutionSpace().concurrency());
  }
  return info;
}

}  // namespace resqunn::parallel
