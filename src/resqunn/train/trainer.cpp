#include "resqunn/train/trainer.hpp"

#include "resqunn/core/error.hpp"
#include "resqunn/core/profiling.hpp"
#include "resqunn/core/random.hpp"

#include <chrono>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <string>

namespace resqunn::train {

namespace {

std::vector<bool> trainable_mask(const model::Model& m) {
  std::vector<bool> mask(m.parameter_count(), false);
  for (const auto& g : m.groups()) {
    for (int i = 0; i < g.count; ++i) mask[g.offset + i] = g.trainable;
  }
  return mask;
}

// Images [first, first + count) of `order` as a batch.
LabelledImages slice(const LabelledImages& set, const std::vector<std::size_t>& order,
                     std::size_t first, std::size_t count) {
  const auto begin = order.begin() + static_cast<std::ptrdiff_t>(first);
  return gather(set, std::vector<std::size_t>(begin, begin + static_cast<std::ptrdiff_t>(count)));
}

void check(bool ok, const std::string& problem, const std::string& fix) {
  if (!ok) throw UsageError(problem, fix);
}

}  // namespace

GradientStats gradient_stats(const double* g, int count) {
  GradientStats s;
  double sq = 0.0, abs_sum = 0.0;
  for (int i = 0; i < count; ++i) {
    const double a = std::fabs(g[i]);
    sq += g[i] * g[i];
    abs_sum += a;
    if (a > s.max_abs) s.max_abs = a;
  }
  s.norm = std::sqrt(sq);
  s.mean_abs = count > 0 ? abs_sum / count : 0.0;
  return s;
}

Trainer::Trainer(model::Model& model, const TrainingData& data, const TrainOptions& options,
                 const TraceOptions& trace, BatchReducer* reducer)
    : model_(model),
      reducer_(reducer ? reducer : &local_),
      data_(data),
      options_(options),
      trace_(trace),
      optimizer_(options.optimizer, trainable_mask(model)) {
  check(options_.batch_size >= 1, "train.batch_size must be at least 1", "the default is 32");
  check(options_.micro_batch >= 1, "train.micro_batch must be at least 1", "the default is 8");
  check(options_.epochs >= 1, "train.epochs must be at least 1", "the default is 5");
  check(data_.classes == model_.classes(),
        "the model has " + std::to_string(model_.classes()) + " classes, the data " +
            std::to_string(data_.classes),
        "build the model for the data's classes");
  state_.parameters = model_.initial_parameters();
  state_.optimizer = optimizer_.state();
}

int Trainer::steps_per_epoch() const noexcept {
  const auto n = data_.train.labels.size();
  return static_cast<int>((n + options_.batch_size - 1) / options_.batch_size);
}

void Trainer::restore(const TrainerState& state) {
  if (state.parameters.size() != static_cast<std::size_t>(model_.parameter_count())) {
    throw UsageError("checkpoint has " + std::to_string(state.parameters.size()) +
                         " parameters, the model " + std::to_string(model_.parameter_count()),
                     "resume only with the configuration that wrote the checkpoint");
  }
  const std::int64_t in_epoch =
      state.steps_done - static_cast<std::int64_t>(state.epochs_done) * steps_per_epoch();
  if (state.epochs_done < 0 || state.epochs_done > options_.epochs || in_epoch < 0 ||
      in_epoch >= steps_per_epoch()) {
    throw UsageError("checkpoint at epoch " + std::to_string(state.epochs_done) + ", step " +
                         std::to_string(state.steps_done) + " does not fit this run",
                     "resume only with the configuration that wrote the checkpoint");
  }
  optimizer_.restore(state.optimizer);
  state_ = state;
}

// The batch's micro-batches are spread over the reducer's workers; each
// micro-batch's gradient is computed into a zeroed buffer and the reducer
// sums them in micro-batch order (reducer.hpp): one fixed reduction order
// whatever the worker count. Entry 0 is the loss sum, 1 the correct count,
// then the model's step gradient: the parameters' gradient and, for
// compiled layers, their moments, which finish_step_gradient turns into
// weight gradients once per step (every rank the same, from the same sum).
Partial Trainer::train_batch(const std::vector<std::size_t>& order, std::size_t first,
                             std::size_t count) {
  const ScopedRegion region("resqunn::train::step");
  const std::size_t np = static_cast<std::size_t>(model_.step_gradient_width());
  const int width = static_cast<int>(np) + 2;
  const std::size_t mb = static_cast<std::size_t>(options_.micro_batch);
  const int micro_batches = static_cast<int>((count + mb - 1) / mb);
  const double scale = 1.0 / static_cast<double>(count);
  std::vector<Partial> mine;
  std::vector<double> grad;
  for (int m = reducer_->worker(); m < micro_batches; m += reducer_->workers()) {
    const std::size_t at = static_cast<std::size_t>(m) * mb;
    const std::size_t n = std::min(mb, count - at);
    const LabelledImages batch = slice(data_.train, order, first + at, n);
    grad.assign(np, 0.0);
    const auto r =
        model_.loss_and_step_gradient(batch.images, batch.labels, state_.parameters, scale, grad);
    Partial p(static_cast<std::size_t>(width));
    p[0] = r.loss_sum;
    p[1] = r.correct;
    std::copy(grad.begin(), grad.end(), p.begin() + 2);
    mine.push_back(std::move(p));
  }
  return reducer_->combine(micro_batches, width, mine);
}

bool Trainer::run(TrainingObserver* observer) {
  const std::size_t ntrain = data_.train.labels.size();
  const auto& groups = model_.groups();
  const std::int64_t per_epoch = steps_per_epoch();
  while (state_.epochs_done < options_.epochs) {
    const auto start = std::chrono::steady_clock::now();
    const model::Work work_before = model_.work();
    const int epoch = state_.epochs_done;
    std::vector<std::size_t> order(ntrain);
    std::iota(order.begin(), order.end(), std::size_t{0});
    // A fresh root per epoch: the shuffle depends on (seed, epoch) only, so a
    // resumed run shuffles exactly like an uninterrupted one.
    Rng(options_.seed).split(static_cast<std::uint64_t>(epoch)).shuffle(order);
    const double wall_before = state_.epoch_wall_s;
    auto wall = [&] {
      return wall_before +
             std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };

    // A resumed epoch skips the batches its checkpoint already took.
    const std::int64_t done_in_epoch = state_.steps_done - epoch * per_epoch;
    for (std::size_t first = static_cast<std::size_t>(done_in_epoch) * options_.batch_size;
         first < ntrain; first += options_.batch_size) {
      const std::size_t count = std::min<std::size_t>(options_.batch_size, ntrain - first);
      Partial total = train_batch(order, first, count);
      std::vector<double> grad(total.begin() + 2, total.end());
      model_.finish_step_gradient(state_.parameters, grad);
      state_.epoch_loss_sum += total[0];
      state_.epoch_correct += static_cast<std::int64_t>(total[1]);
      StepRecord rec;
      rec.step = state_.steps_done;
      rec.epoch = epoch;
      rec.loss = total[0] / static_cast<double>(count);
      for (const auto& g : groups) {
        rec.groups.push_back(gradient_stats(grad.data() + g.offset, g.count));
      }
      if (trace_.full) rec.gradient = grad;
      optimizer_.step(state_.parameters, grad);
      ++state_.steps_done;
      if (observer) {
        observer->on_step(rec);
        if (observer->stop_requested() && first + count < ntrain) {
          state_.optimizer = optimizer_.state();
          state_.epoch_wall_s = wall();
          return false;
        }
      }
    }

    EpochRecord e = validate();
    e.epoch = epoch;
    e.train_loss = state_.epoch_loss_sum / static_cast<double>(ntrain);
    e.train_acc = static_cast<double>(state_.epoch_correct) / static_cast<double>(ntrain);
    e.wall_s = wall();
    e.images_per_s = e.wall_s > 0.0 ? static_cast<double>(ntrain) / e.wall_s : 0.0;
    const model::Work work = model_.work();
    e.circuit_bytes_moved = work.circuit_bytes_moved - work_before.circuit_bytes_moved;
    e.parameter_bytes_moved = work.parameter_bytes_moved - work_before.parameter_bytes_moved;
    state_.optimizer = optimizer_.state();
    state_.epochs_done = epoch + 1;
    state_.epoch_loss_sum = 0.0;
    state_.epoch_correct = 0;
    state_.epoch_wall_s = 0.0;
    if (e.val_acc > state_.best_val_acc) state_.best_val_acc = e.val_acc;
    if (observer) {
      observer->on_epoch(e, state_);
      if (observer->stop_requested() && state_.epochs_done < options_.epochs) return false;
    }
  }
  return true;
}

// Validation micro-batches are spread and summed like training's: entries
// are [loss sum, correct, confusion counts...].
EpochRecord Trainer::validate() {
  const ScopedRegion region("resqunn::train::validate");
  const auto& v = data_.validation;
  const int k = data_.classes;
  const std::size_t n = v.labels.size();
  const std::size_t mb = static_cast<std::size_t>(options_.micro_batch);
  const int micro_batches = static_cast<int>((n + mb - 1) / mb);
  const int width = 2 + k * k;
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::vector<Partial> mine;
  for (int m = reducer_->worker(); m < micro_batches; m += reducer_->workers()) {
    const std::size_t at = static_cast<std::size_t>(m) * mb;
    const std::size_t count = std::min(mb, n - at);
    const LabelledImages batch = slice(v, order, at, count);
    const auto r = model_.evaluate(batch.images, batch.labels, state_.parameters);
    Partial p(static_cast<std::size_t>(width), 0.0);
    p[0] = r.loss_sum;
    p[1] = r.correct;
    for (std::size_t i = 0; i < count; ++i) {
      p[2 + static_cast<std::size_t>(batch.labels[i]) * k + r.predictions[i]] += 1.0;
    }
    mine.push_back(std::move(p));
  }
  const Partial total = reducer_->combine(micro_batches, width, mine);
  EpochRecord e;
  e.val_loss = total[0] / static_cast<double>(n);
  e.val_acc = total[1] / static_cast<double>(n);
  e.confusion.resize(static_cast<std::size_t>(k) * k);
  for (std::size_t i = 0; i < e.confusion.size(); ++i) {
    e.confusion[i] = static_cast<std::int64_t>(total[2 + i]);
  }
  e.val_class_acc.assign(k, std::numeric_limits<double>::quiet_NaN());
  for (int c = 0; c < k; ++c) {
    std::int64_t row = 0;
    for (int p = 0; p < k; ++p) row += e.confusion[static_cast<std::size_t>(c) * k + p];
    if (row > 0) {
      e.val_class_acc[c] = static_cast<double>(e.confusion[static_cast<std::size_t>(c) * k + c]) /
                           static_cast<double>(row);
    }
  }
  return e;
}

}  // namespace resqunn::train
