#include "resqunn/core/error.hpp"
#include "resqunn/core/logging.hpp"

#include <gtest/gtest.h>

TEST(Error, MessageCarriesProblemAndFix) {
  const resqunn::DataError e("file x.idx is truncated", "run `resqunn data fetch mnist --force`");
  EXPECT_STREQ(e.what(), "file x.idx is truncated\n  fix: run `resqunn data fetch mnist --force`");
  EXPECT_EQ(e.problem(), "file x.idx is truncated");
  const resqunn::Error plain("no fix known");
  EXPECT_STREQ(plain.what(), "no fix known");
}

TEST(Logging, ParsesLevelsAndRejectsUnknownWithTheValidOnes) {
  EXPECT_EQ(resqunn::parse_log_level("debug"), spdlog::level::debug);
  EXPECT_EQ(resqunn::parse_log_level("warn"), spdlog::level::warn);
  try {
    resqunn::parse_log_level("verbose");
    FAIL() << "expected UsageError";
  } catch (const resqunn::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("'verbose'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("trace, debug, info"), std::string::npos);
  }
}
