// The runtime brought up MPI and Kokkos; the info functions describe them.
#include "resqunn/parallel/kokkos_info.hpp"
#include "resqunn/parallel/mpi_info.hpp"

#include <Kokkos_Core.hpp>

#include <gtest/gtest.h>
#include <mpi.h>

using namespace resqunn;

TEST(Runtime, MpiAndKokkosAreInitialised) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  EXPECT_TRUE(initialized);
  EXPECT_TRUE(Kokkos::is_initialized());
}

TEST(KokkosInfo, DescribesTheCompiledBackends) {
  const auto info = parallel::kokkos_info();
  EXPECT_EQ(info.version, std::to_string(KOKKOS_VERSION / 10000) + "." +
                              std::to_string(KOKKOS_VERSION / 100 % 100) + "." +
                              std::to_string(KOKKOS_VERSION % 100));
  const auto has = [&](const char* b) {
    return std::find(info.backends.begin(), info.backends.end(), b) != info.backends.end();
  };
#ifdef KOKKOS_ENABLE_SERIAL
  EXPECT_TRUE(has("Serial"));
#endif
#ifdef KOKKOS_ENABLE_OPENMP
  EXPECT_TRUE(has("OpenMP"));
#else
  EXPECT_FALSE(has("OpenMP"));
#endif
  EXPECT_EQ(info.default_execution_space, Kokkos::DefaultExecutionSpace::name());
  EXPECT_GE(info.concurrency, 1);
}

TEST(MpiInfo, ReportsLibraryAndAtLeastMpi3) {
  const auto info = parallel::mpi_info();
  EXPECT_FALSE(info.library.empty());
  EXPECT_EQ(info.library.find('\n'), std::string::npos);
  EXPECT_GE(info.standard_major, 3);  // one-sided counters and MPI_Comm_split_type need MPI-3
}
