// Typo suggestions and the enumeration name tables (core/text.hpp):
// suggestion spelling for both quote styles, transpositions that plain
// edit distance would reject, parse_name/name_of on a local table, and the
// message and fix of an unknown name.
#include "resqunn/core/error.hpp"
#include "resqunn/core/text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace resqunn {
namespace {

enum class Fruit { apple, banana, cherry, durian };

// durian is deliberately missing from the table.
constexpr Named<Fruit> kFruits[] = {
    {Fruit::apple, "apple"}, {Fruit::banana, "banana"}, {Fruit::cherry, "cherry"}};

// name_of is constexpr: the table can be checked at compile time.
static_assert(name_of(Fruit::banana, kFruits) == "banana");
static_assert(name_of(Fruit::durian, kFruits) == "?");

TEST(TextNames, SuggestionTextSpelling) {
  EXPECT_EQ(suggestion_text("depth"), " (did you mean 'depth'?)");
  EXPECT_EQ(suggestion_text("depth", '\''), " (did you mean 'depth'?)");
  EXPECT_EQ(suggestion_text("depth", '"'), " (did you mean \"depth\"?)");
  EXPECT_EQ(suggestion_text(""), "");
  EXPECT_EQ(suggestion_text("", '"'), "");
}

TEST(TextNames, DidYouMeanUsesClosestMatch) {
  const std::vector<std::string> keys = {"qubits", "depth", "encoding", "ansatz"};
  EXPECT_EQ(did_you_mean("encodng", keys), " (did you mean 'encoding'?)");
  EXPECT_EQ(did_you_mean("encodng", keys, '"'), " (did you mean \"encoding\"?)");
  EXPECT_EQ(did_you_mean("zzzzzz", keys), "");
  EXPECT_EQ(did_you_mean("zzzzzz", keys, '"'), "");
  EXPECT_EQ(did_you_mean("depth", {}), "");
}

TEST(TextNames, TranspositionWithinEditDistance) {
  // "ansazt" vs "ansatz": the swapped "zt" costs two substitutions, and
  // 6 letters allow max(1, 6 / 3) = 2 edits: found by distance alone.
  EXPECT_EQ(edit_distance("ansazt", "ansatz"), 2u);
  EXPECT_EQ(closest_match("ansazt", {"qubits", "depth", "ansatz"}), "ansatz");
}

TEST(TextNames, TranspositionBeyondEditDistance) {
  // "depht" vs "depth": distance 2, but 5 letters allow max(1, 5 / 3) = 1:
  // only the transposition rule finds it.
  EXPECT_EQ(edit_distance("depht", "depth"), 2u);
  EXPECT_EQ(closest_match("depht", {"qubits", "depth", "ansatz"}), "depth");
  // Two letters: "yr" is 2 edits from each of rx, ry, rz (limit 1), and
  // a transposition of ry only.
  EXPECT_EQ(edit_distance("yr", "ry"), 2u);
  EXPECT_EQ(closest_match("yr", {"rx", "ry", "rz"}), "ry");
  EXPECT_EQ(closest_match("xr", {"rx", "ry", "rz"}), "rx");
  // A swap at the start (the end is "depht" above).
  EXPECT_EQ(closest_match("edpth", {"depth"}), "depth");
  // Two-letter words: "de" is a swap of "ed" (2 edits, limit 1).
  EXPECT_EQ(closest_match("de", {"ed", "depth"}), "ed");
  // Not one neighbouring swap: a letter moved two places ("eptdh") and two
  // separate swaps ("edpht") are both 2+ edits and stay unmatched.
  EXPECT_EQ(closest_match("eptdh", {"depth"}), "");
  EXPECT_EQ(closest_match("edpht", {"depth"}), "");
}

TEST(TextNames, CloserByEditDistanceBeatsATransposition) {
  // "depht" is 1 deletion from "dept" (closer) and a swap of "depth".
  EXPECT_EQ(edit_distance("depht", "dept"), 1u);
  EXPECT_EQ(closest_match("depht", {"depth", "dept"}), "dept");
}

TEST(TextNames, ParseNameFindsTableValues) {
  EXPECT_EQ(parse_name("apple", kFruits, "fruit"), Fruit::apple);
  EXPECT_EQ(parse_name("banana", kFruits, "fruit"), Fruit::banana);
  EXPECT_EQ(parse_name("cherry", kFruits, "fruit"), Fruit::cherry);
}

TEST(TextNames, ParseNameUnknownWithSuggestion) {
  // "bananna" is 1 deletion from "banana" (7 letters allow 2).
  try {
    (void)parse_name("bananna", kFruits, "fruit");
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_EQ(e.problem(), "unknown fruit 'bananna' (did you mean 'banana'?)");
    EXPECT_EQ(e.fix(), "use one of: apple, banana, cherry");
  }
  // Case matters: "Apple" is unknown, 1 substitution from "apple".
  try {
    (void)parse_name("Apple", kFruits, "fruit");
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_EQ(e.problem(), "unknown fruit 'Apple' (did you mean 'apple'?)");
  }
}

TEST(TextNames, ParseNameUnknownWithoutSuggestion) {
  // "durian" is in the enum but not in the table; "kiwi" nowhere.
  for (const char* name : {"durian", "kiwi", ""}) {
    SCOPED_TRACE(name);
    try {
      (void)parse_name(name, kFruits, "fruit");
      FAIL() << "expected UsageError";
    } catch (const UsageError& e) {
      EXPECT_EQ(e.problem(), "unknown fruit '" + std::string(name) + "'");
      EXPECT_EQ(e.fix(), "use one of: apple, banana, cherry");
      EXPECT_EQ(std::string(e.what()), "unknown fruit '" + std::string(name) +
                                           "'\n  fix: use one of: apple, banana, cherry");
    }
  }
}

TEST(TextNames, NameOf) {
  EXPECT_EQ(name_of(Fruit::apple, kFruits), "apple");
  EXPECT_EQ(name_of(Fruit::cherry, kFruits), "cherry");
  EXPECT_EQ(name_of(Fruit::durian, kFruits), "?");
  // Round trip over the table.
  for (const auto& n : kFruits)
    EXPECT_EQ(parse_name(name_of(n.value, kFruits), kFruits, "fruit"), n.value);
}

TEST(TextNames, ThrowUnknownName) {
  try {
    throw_unknown_name("ansatz", "papr", {"paper", "basic-entangler"});
  } catch (const UsageError& e) {
    EXPECT_EQ(e.problem(), "unknown ansatz 'papr' (did you mean 'paper'?)");
    EXPECT_EQ(e.fix(), "use one of: paper, basic-entangler");
    return;
  }
  FAIL() << "expected UsageError";
}

}  // namespace
}  // namespace resqunn
