// main() for single-process GoogleTest programs that use Kokkos: Kokkos is
// initialised around RUN_ALL_TESTS (and finalised after it, once every
// test's Views are gone). Listing the tests (gtest_discover_tests) does not
// start Kokkos, so discovery neither spawns threads nor prints its warnings.
#include <Kokkos_Core.hpp>

#include <gtest/gtest.h>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (::testing::GTEST_FLAG(list_tests)) return RUN_ALL_TESTS();
  Kokkos::initialize(argc, argv);
  const int result = RUN_ALL_TESTS();
  Kokkos::finalize();
  return result;
}
