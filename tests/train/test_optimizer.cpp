// Optimizers against hand-computed updates.
#include "resqunn/core/error.hpp"
#include "resqunn/train/optimizer.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace {

using namespace resqunn::train;

TEST(Adam, FirstStepMovesEachParameterByLrAgainstItsGradientSign) {
  OptimizerOptions o;
  o.lr = 0.1;
  Optimizer opt(o, {true, true, true});
  std::vector<double> p = {1.0, 1.0, 1.0};
  opt.step(p, {0.5, -2.0, 0.0});
  // m_hat = g, v_hat = g^2: the step is lr * g / (|g| + eps).
  EXPECT_NEAR(p[0], 1.0 - 0.1 * 0.5 / (0.5 + 1e-8), 1e-15);
  EXPECT_NEAR(p[1], 1.0 + 0.1 * 2.0 / (2.0 + 1e-8), 1e-15);
  EXPECT_EQ(p[2], 1.0);
  EXPECT_EQ(opt.state().steps, 1);
}

TEST(Adam, SecondStepMatchesTheRecurrence) {
  OptimizerOptions o;
  o.lr = 0.01;
  Optimizer opt(o, {true});
  std::vector<double> p = {0.0};
  opt.step(p, {1.0});
  opt.step(p, {3.0});
  const double m = 0.9 * (0.1 * 1.0) + 0.1 * 3.0;
  const double v = 0.999 * (0.001 * 1.0) + 0.001 * 9.0;
  const double m_hat = m / (1 - 0.81), v_hat = v / (1 - 0.999 * 0.999);
  const double first = -0.01 * 1.0 / (1.0 + 1e-8);
  EXPECT_NEAR(p[0], first - 0.01 * m_hat / (std::sqrt(v_hat) + 1e-8), 1e-15);
}

TEST(Sgd, MomentumAccumulatesVelocity) {
  OptimizerOptions o;
  o.kind = OptimizerKind::sgd;
  o.lr = 0.5;
  o.momentum = 0.9;
  Optimizer opt(o, {true});
  std::vector<double> p = {0.0};
  opt.step(p, {1.0});  // v = 1
  opt.step(p, {1.0});  // v = 1.9
  EXPECT_DOUBLE_EQ(p[0], -0.5 * 1.0 - 0.5 * 1.9);
}

TEST(Optimizer, FrozenParametersNeverMove) {
  for (auto kind : {OptimizerKind::adam, OptimizerKind::sgd}) {
    OptimizerOptions o;
    o.kind = kind;
    Optimizer opt(o, {false, true});
    std::vector<double> p = {1.0, 1.0};
    opt.step(p, {5.0, 5.0});
    EXPECT_EQ(p[0], 1.0);
    EXPECT_NE(p[1], 1.0);
  }
}

TEST(Optimizer, RestoredStateContinuesBitForBit) {
  OptimizerOptions o;
  Optimizer a(o, {true, true});
  std::vector<double> pa = {0.3, -0.2};
  a.step(pa, {0.1, 0.2});
  Optimizer b(o, {true, true});
  b.restore(a.state());
  std::vector<double> pb = pa;
  a.step(pa, {-0.3, 0.05});
  b.step(pb, {-0.3, 0.05});
  EXPECT_EQ(pa, pb);
}

TEST(Optimizer, RejectsStateOfAnotherModel) {
  Optimizer a({}, {true, true});
  OptimizerState s;
  s.m = {0.0};
  s.v = {0.0};
  EXPECT_THROW(a.restore(s), resqunn::UsageError);
}

TEST(Optimizer, ParseNames) {
  EXPECT_EQ(parse_optimizer("adam"), OptimizerKind::adam);
  EXPECT_EQ(parse_optimizer("sgd"), OptimizerKind::sgd);
  EXPECT_THROW(parse_optimizer("rmsprop"), resqunn::UsageError);
}

}  // namespace
