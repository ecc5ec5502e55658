// Kokkos' math functions under one name for the kernels: Kokkos moved them
// from Kokkos::Experimental to Kokkos in 3.7, and resqunn builds with both.
#pragma once

#include <Kokkos_Core.hpp>

namespace resqunn::quantum::detail {

#if KOKKOS_VERSION >= 30700
namespace kmath = ::Kokkos;
#else
namespace kmath = ::Kokkos::Experimental;
#endif

}  // namespace resqunn::quantum::detail
