// End-to-end training on real MNIST (the dataset must have been fetched:
// scripts/test.sh runs `resqunn data fetch` first). The acceptance bar of
// the model/training issue: a one-layer trainable model reaches >= 80 %
// validation accuracy on 14x14 images with 2,000 training and 500
// validation images in 5 epochs; and a frozen layer costs forward passes
// only.
#include "resqunn/data/catalog.hpp"
#include "resqunn/train/trainer.hpp"

#include <gtest/gtest.h>

namespace {

using namespace resqunn;

model::ModelSpec one_layer(bool trainable) {
  model::ModelSpec m;
  model::QuanvSpec q;
  q.depth = 1;
  q.trainable = trainable;
  m.layers = {q};
  return m;
}

train::TrainingData mnist(int ntrain, int nval) {
  train::DataOptions d;
  d.dataset = "mnist";
  d.image_size = 14;
  d.train = ntrain;
  d.validation = nval;
  return train::load_training_data(d, data::default_data_dir());
}

model::Work one_epoch_work(const train::TrainingData& data, bool trainable) {
  model::Model m(one_layer(trainable), data.train.images.shape, data.classes);
  train::TrainOptions o;
  o.epochs = 1;
  train::Trainer t(m, data, o, {});
  t.run();
  return m.work();
}

TEST(MnistTraining, OneTrainableLayerReaches80PercentIn5Epochs) {
  const auto data = mnist(2000, 500);
  model::Model m(one_layer(true), data.train.images.shape, data.classes);
  train::TrainOptions o;
  o.epochs = 5;
  train::Trainer t(m, data, o, {});
  struct Log : train::TrainingObserver {
    std::vector<train::EpochRecord> epochs;
    void on_epoch(const train::EpochRecord& e, const train::TrainerState&) override {
      epochs.push_back(e);
    }
  } log;
  EXPECT_TRUE(t.run(&log));
  ASSERT_EQ(log.epochs.size(), 5u);
  for (const auto& e : log.epochs) {
    std::printf("epoch %d: train loss %.4f acc %.3f | val loss %.4f acc %.3f | %.1f img/s\n",
                e.epoch, e.train_loss, e.train_acc, e.val_loss, e.val_acc, e.images_per_s);
  }
  EXPECT_GE(log.epochs.back().val_acc, 0.80);
  EXPECT_LT(log.epochs.back().train_loss, log.epochs.front().train_loss);
}

// The cost model, counted rather than timed (timings live in bench/): a
// frozen first layer needs no gradient, so training runs its circuits
// forward only; a trainable one adds an adjoint pass (forward + VJP, about
// 3x a forward by bench_circuits) per circuit. Measured images/s of both
// are in docs/benchmarks.md (bench_training).
TEST(MnistTraining, FrozenLayerSkipsEveryAdjointPass) {
  const auto data = mnist(200, 40);
  const long circuits_per_epoch = (200 + 40) * 49;  // 7x7 patches of 14x14 images
  const auto frozen = one_epoch_work(data, false);
  const auto trainable = one_epoch_work(data, true);
  EXPECT_EQ(frozen.adjoint_circuits, 0);
  EXPECT_EQ(frozen.forward_circuits, circuits_per_epoch);
  EXPECT_EQ(trainable.forward_circuits, circuits_per_epoch);
  EXPECT_EQ(trainable.adjoint_circuits, 200 * 49);
}

}  // namespace
