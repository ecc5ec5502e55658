// main() for MPI GoogleTest programs. Each rank runs every test; the exit
// status is agreed (a test failing on any rank fails all), and only rank 0
// keeps the default console printer so output is readable.
#include "resqunn/parallel/agreement.hpp"
#include "resqunn/parallel/runtime.hpp"

#include <gtest/gtest.h>
#include <mpi.h>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  resqunn::parallel::Runtime runtime(argc, argv);
  if (runtime.rank() != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  const int local = RUN_ALL_TESTS();
  const bool all_passed = resqunn::parallel::all_true(MPI_COMM_WORLD, local == 0);
  if (!all_passed && runtime.rank() == 0 && local == 0) {
    std::fprintf(stderr, "a test failed on another rank (rerun with --gtest_output to see)\n");
  }
  return all_passed ? 0 : 1;
}
