#include "resqunn/io/hdf5_info.hpp"

#include <gtest/gtest.h>
#include <hdf5.h>

TEST(Hdf5Info, MatchesTheHeadersWeCompiledAgainst) {
  const auto info = resqunn::io::hdf5_info();
  // The runtime library must be the one the headers describe (HDF5 itself
  // aborts on a mismatch, so a difference here means a broken install).
  EXPECT_EQ(info.version, std::to_string(H5_VERS_MAJOR) + "." + std::to_string(H5_VERS_MINOR) +
                              "." + std::to_string(H5_VERS_RELEASE));
#ifdef H5_HAVE_PARALLEL
  EXPECT_TRUE(info.parallel);
#else
  EXPECT_FALSE(info.parallel);
#endif
}
