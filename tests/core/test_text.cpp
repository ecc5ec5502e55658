#include "resqunn/core/text.hpp"

#include <gtest/gtest.h>

namespace resqunn {
namespace {

TEST(Text, EditDistanceByHand) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("qubit", "qubits"), 1u);
  EXPECT_EQ(edit_distance("depht", "depth"), 2u);
}

TEST(Text, ClosestMatchSuggestsOnlyPlausibleTypos) {
  const std::vector<std::string> keys = {"qubits", "depth", "encoding", "ansatz"};
  EXPECT_EQ(closest_match("qubit", keys), "qubits");
  EXPECT_EQ(closest_match("encodng", keys), "encoding");
  EXPECT_EQ(closest_match("zzzzzz", keys), "");
  EXPECT_EQ(closest_match("x", keys), "");
}

TEST(Text, Join) {
  EXPECT_EQ(join({}), "");
  EXPECT_EQ(join({"a"}), "a");
  EXPECT_EQ(join({"a", "b"}, "|"), "a|b");
}

}  // namespace
}  // namespace resqunn
