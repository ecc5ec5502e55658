// What Kokkos this process runs on: version, enabled backends, concurrency.
#pragma once

#include <string>
#include <vector>

namespace resqunn::parallel {

struct KokkosInfo {
  std::string version;                  ///< e.g. "3.4.1"
  std::vector<std::string> backends;    ///< enabled execution spaces, e.g. {"OpenMP", "Serial"}
  std::string default_execution_space;  ///< e.g. "OpenMP"
  int concurrency = 1;  ///< of the default execution space (needs Kokkos initialised)
};

/// Compile-time facts always; concurrency only once Kokkos is initialised.
KokkosInfo kokkos_info();

}  // namespace resqunn::parallel
