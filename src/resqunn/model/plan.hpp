// What a model will be, before anything is built: every layer's shapes,
// padding, circuit, gate and circuit counts, the parameter groups, and
// which layers run an adjoint pass in a training step. A pure function of
// (model spec, input shape, classes): no Kokkos, no circuits, no data.
//
// The one place these rules live. Model builds itself from a plan, the
// sweep's cost model and spec validation read plans, and `resqunn model
// describe` prints one; whatever a plan accepts, Model builds.
#pragma once

#include "resqunn/model/residual.hpp"
#include "resqunn/model/spec.hpp"
#include "resqunn/model/tensor.hpp"
#include "resqunn/quantum/circuit.hpp"
#include "resqunn/quantum/evaluator_cost.hpp"

#include <string>
#include <vector>

namespace resqunn::model {

/// A contiguous slice of the flat parameter vector: QCL1..QCLL, then head.
struct ParameterGroup {
  std::string name;  // "QCL1", ..., "head"
  int offset = 0;
  int count = 0;
  bool trainable = true;
};

/// One quanvolution layer as the model will build it.
/// The images over which the plan amortises the compiled evaluator's
/// per-weights work (its compile, and in training its weight-gradient pass,
/// both once per optimizer step) for the evaluator choice: a training batch
/// of this many images (the default batch_size, train/options.hpp).
inline constexpr long kImagesPerStep = 32;

/// The most channels a layer's output may have. channel_mode = "stack"
/// multiplies the channels by the qubits at every layer (9^10 overflows an
/// int); this bound keeps every size the plan computes (features, dense head
/// weights) far inside an int while allowing 9^4 or 4^7 channels.
inline constexpr long kMaxChannels = 1L << 14;

struct LayerPlan {
  std::string name;   // "QCL1", ...
  std::string where;  // "model.layers[0]": how errors and configs name it
  QuanvSpec spec;
  quantum::CircuitSpec circuit;   // what each patch runs
  Shape input, output;            // the residual sum it reads, O_k
  int pad_top = 0, pad_left = 0;  // leading zero padding (padding = same)
  /// Gates of one circuit: encoding (n rotations, or one state load for
  /// amplitude), ansatz, and one readout pass over the state.
  int gates = 0;
  /// Circuits per image: patches, times input channels unless pool.
  long circuits_per_image = 0;
  /// A trainable group wants d(loss)/d(O_k): the layer trains, or (full
  /// mode) one upstream of it does. Whether a gradient path from the loss
  /// actually reaches O_k (the barrier may cut it) is `adjoint`'s business.
  bool output_grad = false;
  /// A training step runs the layer's adjoint pass (forward + VJP).
  bool adjoint = false;
  /// That pass also returns d(loss)/d(input) (full gradient mode only).
  bool input_grad = false;
  /// Both evaluators' estimated cost per circuit for a step of
  /// kImagesPerStep images; `circuit.evaluator` is the one chosen (auto
  /// resolved to the cheaper, or what the spec asked for).
  quantum::EvaluatorCosts costs;
};

/// The classifier head as the model will build it.
struct HeadPlan {
  HeadSpec spec;
  Shape input;  // the residual sum it reads
  int features = 0;
  int classes = 0;
  /// Quantum head only: its circuit (amplitude encoding, probabilities).
  quantum::CircuitSpec circuit;
  int gates = 0;                  // quantum head only, as LayerPlan::gates
  quantum::EvaluatorCosts costs;  // quantum head only, as LayerPlan::costs
  int weights = 0;                // dense: classes x features + classes
  /// Training passes d(loss)/d(input) back to a source that needs it.
  bool input_grad = false;
};

struct ModelPlan {
  ModelSpec spec;
  Shape input;
  int classes = 0;
  Wiring wiring;
  std::vector<LayerPlan> layers;
  HeadPlan head;
  std::vector<ParameterGroup> groups;  // one per layer, then the head

  int parameter_count() const noexcept { return groups.back().offset + groups.back().count; }
  /// The shape of node i: X for 0, O_i for 1..L.
  Shape node_shape(int node) const { return node == 0 ? input : layers.at(node - 1).output; }
};

/// Plans a model; throws UsageError (worded for the user, naming the layer
/// or residual sum) for every spec the model cannot be built from: invalid
/// fields, windows that do not fit, residual sums whose channel counts
/// cannot be aligned, a quantum head with too many features or too few
/// qubits for the classes, fewer than 2 classes.
ModelPlan plan_model(const ModelSpec& spec, Shape input, int classes);

/// One layer on its own (as plan_model plans layer k, without gradients);
/// `where` names it in errors.
LayerPlan plan_layer(const QuanvSpec& spec, Shape input, const std::string& where);

/// The head on its own, for `features` inputs (without gradients).
HeadPlan plan_head(const HeadSpec& spec, Shape features, int classes);

/// One line for the head: "dense 196 -> 10 (softmax)", "quantum ...".
std::string describe(const HeadPlan& head);

/// Wiring, shapes, circuits and parameter counts, one line per layer
/// (what `resqunn model describe` prints).
std::string describe(const ModelPlan& plan);

}  // namespace resqunn::model
