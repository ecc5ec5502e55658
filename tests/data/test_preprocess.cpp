// Preprocessing against values worked out by hand, and the statistical and
// determinism properties of the seeded selections.
#include "resqunn/core/error.hpp"
#include "resqunn/data/preprocess.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>

namespace resqunn::data {
namespace {

ImageSet make_set(std::size_t count, std::size_t side, std::vector<std::int32_t> labels,
                  int num_classes) {
  ImageSet s;
  s.count = count;
  s.rows = s.cols = side;
  s.num_classes = num_classes;
  s.pixels.resize(count * side * side);
  std::iota(s.pixels.begin(), s.pixels.end(), 0.0f);
  s.labels = std::move(labels);
  return s;
}

std::vector<std::int32_t> cyclic_labels(std::size_t n, int classes) {
  std::vector<std::int32_t> l(n);
  for (std::size_t i = 0; i < n; ++i) l[i] = static_cast<std::int32_t>(i % classes);
  return l;
}

TEST(Preprocess, UnitRangeDividesBy255) {
  RawImages raw{2, 1, 2, {0, 255, 51, 102}, {1, 0}};
  const auto s = to_unit_range(raw, 2);
  EXPECT_EQ(s.count, 2u);
  EXPECT_EQ(s.pixels, (std::vector<float>{0.0f, 1.0f, 0.2f, 0.4f}));
  EXPECT_EQ(s.labels, (std::vector<std::int32_t>{1, 0}));
  EXPECT_EQ(s.num_classes, 2);
}

TEST(Preprocess, AveragePoolByHand) {
  // One 4x4 image holding 0..15:
  //  0  1  2  3
  //  4  5  6  7      -> 2x2 blocks: (0+1+4+5)/4 = 2.5, (2+3+6+7)/4 = 4.5,
  //  8  9 10 11                      (8+9+12+13)/4 = 10.5, 12.5
  // 12 13 14 15      -> 4x4 block: 7.5
  const auto s = make_set(1, 4, {0}, 1);
  const auto p2 = average_pool(s, 2);
  EXPECT_EQ(p2.rows, 2u);
  EXPECT_EQ(p2.pixels, (std::vector<float>{2.5f, 4.5f, 10.5f, 12.5f}));
  const auto p4 = average_pool(s, 4);
  EXPECT_EQ(p4.pixels, std::vector<float>{7.5f});
  EXPECT_EQ(average_pool(p2, 2).pixels, p4.pixels);
}

TEST(Preprocess, AveragePoolKeepsImagesSeparate) {
  const auto s = make_set(2, 2, {0, 1}, 2);  // images {0,1,2,3} and {4,5,6,7}
  EXPECT_EQ(average_pool(s, 2).pixels, (std::vector<float>{1.5f, 5.5f}));
}

TEST(Preprocess, MnistSizesPoolTo14And7) {
  const auto s = make_set(3, 28, {0, 1, 2}, 3);
  const auto p = average_pool(average_pool(s, 2), 2);
  EXPECT_EQ(p.rows, 7u);
  EXPECT_EQ(p.cols, 7u);
  EXPECT_EQ(p.pixels.size(), 3u * 49u);
}

TEST(Preprocess, AveragePoolRejectsNonDividingFactor) {
  const auto s = make_set(1, 28, {0}, 1);
  EXPECT_THAT([&] { average_pool(s, 3); },
              ::testing::ThrowsMessage<UsageError>(::testing::HasSubstr("28x28 images by 3")));
  EXPECT_THROW(average_pool(s, 0), UsageError);
}

TEST(Preprocess, SelectClassesRelabelsByPosition) {
  auto s = make_set(6, 1, {0, 1, 2, 3, 1, 3}, 4);
  const auto sub = select_classes(s, {3, 1});
  EXPECT_EQ(sub.count, 4u);
  EXPECT_EQ(sub.labels, (std::vector<std::int32_t>{1, 0, 1, 0}));  // images 1, 3, 4, 5
  EXPECT_EQ(sub.pixels, (std::vector<float>{1, 3, 4, 5}));
  EXPECT_EQ(sub.num_classes, 2);
}

TEST(Preprocess, SelectClassesRejectsBadLists) {
  auto s = make_set(2, 1, {0, 1}, 2);
  EXPECT_THROW(select_classes(s, {}), UsageError);
  EXPECT_THROW(select_classes(s, {2}), UsageError);
  EXPECT_THROW(select_classes(s, {-1}), UsageError);
  EXPECT_THROW(select_classes(s, {1, 1}), UsageError);
}

TEST(Preprocess, SubsetCopiesInOrderAndChecksRange) {
  auto s = make_set(3, 1, {0, 1, 0}, 2);
  const auto sub = subset(s, {2, 0, 2});
  EXPECT_EQ(sub.pixels, (std::vector<float>{2, 0, 2}));
  EXPECT_EQ(sub.labels, (std::vector<std::int32_t>{0, 0, 0}));
  EXPECT_THROW(subset(s, {3}), UsageError);
}

TEST(Preprocess, StratifiedSplitTakesRoundedShareOfEveryClass) {
  // Class sizes 10, 7, 3 with fraction 0.25 -> round(2.5)=3 (half away from
  // zero), round(1.75)=2, round(0.75)=1.
  std::vector<std::int32_t> labels;
  for (int c = 0; c < 3; ++c) labels.insert(labels.end(), std::vector<int>{10, 7, 3}[c], c);
  const auto split = stratified_split(labels, 3, 0.25, 7);
  std::vector<int> per_class(3, 0);
  for (auto i : split.validation) ++per_class[labels[i]];
  EXPECT_EQ(per_class, (std::vector<int>{3, 2, 1}));
  EXPECT_EQ(split.train.size() + split.validation.size(), labels.size());
  EXPECT_TRUE(std::is_sorted(split.train.begin(), split.train.end()));
  EXPECT_TRUE(std::is_sorted(split.validation.begin(), split.validation.end()));
  std::set<std::size_t> all(split.train.begin(), split.train.end());
  all.insert(split.validation.begin(), split.validation.end());
  EXPECT_EQ(all.size(), labels.size());  // a partition: no index twice, none lost
}

TEST(Preprocess, StratifiedSplitIsSeededAndDeterministic) {
  const auto labels = cyclic_labels(1000, 10);
  const auto a = stratified_split(labels, 10, 0.2, 1);
  const auto b = stratified_split(labels, 10, 0.2, 1);
  const auto c = stratified_split(labels, 10, 0.2, 2);
  EXPECT_EQ(a.validation, b.validation);
  EXPECT_NE(a.validation, c.validation);
  EXPECT_EQ(a.validation.size(), 200u);
}

TEST(Preprocess, StratifiedSplitOfOneClassIgnoresOtherClasses) {
  // Per-class RNG streams: adding images of class 1 does not change which
  // class-0 images are chosen.
  std::vector<std::int32_t> only0(50, 0);
  std::vector<std::int32_t> mixed = only0;
  mixed.insert(mixed.end(), 30, 1);
  const auto a = stratified_split(only0, 2, 0.3, 9);
  const auto b = stratified_split(mixed, 2, 0.3, 9);
  std::vector<std::size_t> b0;
  for (auto i : b.validation) {
    if (mixed[i] == 0) b0.push_back(i);
  }
  EXPECT_EQ(a.validation, b0);
}

TEST(Preprocess, StratifiedSplitRejectsBadArguments) {
  EXPECT_THROW(stratified_split({0, 1}, 2, 1.0, 0), UsageError);
  EXPECT_THROW(stratified_split({0, 1}, 2, -0.1, 0), UsageError);
  EXPECT_THROW(stratified_split({0, 5}, 2, 0.5, 0), UsageError);
}

TEST(Preprocess, StratifiedSampleApportionsByLargestRemainder) {
  // Sizes 5, 3, 2 (N=10), count 5: quotas 2.5, 1.5, 1.0 -> floors 2, 1, 1 and
  // one left over; remainders tie (0.5, 0.5) -> the lower class gets it.
  std::vector<std::int32_t> labels = {0, 0, 0, 0, 0, 1, 1, 1, 2, 2};
  const auto s = stratified_sample(labels, 3, 5, 11);
  std::vector<int> per_class(3, 0);
  for (auto i : s) ++per_class[labels[i]];
  EXPECT_EQ(per_class, (std::vector<int>{3, 1, 1}));
  EXPECT_TRUE(std::is_sorted(s.begin(), s.end()));
  EXPECT_EQ(stratified_sample(labels, 3, 5, 11), s);
  EXPECT_EQ(stratified_sample(labels, 3, 10, 1).size(), 10u);
  EXPECT_THROW(stratified_sample(labels, 3, 11, 1), UsageError);
}

TEST(Preprocess, StratifiedSampleChoosesUniformlyWithinAClass) {
  // Over many seeds every member of a class is picked about equally often.
  const auto labels = cyclic_labels(20, 2);  // 10 per class
  std::vector<int> hits(20, 0);
  const int trials = 4000;
  for (int seed = 0; seed < trials; ++seed) {
    for (auto i : stratified_sample(labels, 2, 4, static_cast<std::uint64_t>(seed))) ++hits[i];
  }
  // Each index expected trials * 2/10 = 800 times; 6 sigma ~ 150.
  for (int h : hits) EXPECT_NEAR(h, 800, 150);
}

}  // namespace
}  // namespace resqunn::data
