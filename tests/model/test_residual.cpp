// The residual grammar (residual.hpp): which sum every layer and the head
// reads, checked against wirings written out by hand, and the parse errors
// with the column they point at.
#include "resqunn/core/error.hpp"
#include "resqunn/model/residual.hpp"

#include "model_test_support.hpp"
#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace resqunn::model;
using resqunn::model::test::expect_usage_error;

namespace {

using Sources = std::vector<std::vector<int>>;

struct WiringCase {
  int layers;
  std::string text;
  Sources sources;  // layer 1 .. layer L inputs, then the head's
};

void PrintTo(const WiringCase& c, std::ostream* os) {
  *os << "L=" << c.layers << " \"" << c.text << "\"";
}

class ParseResidual : public ::testing::TestWithParam<WiringCase> {};

// Node 0 is X, node k is O_k.
const WiringCase kWirings[] = {
    // One layer.
    {1, "none", {{0}, {1}}},
    {1, "X+O1", {{0}, {0, 1}}},
    {1, "O1", {{0}, {1}}},
    {1, "X", {{0}, {1}}},
    // Two layers: the paper's five configurations.
    {2, "none", {{0}, {1}, {2}}},
    {2, "X+O1", {{0}, {0, 1}, {2}}},
    {2, "X+O2", {{0}, {1}, {0, 2}}},
    {2, "O1+O2", {{0}, {1}, {1, 2}}},
    // The parenthesised sum feeds layer 2, the whole sum the head.
    {2, "(X+O1)+O2", {{0}, {0, 1}, {0, 1, 2}}},
    // Without parentheses only the head reads a sum; layer 2 keeps O1.
    {2, "X+O1+O2", {{0}, {1}, {0, 1, 2}}},
    // Terms are sorted; order in the text does not matter.
    {2, "O2+X", {{0}, {1}, {0, 2}}},
    {2, "O2+O1+X", {{0}, {1}, {0, 1, 2}}},
    // A parenthesised single sum, with redundant parentheses.
    {2, "(X+O1)", {{0}, {0, 1}, {2}}},
    {2, "((X+O1))", {{0}, {0, 1}, {2}}},
    {2, "(X)+(O2)", {{0}, {1}, {0, 2}}},
    // Several sums.
    {2, "X+O1;O1+O2", {{0}, {0, 1}, {1, 2}}},
    // The same sum twice is not a conflict.
    {2, "X+O1;X+O1", {{0}, {0, 1}, {2}}},
    // Three layers.
    {3, "none", {{0}, {1}, {2}, {3}}},
    {3, "X+O1", {{0}, {0, 1}, {2}, {3}}},
    {3, "((X+O1)+O2)+O3", {{0}, {0, 1}, {0, 1, 2}, {0, 1, 2, 3}}},
    {3, "O1+O2+O3", {{0}, {1}, {2}, {1, 2, 3}}},
    {3, "(O1+O2)+O3", {{0}, {1}, {1, 2}, {1, 2, 3}}},
    {3, "X+O1;X+O2", {{0}, {0, 1}, {0, 2}, {3}}},
    {3, "X+O2;O1+O3", {{0}, {1}, {0, 2}, {1, 3}}},
    {3, "(X+O1)+O2;O2+O3", {{0}, {0, 1}, {0, 1, 2}, {2, 3}}},
};

}  // namespace

TEST_P(ParseResidual, WiresEveryConsumer) {
  const WiringCase& c = GetParam();
  const Wiring w = parse_residual(c.text, c.layers);
  EXPECT_EQ(w.layers, c.layers);
  ASSERT_EQ(w.sources.size(), c.sources.size());
  EXPECT_EQ(w.sources, c.sources);
  for (int k = 0; k < c.layers; ++k) EXPECT_EQ(w.layer_input(k), c.sources[k]) << "layer " << k + 1;
  EXPECT_EQ(w.head_input(), c.sources.back());
}

INSTANTIATE_TEST_SUITE_P(Grammar, ParseResidual, ::testing::ValuesIn(kWirings));

// One spelling per wiring: terms by their largest node, sums by consumer,
// each once; what parses but is spelt otherwise (spaces, lower case, empty)
// is refused with that spelling as the suggestion.
TEST(CanonicalResidual, OneSpellingPerWiring) {
  const std::pair<const char*, const char*> same[] = {
      {"O1+O2", "O1+O2"},         {"O2+O1", "O1+O2"},           {"O2+X", "X+O2"},
      {"O2+(X+O1)", "(X+O1)+O2"}, {"(O1+X)+O2", "(X+O1)+O2"},   {"((X+O1))", "X+O1"},
      {"(X)+(O2)", "X+O2"},       {"O1+O2;X+O1", "X+O1;O1+O2"}, {"X+O1;X+O1", "X+O1"},
      {"none", "none"},           {"(X+O1)+O2", "(X+O1)+O2"},   {"O2", "O2"},
  };
  for (const auto& [text, canonical] : same) {
    EXPECT_EQ(canonical_residual(text, 2), canonical) << text;
    // The canonical form wires the same, and is its own canonical form.
    EXPECT_EQ(parse_residual(canonical, 2).sources, parse_residual(text, 2).sources) << text;
    EXPECT_EQ(canonical_residual(canonical, 2), canonical) << text;
  }
  EXPECT_EQ(canonical_residual("O3+((X+O1)+O2)", 3), "((X+O1)+O2)+O3");
  const std::pair<const char*, const char*> refused[] = {
      {"x+o1", "X and O are upper case (did you mean \"X+O1\"?)"},
      {" X+O1", "spaces are not part of the grammar (did you mean \"X+O1\"?)"},
      {"( x+o1 ) + o2", "(did you mean \"(X+O1)+O2\"?)"},
      {"", "an empty wiring (did you mean \"none\"?)"},
      {" none", "(did you mean \"none\"?)"},
      {"X+O1;O1+X+O2;X+O2", "the input of the head is given twice"},
  };
  for (const auto& [text, message] : refused) {
    for (const bool canonical : {true, false}) {
      try {
        if (canonical) {
          (void)canonical_residual(text, 2);
        } else {
          (void)parse_residual(text, 2);
        }
        ADD_FAILURE() << "accepted \"" << text << "\"";
      } catch (const resqunn::UsageError& e) {
        EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
      }
    }
  }
}

TEST(ParseResidual, PlainChainIsTheDefaultForEveryDepth) {
  for (int L = 1; L <= 16; ++L) {
    const Wiring w = parse_residual("none", L);
    ASSERT_EQ(static_cast<int>(w.sources.size()), L + 1);
    for (int k = 0; k <= L; ++k) EXPECT_EQ(w.sources[k], std::vector<int>{k}) << "L=" << L;
  }
}

namespace {

struct ErrorCase {
  int layers;
  std::string text;
  std::vector<std::string> pieces;  // each must appear in what()
};

void PrintTo(const ErrorCase& c, std::ostream* os) {
  *os << "L=" << c.layers << " \"" << c.text << "\"";
}

class ResidualErrors : public ::testing::TestWithParam<ErrorCase> {};

const ErrorCase kErrors[] = {
    {2, "O3", {"residual \"O3\"", "expected O1..O2", "the model has 2 layers", "at column 1"}},
    {1, "O2", {"expected O1..O1", "the model has 1 layer)", "at column 1"}},
    {2, "X+O3", {"expected O1..O2", "at column 3"}},
    {2, "O0", {"expected O1..O2", "at column 1"}},
    {2, "O", {"expected O1..O2", "at column 1"}},
    {2, "X+O", {"expected O1..O2", "at column 3"}},
    {2, "X+", {"expected X, O1..O2 or '('", "at column 3"}},
    {2, "X+O1)", {"expected '+', ';' or the end", "at column 5"}},
    {2, "(X+O1", {"expected ')'", "at column 6"}},
    {2, "X+X", {"X appears twice in one sum", "at column 3"}},
    {2, "O1 + X + O1", {"O1 appears twice in one sum", "at column 10"}},
    {2, "(X+O1)+(X+O2)", {"X appears twice in one sum", "at column 8"}},
    {2, "X++O1", {"expected X, O1..O2 or '('", "at column 3"}},
    {2, "Y", {"expected X, O1..O2 or '('", "at column 1"}},
    {2, "X + Y", {"expected X, O1..O2 or '('", "at column 5"}},
    {2, "X O1", {"expected '+', ';' or the end", "at column 3"}},
    {2, "X+O1;", {"expected X, O1..O2 or '('", "at column 6"}},
    {2, ";X+O1", {"expected X, O1..O2 or '('", "at column 1"}},
    {2, "()", {"expected X, O1..O2 or '('", "at column 2"}},
    // Two different sums for one consumer.
    {2, "X+O1;O1+X+O2;X+O2", {"the input of the head is given twice (X+O1+O2 and X+O2)"}},
    {2, "O1;X+O1", {"the input of layer 2 is given twice (O1 and X+O1)"}},
    // The parenthesised O1+O2 and the whole sum both end in O2: both feed the head.
    {2, "X+(O1+O2)", {"the input of the head is given twice (O1+O2 and X+O1+O2)"}},
    {3, "X+O2;O1+O2", {"the input of layer 3 is given twice (X+O2 and O1+O2)"}},
};

}  // namespace

TEST_P(ResidualErrors, PointAtTheProblem) {
  const ErrorCase& c = GetParam();
  expect_usage_error([&] { (void)parse_residual(c.text, c.layers); }, c.pieces);
  // Every error carries the grammar as its fix.
  try {
    (void)parse_residual(c.text, c.layers);
  } catch (const resqunn::UsageError& e) {
    EXPECT_FALSE(e.fix().empty());
  }
}

INSTANTIATE_TEST_SUITE_P(Grammar, ResidualErrors, ::testing::ValuesIn(kErrors));

TEST(ResidualErrors, SyntaxErrorsShowTheGrammar) {
  try {
    (void)parse_residual("X+", 2);
    FAIL() << "no exception";
  } catch (const resqunn::UsageError& e) {
    EXPECT_NE(e.fix().find("(X+O1)+O2"), std::string::npos) << e.fix();
    EXPECT_NE(e.fix().find("none"), std::string::npos) << e.fix();
  }
}

// Found by fuzz_run_config: a residual of a few thousand '(' overflowed the
// parser's stack.
TEST(ResidualErrors, DeepNestingIsAnErrorNotAStackOverflow) {
  const std::string deep = std::string(100000, '(') + "X" + std::string(100000, ')');
  expect_usage_error([&] { (void)parse_residual(deep, 2); },
                     {"parentheses nested more than 64 deep", "at column 65"});
  const std::string fine = std::string(64, '(') + "X+O1" + std::string(64, ')');
  EXPECT_EQ(canonical_residual(fine, 2), "X+O1");
}

TEST(ResidualErrors, NeedsAtLeastOneLayer) {
  expect_usage_error([] { (void)parse_residual("none", 0); }, {"at least one layer"});
  expect_usage_error([] { (void)parse_residual("X", -1); }, {"at least one layer"});
}

TEST(ResidualNames, NodeAndSumNames) {
  EXPECT_EQ(node_name(0), "X");
  EXPECT_EQ(node_name(1), "O1");
  EXPECT_EQ(node_name(12), "O12");
  EXPECT_EQ(sum_name({0}), "X");
  EXPECT_EQ(sum_name({2}), "O2");
  EXPECT_EQ(sum_name({0, 1}), "X+O1");
  EXPECT_EQ(sum_name({0, 1, 2}), "X+O1+O2");
  EXPECT_EQ(sum_name({1, 3}), "O1+O3");
  EXPECT_EQ(sum_name({}), "");
}

TEST(ResidualNames, SumNamesParseBackToTheSameSum) {
  // A sum's name is itself a residual configuration for the head.
  const std::vector<std::vector<int>> sums = {{0, 3}, {1, 2, 3}, {0, 1, 2, 3}, {2, 3}};
  for (const auto& s : sums) {
    EXPECT_EQ(parse_residual(sum_name(s), 3).head_input(), s) << sum_name(s);
  }
}
