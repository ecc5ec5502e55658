// Small models for the model tests, and a reference forward pass assembled
// from the model's tested parts (QuanvLayer, add_aligned, Head) with the
// residual wiring and the softmax cross-entropy written out here. Its
// `detached` variant makes the barrier explicit: every quanvolution layer
// reads, as data, the input it got at the base parameters, so only the head's
// sum sees the layers' outputs move with the parameters.
#pragma once

#include "resqunn/model/align.hpp"
#include "resqunn/model/head.hpp"
#include "resqunn/model/model.hpp"
#include "resqunn/model/quanv_layer.hpp"
#include "resqunn/model/residual.hpp"

#include "model_test_support.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace resqunn::model::test {

inline QuanvSpec quanv(int kernel, int stride, Padding padding = Padding::valid,
                       ChannelMode mode = ChannelMode::mean,
                       quantum::Encoding enc = quantum::Encoding::angle,
                       quantum::Ansatz ansatz = quantum::Ansatz::paper, int depth = 1,
                       quantum::GateKind axis = quantum::GateKind::ry) {
  QuanvSpec s;
  s.kernel = kernel;
  s.stride = stride;
  s.padding = padding;
  s.channel_mode = mode;
  s.encoding = enc;
  s.ansatz = ansatz;
  s.depth = depth;
  s.angle_axis = axis;
  return s;
}

inline HeadSpec head_spec(HeadKind kind) {
  HeadSpec h;
  h.kind = kind;
  h.depth = 2;
  return h;
}

/// 1x4x4 images: QCL1 2x2/2 -> 4x2x2; QCL2 2x2/1 padding same -> 4x2x2.
/// Every residual sum of X, O1, O2 fits (X broadcasts and pools to 4x2x2).
inline ModelSpec two_layer_spec(const std::string& residual, GradientMode mode, HeadKind head) {
  ModelSpec m;
  m.layers = {quanv(2, 2), quanv(2, 1, Padding::same)};
  m.residual = residual;
  m.gradient_mode = mode;
  m.head = head_spec(head);
  m.seed = 42;
  return m;
}
inline constexpr Shape kTwoLayerInput{1, 4, 4};

/// 1x4x4 images: 4x2x2 (2x2/2), 4x2x2 (2x2/1 same), 4x1x1 (2x2/1 valid).
inline ModelSpec three_layer_spec(const std::string& residual, GradientMode mode, HeadKind head) {
  ModelSpec m;
  m.layers = {quanv(2, 2), quanv(2, 1, Padding::same), quanv(2, 1)};
  m.residual = residual;
  m.gradient_mode = mode;
  m.head = head_spec(head);
  m.seed = 7;
  return m;
}

/// Images in [0.1, 1) (amplitude patches stay away from zero) and labels
/// cycling through the classes from 1.
struct Batch {
  Tensor x;
  std::vector<int> labels;
};
inline Batch make_batch(std::uint64_t seed, int count, Shape shape, int classes) {
  std::mt19937_64 rng(seed);
  Batch b{random_tensor(rng, count, shape, 0.1, 1.0), {}};
  for (int i = 0; i < count; ++i) b.labels.push_back((i + 1) % classes);
  return b;
}

/// sum_i [log sum_c exp(z_ic) - z_i,y_i], computed directly.
inline double cross_entropy(const std::vector<double>& logits, const std::vector<int>& labels,
                            int classes) {
  double loss = 0.0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    double s = 0.0;
    for (int c = 0; c < classes; ++c) s += std::exp(logits[i * classes + c]);
    loss += std::log(s) - logits[i * classes + labels[i]];
  }
  return loss;
}

/// The reference pass described at the top of this file. Parameters are laid
/// out as the model's groups say (QCL1..QCLL, head).
class ReferencePass {
public:
  ReferencePass(const Model& model, const Batch& batch)
      : spec_(model.spec()),
        wiring_(parse_residual(model.spec().residual, model.layers())),
        groups_(model.groups()),
        classes_(model.classes()),
        batch_(batch) {
    for (int k = 0; k < model.layers(); ++k) {
      layers_.emplace_back(spec_.layers[k], model.consumer_shape(k), "reference");
      shapes_.push_back(model.consumer_shape(k));
    }
    shapes_.push_back(model.consumer_shape(model.layers()));
    head_ = make_head(spec_.head, shapes_.back(), classes_);
  }

  /// The loss with every layer input recomputed (the model's forward pass).
  double loss(const std::vector<double>& p) {
    run_layers(p, nullptr);
    return head_loss(p);
  }

  /// Freezes the layer inputs at parameters `base` for loss_detached().
  void freeze_inputs(const std::vector<double>& base) {
    run_layers(base, nullptr);
    frozen_ = inputs_;
  }
  /// The loss with each layer reading its frozen input.
  double loss_detached(const std::vector<double>& p) {
    run_layers(p, &frozen_);
    return head_loss(p);
  }

private:
  void sum_into(int consumer, Tensor& out) const {
    out = Tensor(batch_.x.count, shapes_[consumer]);
    for (int s : wiring_.sources[consumer]) add_aligned(s == 0 ? batch_.x : outputs_[s - 1], out);
  }

  void run_layers(const std::vector<double>& p, const std::vector<Tensor>* frozen) {
    const std::size_t L = layers_.size();
    outputs_.assign(L, Tensor());
    inputs_.assign(L, Tensor());
    for (std::size_t k = 0; k < L; ++k) {
      if (frozen) {
        inputs_[k] = (*frozen)[k];
      } else {
        sum_into(static_cast<int>(k), inputs_[k]);
      }
      layers_[k].forward(inputs_[k], p.data() + groups_[k].offset, outputs_[k]);
    }
  }

  double head_loss(const std::vector<double>& p) {
    Tensor features;
    sum_into(static_cast<int>(layers_.size()), features);
    std::vector<double> logits;
    head_->forward(features, p.data() + groups_.back().offset, logits);
    return cross_entropy(logits, batch_.labels, classes_);
  }

  ModelSpec spec_;
  Wiring wiring_;
  std::vector<ParameterGroup> groups_;
  int classes_;
  const Batch& batch_;
  std::vector<QuanvLayer> layers_;
  std::vector<Shape> shapes_;
  std::unique_ptr<Head> head_;
  std::vector<Tensor> outputs_, inputs_, frozen_;
};

/// The parameters of one group.
inline std::vector<double> group_slice(const std::vector<double>& v, const ParameterGroup& g) {
  return {v.begin() + g.offset, v.begin() + g.offset + g.count};
}

inline double max_abs(const std::vector<double>& v) {
  double m = 0.0;
  for (double x : v) m = std::max(m, std::abs(x));
  return m;
}

inline bool all_exactly_zero(const std::vector<double>& v) {
  for (double x : v) {
    if (x != 0.0) return false;
  }
  return true;
}

/// "(X+O1)+O2" -> "LX_O1R_O2": a residual as a test-name fragment.
inline std::string residual_label(const std::string& r) {
  std::string s;
  for (char c : r) {
    if (c == '(')
      s += 'L';
    else if (c == ')')
      s += 'R';
    else if (c == '+')
      s += '_';
    else if (c == ';')
      s += "__";
    else if (c != ' ')
      s += c;
  }
  return s;
}

}  // namespace resqunn::model::test
