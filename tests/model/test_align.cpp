// Residual-sum alignment (align.hpp): the sum's shape, adaptive average
// pooling and channel broadcast against values worked out by hand, and
// add_aligned_adjoint as the exact transpose of add_aligned.
#include "resqunn/model/align.hpp"

#include "model_test_support.hpp"
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

using namespace resqunn::model;
using namespace resqunn::model::test;

TEST(SumShape, MostChannelsAndSmallestExtent) {
  EXPECT_EQ(sum_shape({{1, 4, 4}, {4, 2, 2}}, {"X", "O1"}, "s"), (Shape{4, 2, 2}));
  EXPECT_EQ(sum_shape({{4, 2, 2}, {1, 4, 4}}, {"O1", "X"}, "s"), (Shape{4, 2, 2}));
  // Height and width are taken separately.
  EXPECT_EQ(sum_shape({{4, 3, 5}, {4, 4, 2}}, {"O1", "O2"}, "s"), (Shape{4, 3, 2}));
  EXPECT_EQ(sum_shape({{1, 7, 7}, {1, 7, 7}}, {"X", "O1"}, "s"), (Shape{1, 7, 7}));
  EXPECT_EQ(sum_shape({{9, 2, 3}}, {"O1"}, "s"), (Shape{9, 2, 3}));
  // Several 1-channel terms broadcast to the one wide term.
  EXPECT_EQ(sum_shape({{1, 6, 6}, {16, 3, 3}, {1, 4, 4}}, {"X", "O1", "O2"}, "s"),
            (Shape{16, 3, 3}));
}

TEST(SumShape, ChannelMismatchNamesTheTermAndTheSum) {
  expect_usage_error(
      [] {
        (void)sum_shape({{4, 2, 2}, {16, 2, 2}}, {"O1", "O2"}, "residual O1+O2 (input of head)");
      },
      {"residual O1+O2 (input of head)", "cannot add O1 (4x2x2)", "16-channel sum"});
  // The order of the terms does not matter.
  expect_usage_error(
      [] {
        (void)sum_shape({{16, 2, 2}, {4, 2, 2}}, {"O1", "O2"}, "residual O1+O2 (input of head)");
      },
      {"residual O1+O2 (input of head)", "cannot add O2 (4x2x2)", "16-channel sum"});
  // 2 vs 3 channels, with a broadcastable X beside them.
  expect_usage_error(
      [] {
        (void)sum_shape({{1, 4, 4}, {2, 2, 2}, {3, 2, 2}}, {"X", "O1", "O2"}, "w");
      },
      {"cannot add O1 (2x2x2)", "3-channel"});
  try {
    (void)sum_shape({{4, 2, 2}, {16, 2, 2}}, {"O1", "O2"}, "w");
  } catch (const resqunn::UsageError& e) {
    EXPECT_NE(e.fix().find("channel"), std::string::npos) << e.fix();
  }
}

TEST(AddAligned, BlockAverage4x4To2x2) {
  Tensor in(1, {1, 4, 4});
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 4; ++x) in.at(0, 0, y, x) = 4 * y + x;  // 0..15
  }
  Tensor out(1, {1, 2, 2});
  out.data = {1.0, 1.0, 1.0, 1.0};  // add_aligned adds
  add_aligned(in, out);
  // (0+1+4+5)/4, (2+3+6+7)/4, (8+9+12+13)/4, (10+11+14+15)/4, plus 1.
  EXPECT_EQ(out.data, (std::vector<double>{3.5, 5.5, 11.5, 13.5}));
}

TEST(AddAligned, AdaptiveAverage5x5To2x2) {
  // 5 -> 2: output row 0 averages input rows 0..2 (floor(0)..ceil(2.5)-1),
  // row 1 rows 2..4 (floor(2.5)..ceil(5)-1); the middle row is in both.
  Tensor in(1, {1, 5, 5});
  for (int y = 0; y < 5; ++y) {
    for (int x = 0; x < 5; ++x) in.at(0, 0, y, x) = 5 * y + x;
  }
  Tensor out(1, {1, 2, 2});
  add_aligned(in, out);
  // Mean of 5y + x over y, x in {0,1,2}: 5*1 + 1 = 6; columns 2..4: 5*1 + 3;
  // rows 2..4: 5*3 + 1 and 5*3 + 3.
  EXPECT_DOUBLE_EQ(out.at(0, 0, 0, 0), 6.0);
  EXPECT_DOUBLE_EQ(out.at(0, 0, 0, 1), 8.0);
  EXPECT_DOUBLE_EQ(out.at(0, 0, 1, 0), 16.0);
  EXPECT_DOUBLE_EQ(out.at(0, 0, 1, 1), 18.0);

  // Point masses: the centre pixel lies in all four 3x3 windows, (4, 0) only
  // in the bottom-left one; each window has 9 pixels.
  Tensor delta(1, {1, 5, 5});
  delta.at(0, 0, 2, 2) = 9.0;
  delta.at(0, 0, 4, 0) = 18.0;
  Tensor d_out(1, {1, 2, 2});
  add_aligned(delta, d_out);
  EXPECT_EQ(d_out.data, (std::vector<double>{1.0, 1.0, 3.0, 1.0}));
}

TEST(AddAligned, NonSquareAdaptive5x3To2x2) {
  // Rows 5 -> 2: {0,1,2}, {2,3,4}; columns 3 -> 2: {0,1}, {1,2}.
  Tensor in(1, {1, 5, 3});
  in.at(0, 0, 0, 0) = 6.0;   // window (0,0) only
  in.at(0, 0, 2, 1) = 12.0;  // all four windows
  in.at(0, 0, 4, 2) = 30.0;  // window (1,1) only
  Tensor out(1, {1, 2, 2});
  add_aligned(in, out);
  // Each window has 3 x 2 = 6 pixels.
  EXPECT_DOUBLE_EQ(out.at(0, 0, 0, 0), (6.0 + 12.0) / 6.0);
  EXPECT_DOUBLE_EQ(out.at(0, 0, 0, 1), 12.0 / 6.0);
  EXPECT_DOUBLE_EQ(out.at(0, 0, 1, 0), 12.0 / 6.0);
  EXPECT_DOUBLE_EQ(out.at(0, 0, 1, 1), (12.0 + 30.0) / 6.0);
}

TEST(AddAligned, SameShapeIsTheIdentity) {
  std::mt19937_64 rng(7);
  const Tensor in = random_tensor(rng, 3, {2, 3, 4});
  Tensor out(3, {2, 3, 4});
  add_aligned(in, out);
  EXPECT_EQ(out.data, in.data);
}

TEST(AddAligned, OneChannelBroadcastsToEveryChannel) {
  // Two images: [1 2; 3 4] and [10 20; 30 40], pooled to 1x1 and copied to 3 channels.
  Tensor in(2, {1, 2, 2});
  in.data = {1, 2, 3, 4, 10, 20, 30, 40};
  Tensor out(2, {3, 1, 1});
  add_aligned(in, out);
  EXPECT_EQ(out.data, (std::vector<double>{2.5, 2.5, 2.5, 25.0, 25.0, 25.0}));

  Tensor same(2, {3, 2, 2});
  add_aligned(in, same);
  for (int n = 0; n < 2; ++n) {
    for (int c = 0; c < 3; ++c) {
      for (int y = 0; y < 2; ++y) {
        for (int x = 0; x < 2; ++x) EXPECT_EQ(same.at(n, c, y, x), in.at(n, 0, y, x));
      }
    }
  }
}

TEST(AddAligned, ChannelsStayApart) {
  Tensor in(1, {2, 2, 2});
  in.data = {1, 2, 3, 4, -1, -2, -3, -4};
  Tensor out(1, {2, 1, 1});
  add_aligned(in, out);
  EXPECT_EQ(out.data, (std::vector<double>{2.5, -2.5}));
}

TEST(AddAlignedAdjoint, IsTheTranspose) {
  // <add_aligned(a), b> == <a, add_aligned_adjoint(b)> for random a, b.
  struct Case {
    Shape from, to;
  };
  const Case cases[] = {
      {{1, 4, 4}, {1, 2, 2}}, {{1, 5, 5}, {3, 2, 2}}, {{4, 4, 4}, {4, 2, 2}},
      {{2, 7, 6}, {2, 3, 4}}, {{1, 3, 3}, {1, 3, 3}}, {{1, 6, 5}, {16, 1, 1}},
      {{3, 9, 2}, {3, 4, 2}}, {{1, 2, 2}, {4, 2, 2}},
  };
  std::mt19937_64 rng(11);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.from.str() + " -> " + c.to.str());
    const Tensor a = random_tensor(rng, 2, c.from);
    const Tensor b = random_tensor(rng, 2, c.to);
    Tensor fa(2, c.to);
    add_aligned(a, fa);
    Tensor atb(2, c.from);
    add_aligned_adjoint(b, atb);
    const double lhs = dot(fa.data, b.data), rhs = dot(a.data, atb.data);
    EXPECT_NEAR(lhs, rhs, 1e-12 * (1.0 + std::abs(lhs)));
  }
}

TEST(AddAlignedAdjoint, AccumulatesAndSpreadsByHand) {
  // 4x4 -> 2x2: each output cell's gradient is shared equally by its 2x2 block.
  Tensor dout(1, {1, 2, 2});
  dout.data = {4, 8, 12, 16};
  Tensor din(1, {1, 4, 4});
  for (double& v : din.data) v = 1.0;
  add_aligned_adjoint(dout, din);
  const std::vector<double> expected = {2, 2, 3, 3,  //
                                        2, 2, 3, 3,  //
                                        4, 4, 5, 5,  //
                                        4, 4, 5, 5};
  EXPECT_EQ(din.data, expected);

  // Broadcast adjoint: a 1-channel input collects every channel's gradient.
  Tensor dwide(1, {3, 1, 1});
  dwide.data = {1, 2, 3};
  Tensor dnarrow(1, {1, 2, 2});
  add_aligned_adjoint(dwide, dnarrow);
  EXPECT_EQ(dnarrow.data, (std::vector<double>{1.5, 1.5, 1.5, 1.5}));
}
