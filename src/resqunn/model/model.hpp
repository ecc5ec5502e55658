// A ResQuNN: L stacked quanvolution layers wired by a residual
// configuration, and a classifier head. Parameters are one flat vector,
// grouped per layer (QCL1..QCLL) and head, in that order.
//
// The model is a pure function of (parameters, images): it owns no
// parameters, only the compiled circuits and reusable buffers, so a trainer,
// an evaluator and a finite-difference test can drive it alike. Not
// thread-safe: one model per thread.
#pragma once

#include "resqunn/model/head.hpp"
#include "resqunn/model/plan.hpp"
#include "resqunn/model/quanv_layer.hpp"
#include "resqunn/model/residual.hpp"
#include "resqunn/model/spec.hpp"
#include "resqunn/model/tensor.hpp"
#include "resqunn/model/work.hpp"

#include <memory>
#include <string>
#include <vector>

namespace resqunn::model {

/// Result of a pass over a batch.
struct BatchResult {
  double loss_sum = 0.0;         // sum over the images of the cross-entropy
  int correct = 0;               // images whose arg-max logit is the label
  std::vector<int> predictions;  // arg-max class per image
};

class Model {
public:
  /// Validates the spec against the input shape and class count (UsageError):
  /// builds what plan_model(spec, input, classes) describes.
  Model(const ModelSpec& spec, Shape input, int classes);
  explicit Model(ModelPlan plan);
  ~Model();
  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;

  const ModelPlan& plan() const noexcept { return plan_; }
  const ModelSpec& spec() const noexcept { return plan_.spec; }
  const Wiring& wiring() const noexcept { return plan_.wiring; }
  Shape input_shape() const noexcept { return plan_.input; }
  int classes() const noexcept { return plan_.classes; }
  int layers() const noexcept { return static_cast<int>(layers_.size()); }
  const QuanvLayer& layer(int k) const { return layers_.at(k); }
  /// Shape of the sum layer k reads (k = 0..L-1), or the head's for k = L.
  Shape consumer_shape(int k) const;

  const std::vector<ParameterGroup>& groups() const noexcept { return plan_.groups; }
  int parameter_count() const noexcept { return plan_.parameter_count(); }
  /// Seeded by spec().seed: quanvolution weights uniform in [0, 2 pi), the
  /// head as head.hpp says. Each group draws from its own stream.
  std::vector<double> initial_parameters() const;

  /// Per-image class logits (count x classes, row-major).
  void logits(const Tensor& x, const std::vector<double>& params, std::vector<double>& out);

  /// Loss and predictions without gradients.
  BatchResult evaluate(const Tensor& x, const std::vector<int>& labels,
                       const std::vector<double>& params);

  /// Loss, predictions, and grad += scale * d(loss_sum)/d(params). Frozen
  /// groups and groups no gradient path reaches (gradient mode) get exactly
  /// zero; their circuits' adjoint passes are skipped.
  BatchResult loss_and_gradient(const Tensor& x, const std::vector<int>& labels,
                                const std::vector<double>& params, double scale,
                                std::vector<double>& grad);

  /// A training step's gradient in two parts, for the trainer's fixed-order
  /// sum over micro-batches: loss_and_step_gradient adds, to `partial`
  /// (step_gradient_width() values), scale * d(loss_sum)/d(params) except
  /// that trainable compiled layers add their circuits' moments (after the
  /// parameters) instead of weight gradients; finish_step_gradient turns
  /// the moments of the summed partials into those layers' weight gradients,
  /// one pass per layer per step instead of one per micro-batch, and leaves
  /// `partial` as the parameter gradient (parameter_count() values). For
  /// one call the result equals loss_and_gradient's.
  int step_gradient_width() const noexcept { return step_width_; }
  BatchResult loss_and_step_gradient(const Tensor& x, const std::vector<int>& labels,
                                     const std::vector<double>& params, double scale,
                                     std::vector<double>& partial);
  void finish_step_gradient(const std::vector<double>& params, std::vector<double>& partial);

  /// Circuits simulated since construction, over all layers and the head,
  /// and the bytes their calls copied between host and device memory.
  Work work() const noexcept;

  /// Human-readable wiring, shapes and parameter counts (describe(plan())).
  std::string describe() const { return model::describe(plan_); }

private:
  void forward(const Tensor& x, const std::vector<double>& params);
  BatchResult score(const std::vector<int>& labels, std::vector<double>* dlogits) const;
  void build_sum(int consumer, Tensor& out) const;
  void spread_sum(int consumer, const Tensor& dsum);
  BatchResult backpropagate(const Tensor& x, const std::vector<int>& labels,
                            const std::vector<double>& params, double scale,
                            std::vector<double>& grad, bool moments);

  bool needs_grad(int node) const { return node > 0 && plan_.layers[node - 1].output_grad; }

  ModelPlan plan_;
  std::vector<QuanvLayer> layers_;
  std::unique_ptr<Head> head_;
  // Where loss_and_step_gradient puts layer k's moments (-1: weight
  // gradients as usual), and the width of its gradient vector.
  std::vector<long> moment_offsets_;
  int step_width_ = 0;

  // Per-batch state.
  const Tensor* x_ = nullptr;
  std::vector<Tensor> outputs_;   // O1..OL (index k-1)
  std::vector<Tensor> consumed_;  // layer inputs and head input
  std::vector<double> logits_;
  std::vector<Tensor> node_grads_;
  std::vector<bool> node_touched_;
};

}  // namespace resqunn::model
