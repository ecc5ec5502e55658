// Classifier heads: features (the head's input tensor, flattened) to class
// logits. Softmax cross-entropy is applied by the model (loss.hpp).
//  dense:   logits = W f + b (W: K x F, Glorot-uniform init, b = 0).
//  quantum: f is amplitude-encoded into ceil(log2 F) qubits, a trainable
//           ansatz runs, and the basis-state probabilities p_c of the first
//           ceil(log2 K) qubits give logits log(p_c + 1e-12), c < K: the
//           softmax of these is p_c renormalised over the K classes.
#pragma once

#include "resqunn/core/random.hpp"
#include "resqunn/model/plan.hpp"
#include "resqunn/model/spec.hpp"
#include "resqunn/model/tensor.hpp"
#include "resqunn/model/work.hpp"

#include <memory>
#include <string>
#include <vector>

namespace resqunn::model {

class Head {
public:
  virtual ~Head() = default;
  virtual int weight_count() const = 0;
  /// Fills weight_count() initial weights.
  virtual void init(Rng& rng, double* weights) const = 0;
  /// logits: count x classes, row-major (resized).
  virtual void forward(const Tensor& features, const double* weights,
                       std::vector<double>& logits) = 0;
  /// Adds dL/dweights to `dweights` (if non-null) and dL/dfeatures to
  /// `dfeatures` (if non-null, the features' shape). Must follow forward()
  /// on the same features and weights (heads may reuse its results).
  virtual void backward(const Tensor& features, const double* weights,
                        const std::vector<double>& dlogits, double* dweights,
                        Tensor* dfeatures) = 0;
  /// What its circuits have cost so far (nothing for classical heads).
  virtual Work work() const { return {}; }
  /// One line for `resqunn model describe` (describe(HeadPlan)).
  virtual std::string describe() const = 0;
};

/// The head a plan describes (plan.hpp).
std::unique_ptr<Head> make_head(const HeadPlan& plan);

/// Plans and builds a head for `features`: throws UsageError if they do
/// not fit it (e.g. more than 2^12 features for the quantum head).
std::unique_ptr<Head> make_head(const HeadSpec& spec, Shape features, int classes);

}  // namespace resqunn::model
