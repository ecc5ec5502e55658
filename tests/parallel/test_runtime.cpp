// The runtime brought up MPI and Kokkos; the info functions describe them.
#include "resqunn/core/error.hpp"
#include "resqunn/parallel/kokkos_info.hpp"
#include "resqunn/parallel/mpi_info.hpp"
#include "resqunn/parallel/runtime.hpp"

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

// Thread counts: --threads is refused above the hardware threads (Kokkos
// 3.x's OpenMP pool crashed at several hundred), OMP_NUM_THREADS is capped
// with a warning, anything else passes through.
TEST(ChooseThreads, RefusesTooManyAndCapsTheEnvironment) {
  EXPECT_EQ(parallel::choose_threads(0, nullptr, 2).threads, 0);
  EXPECT_EQ(parallel::choose_threads(2, nullptr, 2).threads, 2);
  EXPECT_EQ(parallel::choose_threads(2, "1000", 2).threads, 2);  // the flag wins
  try {
    (void)parallel::choose_threads(1000, nullptr, 2);
    ADD_FAILURE() << "--threads 1000 on 2 hardware threads accepted";
  } catch (const UsageError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("--threads 1000 is more than this machine's 2 hardware threads"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("use --threads 1..2"), std::string::npos) << what;
  }
  const auto capped = parallel::choose_threads(0, "1000", 2);
  EXPECT_EQ(capped.threads, 2);
  EXPECT_NE(capped.warning.find("OMP_NUM_THREADS=1000 is more than"), std::string::npos);
  EXPECT_EQ(parallel::choose_threads(0, "8,2", 16).threads, 0);  // within: Kokkos reads it
  EXPECT_EQ(parallel::choose_threads(0, "64,2", 16).threads, 16);
  EXPECT_TRUE(parallel::choose_threads(0, "2", 2).warning.empty());
  EXPECT_EQ(parallel::choose_threads(0, "lots", 2).threads, 0);  // not a number: Kokkos decides
  EXPECT_EQ(parallel::choose_threads(500, nullptr, 0).threads, 500);  // unknown hardware
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
