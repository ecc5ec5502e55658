#include "resqunn/model/model.hpp"

#include "resqunn/core/error.hpp"
#include "resqunn/model/align.hpp"

#include <cmath>
#include <utility>

namespace resqunn::model {

namespace {

// Stream ids of the parameter groups' initialisation RNGs.
constexpr std::uint64_t kHeadStream = 1000;

}  // namespace

Model::Model(const ModelSpec& spec, Shape input, int classes)
    : Model(plan_model(spec, input, classes)) {}

Model::Model(ModelPlan plan) : plan_(std::move(plan)) {
  for (const LayerPlan& l : plan_.layers) layers_.emplace_back(l);
  head_ = make_head(plan_.head);
  long at = parameter_count();
  for (std::size_t k = 0; k < layers_.size(); ++k) {
    const LayerPlan& l = plan_.layers[k];
    const bool hoist = l.adjoint && l.spec.trainable && layers_[k].moment_count() > 0;
    moment_offsets_.push_back(hoist ? at : -1);
    if (hoist) at += layers_[k].moment_count();
  }
  step_width_ = static_cast<int>(at);
}

Model::~Model() = default;
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;

Shape Model::consumer_shape(int k) const {
  return k == layers() ? plan_.head.input : plan_.layers.at(k).input;
}

std::vector<double> Model::initial_parameters() const {
  std::vector<double> p(parameter_count());
  const auto& groups = plan_.groups;
  Rng root(plan_.spec.seed);
  for (std::size_t g = 0; g + 1 < groups.size(); ++g) {
    Rng rng = root.split(g);
    for (int i = 0; i < groups[g].count; ++i) {
      p[groups[g].offset + i] = 2.0 * M_PI * rng.uniform();
    }
  }
  Rng rng = root.split(kHeadStream);
  head_->init(rng, p.data() + groups.back().offset);
  return p;
}

void Model::build_sum(int consumer, Tensor& out) const {
  out = Tensor(x_->count, consumer_shape(consumer));
  for (int s : plan_.wiring.sources[consumer]) add_aligned(s == 0 ? *x_ : outputs_[s - 1], out);
}

void Model::forward(const Tensor& x, const std::vector<double>& params) {
  if (x.shape != plan_.input) {
    throw UsageError("model input is " + x.shape.str() + ", the model was built for " +
                     plan_.input.str());
  }
  if (params.size() != static_cast<std::size_t>(parameter_count())) {
    throw UsageError("model got " + std::to_string(params.size()) + " parameters, it has " +
                     std::to_string(parameter_count()));
  }
  x_ = &x;
  const int L = layers();
  outputs_.resize(L);
  consumed_.resize(L + 1);
  for (int k = 0; k < L; ++k) {
    build_sum(k, consumed_[k]);
    layers_[k].forward(consumed_[k], params.data() + plan_.groups[k].offset, outputs_[k]);
  }
  build_sum(L, consumed_[L]);
  head_->forward(consumed_[L], params.data() + plan_.groups.back().offset, logits_);
}

BatchResult Model::score(const std::vector<int>& labels, std::vector<double>* dlogits) const {
  const int n = x_->count;
  if (labels.size() != static_cast<std::size_t>(n)) {
    throw UsageError("got " + std::to_string(labels.size()) + " labels for " + std::to_string(n) +
                     " images");
  }
  BatchResult r;
  r.predictions.resize(n);
  const int classes = plan_.classes;
  if (dlogits) dlogits->assign(logits_.size(), 0.0);
  for (int i = 0; i < n; ++i) {
    const double* z = logits_.data() + static_cast<std::size_t>(i) * classes;
    int best = 0;
    double zmax = z[0];
    for (int c = 1; c < classes; ++c) {
      if (z[c] > zmax) {
        zmax = z[c];
        best = c;
      }
    }
    double sum = 0.0;
    for (int c = 0; c < classes; ++c) sum += std::exp(z[c] - zmax);
    const int y = labels[i];
    if (y < 0 || y >= classes) throw UsageError("label " + std::to_string(y) + " out of range");
    r.loss_sum += std::log(sum) + zmax - z[y];
    r.predictions[i] = best;
    r.correct += best == y;
    if (dlogits) {
      double* d = dlogits->data() + static_cast<std::size_t>(i) * classes;
      for (int c = 0; c < classes; ++c) d[c] = std::exp(z[c] - zmax) / sum - (c == y ? 1.0 : 0.0);
    }
  }
  return r;
}

void Model::logits(const Tensor& x, const std::vector<double>& params, std::vector<double>& out) {
  forward(x, params);
  out = logits_;
}

BatchResult Model::evaluate(const Tensor& x, const std::vector<int>& labels,
                            const std::vector<double>& params) {
  forward(x, params);
  return score(labels, nullptr);
}

// d(sum)/d(source) for every source of `consumer` whose gradient is needed.
void Model::spread_sum(int consumer, const Tensor& dsum) {
  for (int s : plan_.wiring.sources[consumer]) {
    if (!needs_grad(s)) continue;
    Tensor& g = node_grads_[s];
    if (!node_touched_[s]) {
      g = Tensor(dsum.count, plan_.node_shape(s));
      node_touched_[s] = true;
    }
    add_aligned_adjoint(dsum, g);
  }
}

BatchResult Model::loss_and_gradient(const Tensor& x, const std::vector<int>& labels,
                                     const std::vector<double>& params, double scale,
                                     std::vector<double>& grad) {
  return backpropagate(x, labels, params, scale, grad, false);
}

BatchResult Model::loss_and_step_gradient(const Tensor& x, const std::vector<int>& labels,
                                          const std::vector<double>& params, double scale,
                                          std::vector<double>& partial) {
  if (partial.size() != static_cast<std::size_t>(step_width_)) partial.assign(step_width_, 0.0);
  return backpropagate(x, labels, params, scale, partial, true);
}

void Model::finish_step_gradient(const std::vector<double>& params, std::vector<double>& partial) {
  for (std::size_t k = 0; k < layers_.size(); ++k) {
    if (moment_offsets_[k] < 0) continue;
    const ParameterGroup& g = plan_.groups[k];
    layers_[k].add_weight_grads_from_moments(
        params.data() + g.offset, partial.data() + moment_offsets_[k], partial.data() + g.offset);
  }
  partial.resize(static_cast<std::size_t>(parameter_count()));
}

// The backward pass of loss_and_gradient; with `moments`, trainable
// compiled layers add moments at moment_offsets_ instead of weight grads.
BatchResult Model::backpropagate(const Tensor& x, const std::vector<int>& labels,
                                 const std::vector<double>& params, double scale,
                                 std::vector<double>& grad, bool moments) {
  forward(x, params);
  std::vector<double> dlogits;
  BatchResult r = score(labels, &dlogits);
  if (!moments && grad.size() != params.size()) grad.assign(params.size(), 0.0);
  for (double& d : dlogits) d *= scale;

  // Which passes run, and which gradients they return, is the plan's
  // (plan_gradients in plan.cpp); frozen or unreached groups stay zero.
  const int L = layers();
  node_grads_.assign(L + 1, Tensor());
  node_touched_.assign(L + 1, false);

  // Head: its weights always train; its input gradient flows (the barrier
  // applies to quanvolution encodings only, docs/model.md).
  const ParameterGroup& hg = plan_.groups.back();
  Tensor dhead;
  const bool head_dx = plan_.head.input_grad;
  if (head_dx) dhead = Tensor(x.count, plan_.head.input);
  head_->backward(consumed_[L], params.data() + hg.offset, dlogits, grad.data() + hg.offset,
                  head_dx ? &dhead : nullptr);
  if (head_dx) spread_sum(L, dhead);

  for (int k = L - 1; k >= 0; --k) {
    const LayerPlan& l = plan_.layers[k];
    if (!l.adjoint) continue;
    const ParameterGroup& g = plan_.groups[k];
    Tensor dx;
    if (l.input_grad) dx = Tensor(x.count, l.input);
    if (moments && moment_offsets_[k] >= 0) {
      layers_[k].backward_moments(consumed_[k], params.data() + g.offset, node_grads_[k + 1],
                                  grad.data() + moment_offsets_[k], l.input_grad ? &dx : nullptr);
    } else {
      layers_[k].backward(consumed_[k], params.data() + g.offset, node_grads_[k + 1],
                          g.trainable ? grad.data() + g.offset : nullptr,
                          l.input_grad ? &dx : nullptr);
    }
    if (l.input_grad) spread_sum(k, dx);
  }
  return r;
}

Work Model::work() const noexcept {
  Work w = head_->work();
  for (const auto& l : layers_) w += l.runner().work();
  return w;
}

}  // namespace resqunn::model
