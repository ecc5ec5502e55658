// A quanvolution layer: a k x k window slides over each image with a given
// stride and padding; every patch is encoded into a small circuit (angle:
// one qubit per pixel; amplitude: the padded patch as amplitudes), the
// trainable ansatz runs, and <Z_q> of each qubit becomes output channel q.
// All patches of all images of a batch go through one kernel call.
#pragma once

#include "resqunn/model/detail/circuit_runner.hpp"
#include "resqunn/model/plan.hpp"
#include "resqunn/model/spec.hpp"
#include "resqunn/model/tensor.hpp"

#include <vector>

namespace resqunn::model {

class QuanvLayer {
public:
  /// Builds the layer a plan describes (plan.hpp).
  explicit QuanvLayer(const LayerPlan& plan);
  /// Plans and builds one layer: throws UsageError (naming `name`) if the
  /// spec is invalid or the window does not fit the input.
  QuanvLayer(const QuanvSpec& spec, Shape input, const std::string& name);

  const QuanvSpec& spec() const noexcept { return spec_; }
  Shape input_shape() const noexcept { return in_; }
  Shape output_shape() const noexcept { return out_; }
  int weight_count() const noexcept { return runner_.spec().weight_count(); }
  /// Circuits simulated so far (see detail::CircuitRunner).
  const detail::CircuitRunner& runner() const noexcept { return runner_; }
  /// Circuits one image needs (patches, times channels for mean/stack).
  int circuits_per_image() const noexcept { return static_cast<int>(circuits_per_image_); }

  /// out = layer(x); `out` is resized.
  /// `weights` points at weight_count() values.
  void forward(const Tensor& x, const double* weights, Tensor& out);

  /// Backward pass for upstream gradient `dout`: adds dL/dweights to
  /// `dweights` (if non-null, weight_count() values) and dL/dx to `dx` (if
  /// non-null, x's shape).
  void backward(const Tensor& x, const double* weights, const Tensor& dout, double* dweights,
                Tensor* dx);
  /// As backward, but for a compiled layer (moment_count() > 0): adds the
  /// batch's moments to `dmoments` (moment_count() values) in place of
  /// weight gradients; weight_grads_from_moments turns their sum into
  /// dL/dweights once per optimizer step.
  void backward_moments(const Tensor& x, const double* weights, const Tensor& dout,
                        double* dmoments, Tensor* dx);
  long moment_count() const noexcept { return runner_.moment_count(); }
  /// dweights += the weight gradient of the summed moments `moments`.
  void add_weight_grads_from_moments(const double* weights, const double* moments,
                                     double* dweights);

private:
  void build_tables();
  void gather_patches(const Tensor& x, std::vector<double>& inputs) const;
  void scatter_outputs(const std::vector<double>& outputs, int count, Tensor& out) const;
  void gather_upstream(const Tensor& dout, std::vector<double>& upstream) const;
  void scatter_input_grads(const std::vector<double>& grads, Tensor& dx) const;

  QuanvSpec spec_;
  Shape in_, out_;
  int pad_top_ = 0, pad_left_ = 0;
  long circuits_per_image_ = 0;
  detail::CircuitRunner runner_;
  // Index tables of one image, built once: circuit row r's feature f reads
  // pixel offset patch_[r * input_size + f] of the image (-1: padding or
  // features past the window, which stay 0; with channel_mode = pool, the
  // offset in channel 0), and its output q goes to cell
  // cell_[r * qubits + q] of the output image. Rows and features are in
  // the kernel's order, so gathers and scatters are plain indexed loops
  // that add in the same order as the nested loops they replace.
  std::vector<int> patch_, cell_;
  // Reused between calls.
  std::vector<double> inputs_, outputs_, upstream_, input_grads_, weight_grads_, moments_;
};

}  // namespace resqunn::model
