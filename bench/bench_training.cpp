// Training throughput: images per second of one training step (forward,
// backward, optimizer) of ResQuNN models on 14x14 inputs, single thread
// (Kokkos::Serial is not the default space, so pin OMP_NUM_THREADS=1) and
// all threads. Also the frozen-vs-trainable cost ratio of a one-layer model.
// Inputs are seeded random images: the cost does not depend on pixel values.
// Reported counter: images_per_second (higher is better).
// BM_Train_PaperBase trains examples/paper_base.toml's model and training
// options (read from the file, so it follows the example) by evaluator.
#include "resqunn/config/run_config.hpp"
#include "resqunn/core/random.hpp"
#include "resqunn/train/trainer.hpp"

#include <Kokkos_Core.hpp>

#include "resqunn_source_paths.hpp"
#include <benchmark/benchmark.h>

namespace {

using namespace resqunn;

train::TrainingData random_data(int n) {
  Rng rng(11);
  auto make = [&](int count) {
    train::LabelledImages s;
    s.images = model::Tensor(count, {1, 14, 14});
    for (double& v : s.images.data) v = rng.uniform();
    for (int i = 0; i < count; ++i) s.labels.push_back(static_cast<int>(rng.below(10)));
    return s;
  };
  train::TrainingData d;
  d.train = make(n);
  d.validation = make(10);
  d.classes = 10;
  return d;
}

model::ModelSpec spec(int layers, const std::string& residual, bool trainable,
                      quantum::Evaluator evaluator = quantum::Evaluator::automatic) {
  model::ModelSpec m;
  for (int k = 0; k < layers; ++k) {
    model::QuanvSpec q;
    q.depth = k == 0 ? 4 : 1;  // the paper's QCL1 depth 4, QCL2 depth 1
    q.trainable = trainable;
    q.evaluator = evaluator;
    m.layers.push_back(q);
  }
  m.residual = residual;
  return m;
}

// One epoch of `images` images in batches of 32 (or o's) per iteration.
void run_epochs(benchmark::State& state, const model::ModelSpec& s,
                train::TrainOptions o = train::TrainOptions{}) {
  const int images = 256;
  const auto data = random_data(images);
  model::Model m(s, {1, 14, 14}, 10);
  o.epochs = 1;
  for (auto _ : state) {
    train::Trainer t(m, data, o, {});
    t.run();
    benchmark::DoNotOptimize(t.state().parameters.data());
  }
  state.counters["images_per_second"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * images, benchmark::Counter::kIsRate);
  state.counters["threads"] = Kokkos::DefaultExecutionSpace().concurrency();
}

// Arg: the layers' evaluator, 0 auto, 1 statevector, 2 compiled.
void BM_Train_TwoLayers_X_O1_O2(benchmark::State& state) {
  constexpr quantum::Evaluator kEvaluators[] = {
      quantum::Evaluator::automatic, quantum::Evaluator::statevector, quantum::Evaluator::compiled};
  run_epochs(state, spec(2, "(X+O1)+O2", true, kEvaluators[state.range(0)]));
}
// examples/paper_base.toml's model (QCL1 depth 4 stride 2, QCL2 depth 1
// stride 1 same padding on 4 channels, "(X+O1)+O2", barrier mode, dense
// head) and its training options; arg: every layer's evaluator as above.
void BM_Train_PaperBase(benchmark::State& state) {
  constexpr quantum::Evaluator kEvaluators[] = {
      quantum::Evaluator::automatic, quantum::Evaluator::statevector, quantum::Evaluator::compiled};
  config::RunConfig c = config::load_run_config(RESQUNN_SOURCE_DIR "/examples/paper_base.toml");
  for (model::QuanvSpec& q : c.model.layers) q.evaluator = kEvaluators[state.range(0)];
  run_epochs(state, c.model, c.train);
}
void BM_Train_TwoLayers_None(benchmark::State& state) { run_epochs(state, spec(2, "none", true)); }
void BM_Train_OneLayer_Trainable(benchmark::State& state) {
  run_epochs(state, spec(1, "none", true));
}
void BM_Train_OneLayer_Frozen(benchmark::State& state) {
  run_epochs(state, spec(1, "none", false));
}

BENCHMARK(BM_Train_TwoLayers_X_O1_O2)
    ->ArgName("evaluator")
    ->DenseRange(0, 2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_Train_PaperBase)
    ->ArgName("evaluator")
    ->DenseRange(0, 2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_Train_TwoLayers_None)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Train_OneLayer_Trainable)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Train_OneLayer_Frozen)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
