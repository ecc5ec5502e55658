#include "resqunn/train/trainer.hpp"

#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "resqunn/core/error.hpp"
#include "resqunn/core/random.hpp"

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
  return gather(set, std::vector<std::size_t>(order.begin() + first, order.begin() + first + count));
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
                 const TraceOptions& trace)
    : model_(model),
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
  optimizer_.restore(state.optimizer);
  state_ = state;
}

// Gradient of the batch's mean loss as the ordered sum of its micro-batch
// gradients (each computed into a zeroed buffer): the fixed reduction order
// that keeps results independent of how micro-batches are distributed.
double Trainer::train_batch(const std::vector<std::size_t>& order, std::size_t first,
                            std::size_t count, std::vector<double>& grad, int& correct) {
  const std::size_t np = state_.parameters.size();
  grad.assign(np, 0.0);
  std::vector<double> part;
  double loss = 0.0;
  const double scale = 1.0 / static_cast<double>(count);
  for (std::size_t at = 0; at < count; at += options_.micro_batch) {
    const std::size_t n = std::min<std::size_t>(options_.micro_batch, count - at);
    const LabelledImages mb = slice(data_.train, order, first + at, n);
    part.assign(np, 0.0);
    const auto r = model_.loss_and_gradient(mb.images, mb.labels, state_.parameters, scale, part);
    for (std::size_t i = 0; i < np; ++i) grad[i] += part[i];
    loss += r.loss_sum;
    correct += r.correct;
  }
  return loss;
}

bool Trainer::run(TrainingObserver* observer) {
  const std::size_t ntrain = data_.train.labels.size();
  const auto& groups = model_.groups();
  std::vector<double> grad;
  while (state_.epochs_done < options_.epochs) {
    const auto start = std::chrono::steady_clock::now();
    const int epoch = state_.epochs_done;
    std::vector<std::size_t> order(ntrain);
    std::iota(order.begin(), order.end(), std::size_t{0});
    // A fresh root per epoch: the shuffle depends on (seed, epoch) only, so a
    // resumed run shuffles exactly like an uninterrupted one.
    Rng(options_.seed).split(static_cast<std::uint64_t>(epoch)).shuffle(order);

    double loss_sum = 0.0;
    int correct = 0;
    bool stop = false;
    for (std::size_t first = 0; first < ntrain; first += options_.batch_size) {
      const std::size_t count = std::min<std::size_t>(options_.batch_size, ntrain - first);
      const double batch_loss = train_batch(order, first, count, grad, correct);
      loss_sum += batch_loss;
      StepRecord rec;
      rec.step = state_.steps_done;
      rec.epoch = epoch;
      rec.loss = batch_loss / static_cast<double>(count);
      for (const auto& g : groups) rec.groups.push_back(gradient_stats(grad.data() + g.offset, g.count));
      if (trace_.full) rec.gradient = grad;
      optimizer_.step(state_.parameters, grad);
      ++state_.steps_done;
      if (observer) {
        observer->on_step(rec);
        stop = stop || observer->stop_requested();
      }
    }

    EpochRecord e = validate();
    e.epoch = epoch;
    e.train_loss = loss_sum / static_cast<double>(ntrain);
    e.train_acc = static_cast<double>(correct) / static_cast<double>(ntrain);
    e.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    e.images_per_s = e.wall_s > 0.0 ? static_cast<double>(ntrain) / e.wall_s : 0.0;
    state_.optimizer = optimizer_.state();
    state_.epochs_done = epoch + 1;
    if (e.val_acc > state_.best_val_acc) state_.best_val_acc = e.val_acc;
    if (observer) {
      observer->on_epoch(e, state_);
      stop = stop || observer->stop_requested();
    }
    if (stop && state_.epochs_done < options_.epochs) return false;
  }
  return true;
}

EpochRecord Trainer::validate() const {
  const auto& v = data_.validation;
  const int k = data_.classes;
  const std::size_t n = v.labels.size();
  EpochRecord e;
  e.confusion.assign(static_cast<std::size_t>(k) * k, 0);
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  double loss = 0.0;
  int correct = 0;
  for (std::size_t at = 0; at < n; at += options_.micro_batch) {
    const std::size_t count = std::min<std::size_t>(options_.micro_batch, n - at);
    const LabelledImages mb = slice(v, order, at, count);
    const auto r = model_.evaluate(mb.images, mb.labels, state_.parameters);
    loss += r.loss_sum;
    correct += r.correct;
    for (std::size_t i = 0; i < count; ++i) {
      ++e.confusion[static_cast<std::size_t>(mb.labels[i]) * k + r.predictions[i]];
    }
  }
  e.val_loss = loss / static_cast<double>(n);
  e.val_acc = static_cast<double>(correct) / static_cast<double>(n);
  e.val_class_acc.assign(k, std::numeric_limits<double>::quiet_NaN());
  for (int c = 0; c < k; ++c) {
    std::int64_t total = 0;
    for (int p = 0; p < k; ++p) total += e.confusion[static_cast<std::size_t>(c) * k + p];
    if (total > 0) {
      e.val_class_acc[c] =
          static_cast<double>(e.confusion[static_cast<std::size_t>(c) * k + c]) / total;
    }
  }
  return e;
}

}  // namespace resqunn::train
