#include "resqunn/parallel/kokkos_info.hpp"

#include <Kokkos_Core.hpp>

namespace resqunn::parallel {

KokkosInfo kokkos_info() {
  KokkosInfo info;
  // KOKKOS_VERSION is MMmmpp, e.g. 30401 for 3.4.1.
  info.version = std::to_string(KOKKOS_VERSION / 10000) + "." +
                 std::to_string(KOKKOS_VERSION / 100 % 100) + "." +
                 std::to_string(KOKKOS_VERSION % 100);
#if defined(KOKKOS_ENABLE_CUDA)
  info.backends.emplace_back("Cuda");
#endif
#if defined(KOKKOS_ENABLE_HIP)
  info.backends.emplace_back("HIP");
#endif
#if defined(KOKKOS_ENABLE_SYCL)
  info.backends.emplace_back("SYCL");
#endif
#if defined(KOKKOS_ENABLE_OPENMP)
  info.backends.emplace_back("OpenMP");
#endif
#if defined(KOKKOS_ENABLE_THREADS)
  info.backends.emplace_back("Threads");
#endif
#if defined(KOKKOS_ENABLE_SERIAL)
  info.backends.emplace_back("Serial");
#endif
  info.default_execution_space = Kokkos::DefaultExecutionSpace::name();
  if (Kokkos::is_initialized()) {
    info.concurrency = static_cast<int>(Kokkos::DefaultExecutionSpace().concurrency());
  }
  return info;
}

}  // namespace resqunn::parallel
