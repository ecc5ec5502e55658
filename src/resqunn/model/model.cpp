#include "resqunn/model/model.hpp"

#include <cmath>
#include <sstream>

#include "resqunn/core/error.hpp"
#include "resqunn/model/align.hpp"

namespace resqunn::model {

namespace {

std::string consumer_name(int k, int layers) {
  return k == layers ? "head" : "QCL" + std::to_string(k + 1);
}

// Stream ids of the parameter groups' initialisation RNGs.
constexpr std::uint64_t kHeadStream = 1000;

}  // namespace

Model::Model(const ModelSpec& spec, Shape input, int classes)
    : spec_(spec), input_(input), classes_(classes) {
  spec_.validate();
  if (classes_ < 2) throw UsageError("a classifier needs at least 2 classes");
  const int L = static_cast<int>(spec_.layers.size());
  wiring_ = parse_residual(spec_.residual, L);
  node_shapes_.push_back(input_);
  int offset = 0;
  for (int k = 0; k <= L; ++k) {
    const auto& sources = wiring_.sources[k];
    std::vector<Shape> shapes;
    std::vector<std::string> names;
    for (int s : sources) {
      shapes.push_back(node_shapes_[s]);
      names.push_back(node_name(s));
    }
    const std::string who = consumer_name(k, L);
    consumer_shapes_.push_back(
        sum_shape(shapes, names, "residual " + sum_name(sources) + " (input of " + who + ")"));
    if (k == L) break;
    layers_.emplace_back(spec_.layers[k], consumer_shapes_.back(),
                         "model.layers[" + std::to_string(k) + "]");
    node_shapes_.push_back(layers_.back().output_shape());
    groups_.push_back({who, offset, layers_.back().weight_count(), spec_.layers[k].trainable});
    offset += groups_.back().count;
  }
  head_ = make_head(spec_.head, consumer_shapes_.back(), classes_);
  groups_.push_back({"head", offset, head_->weight_count(), true});

  // Which node gradients are worth computing: O_j's if its layer trains, or
  // (full mode) if its layer's input reaches a node whose gradient is needed.
  node_needs_grad_.assign(L + 1, false);
  for (int j = 1; j <= L; ++j) {
    bool needed = spec_.layers[j - 1].trainable;
    if (spec_.gradient_mode == GradientMode::full) {
      for (int s : wiring_.sources[j - 1]) needed = needed || (s > 0 && node_needs_grad_[s]);
    }
    node_needs_grad_[j] = needed;
  }
}

Model::~Model() = default;
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;

int Model::parameter_count() const noexcept { return groups_.back().offset + groups_.back().count; }

std::vector<double> Model::initial_parameters() const {
  std::vector<double> p(parameter_count());
  Rng root(spec_.seed);
  for (std::size_t g = 0; g + 1 < groups_.size(); ++g) {
    Rng rng = root.split(g);
    for (int i = 0; i < groups_[g].count; ++i) {
      p[groups_[g].offset + i] = 2.0 * M_PI * rng.uniform();
    }
  }
  Rng rng = root.split(kHeadStream);
  head_->init(rng, p.data() + groups_.back().offset);
  return p;
}

void Model::build_sum(int consumer, Tensor& out) const {
  out = Tensor(x_->count, consumer_shapes_[consumer]);
  for (int s : wiring_.sources[consumer]) add_aligned(s == 0 ? *x_ : outputs_[s - 1], out);
}

void Model::forward(const Tensor& x, const std::vector<double>& params) {
  if (x.shape != input_) {
    throw UsageError("model input is " + x.shape.str() + ", the model was built for " +
                     input_.str());
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
    layers_[k].forward(consumed_[k], params.data() + groups_[k].offset, outputs_[k]);
  }
  build_sum(L, consumed_[L]);
  head_->forward(consumed_[L], params.data() + groups_.back().offset, logits_);
}

BatchResult Model::score(const std::vector<int>& labels, std::vector<double>* dlogits) const {
  const int n = x_->count;
  if (labels.size() != static_cast<std::size_t>(n)) {
    throw UsageError("got " + std::to_string(labels.size()) + " labels for " + std::to_string(n) +
                     " images");
  }
  BatchResult r;
  r.predictions.resize(n);
  if (dlogits) dlogits->assign(logits_.size(), 0.0);
  for (int i = 0; i < n; ++i) {
    const double* z = logits_.data() + static_cast<std::size_t>(i) * classes_;
    int best = 0;
    double zmax = z[0];
    for (int c = 1; c < classes_; ++c) {
      if (z[c] > zmax) {
        zmax = z[c];
        best = c;
      }
    }
    double sum = 0.0;
    for (int c = 0; c < classes_; ++c) sum += std::exp(z[c] - zmax);
    const int y = labels[i];
    if (y < 0 || y >= classes_) throw UsageError("label " + std::to_string(y) + " out of range");
    r.loss_sum += std::log(sum) + zmax - z[y];
    r.predictions[i] = best;
    r.correct += best == y;
    if (dlogits) {
      double* d = dlogits->data() + static_cast<std::size_t>(i) * classes_;
      for (int c = 0; c < classes_; ++c) d[c] = std::exp(z[c] - zmax) / sum - (c == y ? 1.0 : 0.0);
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
  for (int s : wiring_.sources[consumer]) {
    if (s == 0 || !node_needs_grad_[s]) continue;
    Tensor& g = node_grads_[s];
    if (!node_touched_[s]) {
      g = Tensor(dsum.count, node_shapes_[s]);
      node_touched_[s] = true;
    }
    add_aligned_adjoint(dsum, g);
  }
}

BatchResult Model::loss_and_gradient(const Tensor& x, const std::vector<int>& labels,
                                     const std::vector<double>& params, double scale,
                                     std::vector<double>& grad) {
  forward(x, params);
  std::vector<double> dlogits;
  BatchResult r = score(labels, &dlogits);
  if (grad.size() != params.size()) grad.assign(params.size(), 0.0);
  for (double& d : dlogits) d *= scale;

  const int L = layers();
  node_grads_.assign(L + 1, Tensor());
  node_touched_.assign(L + 1, false);
  auto needs_any = [&](int consumer) {
    for (int s : wiring_.sources[consumer]) {
      if (s > 0 && node_needs_grad_[s]) return true;
    }
    return false;
  };

  // Head: its weights always train; its input gradient flows (the barrier
  // applies to quanvolution encodings only, docs/model.md).
  const ParameterGroup& hg = groups_.back();
  Tensor dhead;
  const bool head_dx = needs_any(L);
  if (head_dx) dhead = Tensor(x.count, consumer_shapes_[L]);
  head_->backward(consumed_[L], params.data() + hg.offset, dlogits, grad.data() + hg.offset,
                  head_dx ? &dhead : nullptr);
  if (head_dx) spread_sum(L, dhead);

  const bool barrier = spec_.gradient_mode == GradientMode::barrier;
  for (int k = L - 1; k >= 0; --k) {
    if (!node_touched_[k + 1]) continue;  // no path from the loss reaches O_{k+1}
    const ParameterGroup& g = groups_[k];
    const bool want_dx = !barrier && needs_any(k);
    Tensor dx;
    if (want_dx) dx = Tensor(x.count, consumer_shapes_[k]);
    layers_[k].backward(consumed_[k], params.data() + g.offset, node_grads_[k + 1],
                        g.trainable ? grad.data() + g.offset : nullptr, want_dx ? &dx : nullptr);
    if (want_dx) spread_sum(k, dx);
  }
  return r;
}

Work Model::work() const noexcept {
  Work w{head_->forward_circuits(), head_->adjoint_circuits()};
  for (const auto& l : layers_) {
    w.forward_circuits += l.runner().forward_circuits();
    w.adjoint_circuits += l.runner().adjoint_circuits();
  }
  return w;
}

std::string Model::describe() const {
  std::ostringstream out;
  const int L = layers();
  out << "input X: " << input_.str() << ", " << classes_ << " classes\n";
  out << "residual: " << spec_.residual << " (gradient mode " << to_string(spec_.gradient_mode)
      << ")\n";
  for (int k = 0; k < L; ++k) {
    const auto& s = spec_.layers[k];
    const auto& l = layers_[k];
    out << "QCL" << k + 1 << ": reads " << sum_name(wiring_.sources[k]) << " ("
        << l.input_shape().str() << ") -> O" << k + 1 << " (" << l.output_shape().str() << "); "
        << s.kernel << "x" << s.kernel << " window, stride " << s.stride << ", "
        << to_string(s.padding) << ", " << s.qubits() << " qubits, "
        << quantum::to_string(s.encoding) << " encoding, " << quantum::to_string(s.ansatz)
        << " depth " << s.depth << ", channels " << to_string(s.channel_mode) << ", "
        << l.circuits_per_image() << " circuits/image, " << groups_[k].count << " weights"
        << (s.trainable ? "" : " (frozen)") << "\n";
  }
  out << "head: reads " << sum_name(wiring_.sources[L]) << " (" << consumer_shapes_[L].str()
      << "); " << head_->describe() << ", " << groups_.back().count << " weights\n";
  out << "parameters: " << parameter_count() << " (";
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    out << (g ? ", " : "") << groups_[g].name << " " << groups_[g].count;
  }
  out << ")\n";
  return out.str();
}

}  // namespace resqunn::model
