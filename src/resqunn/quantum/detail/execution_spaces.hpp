// The execution spaces resqunn instantiates its kernels for: every one the
// Kokkos it is built against enables. RESQUNN_FOR_EACH_EXECUTION_SPACE(M)
// expands to M(Space) for each, e.g. for explicit instantiations:
//   #define INSTANTIATE(Space) template class BatchedCircuit<Space>;
//   RESQUNN_FOR_EACH_EXECUTION_SPACE(INSTANTIATE)
#pragma once

#include <Kokkos_Core.hpp>

#ifdef KOKKOS_ENABLE_SERIAL
#define RESQUNN_IF_SERIAL(M) M(Kokkos::Serial)
#else
#define RESQUNN_IF_SERIAL(M)
#endif
#ifdef KOKKOS_ENABLE_OPENMP
#define RESQUNN_IF_OPENMP(M) M(Kokkos::OpenMP)
#else
#define RESQUNN_IF_OPENMP(M)
#endif
#ifdef KOKKOS_ENABLE_CUDA
#define RESQUNN_IF_CUDA(M) M(Kokkos::Cuda)
#else
#define RESQUNN_IF_CUDA(M)
#endif
#ifdef KOKKOS_ENABLE_HIP
#define RESQUNN_IF_HIP(M) M(Kokkos::Experimental::HIP)
#else
#define RESQUNN_IF_HIP(M)
#endif

#define RESQUNN_FOR_EACH_EXECUTION_SPACE(M) \
  RESQUNN_IF_SERIAL(M) RESQUNN_IF_OPENMP(M) RESQUNN_IF_CUDA(M) RESQUNN_IF_HIP(M)
