#include "resqunn/model/head.hpp"

#include "resqunn/model/detail/circuit_runner.hpp"

#include <cmath>

namespace resqunn::model {

namespace {

class DenseHead final : public Head {
public:
  explicit DenseHead(const HeadPlan& plan) : plan_(plan), f_(plan.features), k_(plan.classes) {}

  int weight_count() const override { return k_ * f_ + k_; }

  void init(Rng& rng, double* w) const override {
    const double a = std::sqrt(6.0 / (f_ + k_));
    for (int i = 0; i < k_ * f_; ++i) w[i] = a * (2.0 * rng.uniform() - 1.0);
    for (int c = 0; c < k_; ++c) w[k_ * f_ + c] = 0.0;
  }

  void forward(const Tensor& x, const double* w, std::vector<double>& logits) override {
    logits.assign(static_cast<std::size_t>(x.count) * k_, 0.0);
    for (int i = 0; i < x.count; ++i) {
      const double* f = x.image(i);
      for (int c = 0; c < k_; ++c) {
        const double* row = w + static_cast<std::size_t>(c) * f_;
        double z = w[k_ * f_ + c];
        for (int j = 0; j < f_; ++j) z += row[j] * f[j];
        logits[static_cast<std::size_t>(i) * k_ + c] = z;
      }
    }
  }

  void backward(const Tensor& x, const double* w, const std::vector<double>& dlogits, double* dw,
                Tensor* dx) override {
    for (int i = 0; i < x.count; ++i) {
      const double* f = x.image(i);
      const double* g = dlogits.data() + static_cast<std::size_t>(i) * k_;
      for (int c = 0; c < k_; ++c) {
        if (dw) {
          double* row = dw + static_cast<std::size_t>(c) * f_;
          for (int j = 0; j < f_; ++j) row[j] += g[c] * f[j];
          dw[k_ * f_ + c] += g[c];
        }
        if (dx) {
          const double* row = w + static_cast<std::size_t>(c) * f_;
          double* d = dx->image(i);
          for (int j = 0; j < f_; ++j) d[j] += g[c] * row[j];
        }
      }
    }
  }

  std::string describe() const override { return model::describe(plan_); }

private:
  HeadPlan plan_;
  int f_, k_;
};

class QuantumHead final : public Head {
public:
  explicit QuantumHead(const HeadPlan& plan)
      : plan_(plan), f_(plan.features), k_(plan.classes), runner_(plan.circuit) {}

  int weight_count() const override { return runner_.spec().weight_count(); }
  Work work() const override { return runner_.work(); }

  void init(Rng& rng, double* w) const override {
    for (int i = 0; i < weight_count(); ++i) w[i] = 2.0 * M_PI * rng.uniform();
  }

  void forward(const Tensor& x, const double* w, std::vector<double>& logits) override {
    encode(x);
    runner_.forward(inputs_, x.count, w, probs_);
    logits.assign(static_cast<std::size_t>(x.count) * k_, 0.0);
    const int nout = runner_.spec().output_size();
    for (int i = 0; i < x.count; ++i) {
      for (int c = 0; c < k_; ++c) {
        logits[static_cast<std::size_t>(i) * k_ + c] =
            std::log(probs_[static_cast<std::size_t>(i) * nout + c] + kEps);
      }
    }
  }

  void backward(const Tensor& x, const double* w, const std::vector<double>& dlogits, double* dw,
                Tensor* dx) override {
    if (!dw && !dx) return;
    // inputs_ and probs_ still hold this batch (forward came first).
    const int nout = runner_.spec().output_size();
    upstream_.assign(static_cast<std::size_t>(x.count) * nout, 0.0);
    for (int i = 0; i < x.count; ++i) {
      for (int c = 0; c < k_; ++c) {
        const std::size_t o = static_cast<std::size_t>(i) * nout + c;
        upstream_[o] = dlogits[static_cast<std::size_t>(i) * k_ + c] / (probs_[o] + kEps);
      }
    }
    runner_.vjp(inputs_, x.count, w, upstream_, nullptr, dx ? &input_grads_ : nullptr,
                weight_grads_);
    if (dw) {
      for (std::size_t j = 0; j < weight_grads_.size(); ++j) dw[j] += weight_grads_[j];
    }
    if (dx) {
      const int nin = runner_.spec().input_size();
      for (int i = 0; i < x.count; ++i) {
        double* d = dx->image(i);
        const double* g = input_grads_.data() + static_cast<std::size_t>(i) * nin;
        for (int j = 0; j < f_; ++j) d[j] += g[j];
      }
    }
  }

  std::string describe() const override { return model::describe(plan_); }

private:
  static constexpr double kEps = 1e-12;

  void encode(const Tensor& x) {
    const int nin = runner_.spec().input_size();
    inputs_.assign(static_cast<std::size_t>(x.count) * nin, 0.0);
    for (int i = 0; i < x.count; ++i) {
      std::copy(x.image(i), x.image(i) + f_, inputs_.data() + static_cast<std::size_t>(i) * nin);
    }
  }

  HeadPlan plan_;
  int f_, k_;
  detail::CircuitRunner runner_;
  std::vector<double> inputs_, probs_, upstream_, input_grads_, weight_grads_;
};

}  // namespace

std::unique_ptr<Head> make_head(const HeadPlan& plan) {
  if (plan.spec.kind == HeadKind::dense) return std::make_unique<DenseHead>(plan);
  return std::make_unique<QuantumHead>(plan);
}

std::unique_ptr<Head> make_head(const HeadSpec& spec, Shape features, int classes) {
  return make_head(plan_head(spec, features, classes));
}

}  // namespace resqunn::model
