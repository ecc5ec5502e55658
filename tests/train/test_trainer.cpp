// The training loop on small synthetic data: determinism, checkpoint and
// restore, micro-batch invariance, metrics bookkeeping.
#include "resqunn/core/error.hpp"
#include "resqunn/core/random.hpp"
#include "resqunn/train/trainer.hpp"

#include <Kokkos_Core.hpp>

#include <gtest/gtest.h>

#include <cmath>

namespace {

using namespace resqunn;

// Two classes of 6x6 images: bright top half or bright bottom half, noisy.
train::TrainingData synthetic(int ntrain, int nval, std::uint64_t seed) {
  Rng rng(seed);
  auto make = [&](int n) {
    train::LabelledImages s;
    s.images = model::Tensor(n, {1, 6, 6});
    for (int i = 0; i < n; ++i) {
      const int label = i % 2;
      s.labels.push_back(label);
      for (int y = 0; y < 6; ++y) {
        for (int x = 0; x < 6; ++x) {
          const bool bright = (y < 3) == (label == 0);
          s.images.at(i, 0, y, x) = (bright ? 0.7 : 0.1) + 0.2 * rng.uniform();
        }
      }
    }
    return s;
  };
  train::TrainingData d;
  d.train = make(ntrain);
  d.validation = make(nval);
  d.classes = 2;
  d.class_names = {"top", "bottom"};
  return d;
}

model::ModelSpec two_layers() {
  model::ModelSpec m;
  model::QuanvSpec a, b;
  b.stride = 1;
  m.layers = {a, b};
  m.residual = "(X+O1)+O2";
  return m;
}

struct Recorder : train::TrainingObserver {
  std::vector<train::StepRecord> steps;
  std::vector<train::EpochRecord> epochs;
  std::vector<train::TrainerState> states;
  int stop_after_epochs = -1;
  int stop_after_steps = -1;
  void on_step(const train::StepRecord& s) override { steps.push_back(s); }
  void on_epoch(const train::EpochRecord& e, const train::TrainerState& s) override {
    epochs.push_back(e);
    states.push_back(s);
  }
  bool stop_requested() override {
    return (stop_after_epochs >= 0 && static_cast<int>(epochs.size()) >= stop_after_epochs) ||
           (stop_after_steps >= 0 && static_cast<int>(steps.size()) >= stop_after_steps);
  }
};

train::TrainOptions options(int epochs, int micro_batch) {
  train::TrainOptions o;
  o.epochs = epochs;
  o.batch_size = 8;
  o.micro_batch = micro_batch;
  o.optimizer.lr = 0.05;
  return o;
}

TEST(Trainer, LearnsASeparableTaskAndRecordsEveryStepAndEpoch) {
  const auto data = synthetic(40, 20, 1);
  model::Model m(two_layers(), {1, 6, 6}, 2);
  train::Trainer t(m, data, options(4, 4), {});
  Recorder r;
  EXPECT_TRUE(t.run(&r));
  ASSERT_EQ(r.epochs.size(), 4u);
  EXPECT_EQ(t.steps_per_epoch(), 5);
  ASSERT_EQ(r.steps.size(), 20u);
  for (std::size_t i = 0; i < r.steps.size(); ++i) {
    EXPECT_EQ(r.steps[i].step, static_cast<std::int64_t>(i));
    EXPECT_EQ(r.steps[i].groups.size(), m.groups().size());
    EXPECT_TRUE(r.steps[i].gradient.empty());
  }
  EXPECT_GE(r.epochs.back().val_acc, 0.9);
  EXPECT_LT(r.epochs.back().train_loss, r.epochs.front().train_loss);
  // Confusion matrix rows are true classes and add up to the validation set.
  std::int64_t total = 0;
  for (auto c : r.epochs.back().confusion) total += c;
  EXPECT_EQ(total, 20);
  const auto& e = r.epochs.back();
  EXPECT_DOUBLE_EQ(e.val_acc, static_cast<double>(e.confusion[0] + e.confusion[3]) / 20.0);
  EXPECT_DOUBLE_EQ(e.val_class_acc[0],
                   static_cast<double>(e.confusion[0]) / (e.confusion[0] + e.confusion[1]));
}

TEST(Trainer, TraceStatisticsDescribeTheFullGradient) {
  const auto data = synthetic(16, 4, 2);
  model::Model m(two_layers(), {1, 6, 6}, 2);
  train::TraceOptions trace;
  trace.full = true;
  train::Trainer t(m, data, options(1, 4), trace);
  Recorder r;
  t.run(&r);
  for (const auto& s : r.steps) {
    ASSERT_EQ(s.gradient.size(), static_cast<std::size_t>(m.parameter_count()));
    for (std::size_t g = 0; g < m.groups().size(); ++g) {
      const auto& grp = m.groups()[g];
      double sq = 0, mx = 0, sum = 0;
      for (int i = 0; i < grp.count; ++i) {
        const double v = s.gradient[grp.offset + i];
        sq += v * v;
        sum += std::fabs(v);
        mx = std::max(mx, std::fabs(v));
      }
      EXPECT_NEAR(s.groups[g].norm, std::sqrt(sq), 1e-15);
      EXPECT_NEAR(s.groups[g].mean_abs, sum / grp.count, 1e-15);
      EXPECT_EQ(s.groups[g].max_abs, mx);
    }
  }
}

TEST(Trainer, SameSeedSameBits) {
  const auto data = synthetic(24, 8, 3);
  std::vector<double> first;
  for (int run = 0; run < 2; ++run) {
    model::Model m(two_layers(), {1, 6, 6}, 2);
    train::Trainer t(m, data, options(2, 4), {});
    t.run();
    if (run == 0)
      first = t.state().parameters;
    else
      EXPECT_EQ(first, t.state().parameters);
  }
}

// Each epoch reports the bytes its circuits copied between host and device
// memory: none on a host space (the kernels work on the model's arrays), the
// epoch's circuit data and parameters on a device.
TEST(Trainer, EpochsReportHostDeviceCopies) {
  const auto data = synthetic(24, 8, 3);
  model::Model m(two_layers(), {1, 6, 6}, 2);
  train::Trainer t(m, data, options(2, 4), {});
  Recorder r;
  EXPECT_TRUE(t.run(&r));
  ASSERT_EQ(r.epochs.size(), 2u);
  constexpr bool host =
      Kokkos::SpaceAccessibility<Kokkos::HostSpace,
                                 Kokkos::DefaultExecutionSpace::memory_space>::accessible;
  for (const auto& e : r.epochs) {
    if (host) {
      EXPECT_EQ(e.circuit_bytes_moved, 0);
      EXPECT_EQ(e.parameter_bytes_moved, 0);
    } else {
      EXPECT_GT(e.circuit_bytes_moved, 0);
      EXPECT_GT(e.parameter_bytes_moved, 0);
    }
  }
  EXPECT_GT(m.work().forward_circuits, 0);
}

TEST(Trainer, StopAndRestoreEqualsAnUninterruptedRun) {
  const auto data = synthetic(24, 8, 4);
  model::Model m1(two_layers(), {1, 6, 6}, 2);
  train::Trainer straight(m1, data, options(3, 4), {});
  Recorder all;
  straight.run(&all);

  model::Model m2(two_layers(), {1, 6, 6}, 2);
  train::Trainer first(m2, data, options(3, 4), {});
  Recorder part;
  part.stop_after_epochs = 1;
  EXPECT_FALSE(first.run(&part));
  EXPECT_EQ(first.state().epochs_done, 1);

  model::Model m3(two_layers(), {1, 6, 6}, 2);
  train::Trainer resumed(m3, data, options(3, 4), {});
  resumed.restore(part.states.back());
  Recorder rest;
  EXPECT_TRUE(resumed.run(&rest));
  EXPECT_EQ(resumed.state().parameters, straight.state().parameters);
  ASSERT_EQ(rest.epochs.size(), 2u);
  EXPECT_EQ(rest.epochs.back().val_loss, all.epochs.back().val_loss);
  EXPECT_EQ(rest.steps.front().step, all.steps[3].step);
}

TEST(Trainer, StopInTheMiddleOfAnEpochAndRestoreEqualsAnUninterruptedRun) {
  const auto data = synthetic(24, 8, 4);
  model::Model m1(two_layers(), {1, 6, 6}, 2);
  train::Trainer straight(m1, data, options(2, 4), {});
  Recorder all;
  straight.run(&all);

  model::Model m2(two_layers(), {1, 6, 6}, 2);
  train::Trainer first(m2, data, options(2, 4), {});
  Recorder part;
  part.stop_after_steps = 4;  // epoch 1, step 1 of 3
  EXPECT_FALSE(first.run(&part));
  EXPECT_EQ(first.state().epochs_done, 1);
  EXPECT_EQ(first.state().steps_done, 4);

  model::Model m3(two_layers(), {1, 6, 6}, 2);
  train::Trainer resumed(m3, data, options(2, 4), {});
  resumed.restore(first.state());
  Recorder rest;
  EXPECT_TRUE(resumed.run(&rest));
  EXPECT_EQ(resumed.state().parameters, straight.state().parameters);
  ASSERT_EQ(rest.epochs.size(), 1u);
  EXPECT_EQ(rest.epochs[0].train_loss, all.epochs[1].train_loss);
  EXPECT_EQ(rest.epochs[0].train_acc, all.epochs[1].train_acc);
  EXPECT_EQ(rest.epochs[0].val_loss, all.epochs[1].val_loss);
  ASSERT_EQ(rest.steps.size(), 2u);
  EXPECT_EQ(rest.steps[0].step, 4);
  EXPECT_EQ(rest.steps[1].groups[0].norm, all.steps[5].groups[0].norm);
}

TEST(Trainer, MicroBatchSizeChangesOnlyTheSummationOrder) {
  const auto data = synthetic(16, 8, 5);
  std::vector<std::vector<double>> params;
  for (int mb : {1, 3, 8}) {
    model::Model m(two_layers(), {1, 6, 6}, 2);
    train::Trainer t(m, data, options(1, mb), {});
    t.run();
    params.push_back(t.state().parameters);
  }
  for (std::size_t i = 0; i < params[0].size(); ++i) {
    EXPECT_NEAR(params[1][i], params[0][i], 1e-9);
    EXPECT_NEAR(params[2][i], params[0][i], 1e-9);
  }
}

TEST(Trainer, RejectsBadOptions) {
  const auto data = synthetic(8, 4, 6);
  model::Model m(two_layers(), {1, 6, 6}, 2);
  auto o = options(1, 4);
  o.batch_size = 0;
  EXPECT_THROW(train::Trainer(m, data, o, {}), UsageError);
  model::Model three(two_layers(), {1, 6, 6}, 3);
  EXPECT_THROW(train::Trainer(three, data, options(1, 4), {}), UsageError);
}

}  // namespace
