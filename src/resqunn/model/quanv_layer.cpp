#include "resqunn/model/quanv_layer.hpp"

namespace resqunn::model {

QuanvLayer::QuanvLayer(const LayerPlan& plan)
    : spec_(plan.spec),
      in_(plan.input),
      out_(plan.output),
      pad_top_(plan.pad_top),
      pad_left_(plan.pad_left),
      circuits_per_image_(plan.circuits_per_image),
      runner_(plan.circuit) {
  build_tables();
}

QuanvLayer::QuanvLayer(const QuanvSpec& spec, Shape input, const std::string& name)
    : QuanvLayer(plan_layer(spec, input, name)) {}

// Circuit rows are ordered (image, channel, patch row, patch column); with
// channel_mode = pool there is one "channel", the channel mean.
void QuanvLayer::build_tables() {
  const int k = spec_.kernel, n = spec_.qubits();
  const int nin = runner_.spec().input_size();
  const bool pool = spec_.channel_mode == ChannelMode::pool;
  const int channels = pool ? 1 : in_.channels;
  patch_.assign(static_cast<std::size_t>(circuits_per_image_) * nin, -1);
  cell_.assign(static_cast<std::size_t>(circuits_per_image_) * n, 0);
  std::size_t row = 0;
  for (int c = 0; c < channels; ++c) {
    for (int py = 0; py < out_.height; ++py) {
      for (int px = 0; px < out_.width; ++px, ++row) {
        for (int dy = 0; dy < k; ++dy) {
          const int y = py * spec_.stride + dy - pad_top_;
          if (y < 0 || y >= in_.height) continue;
          for (int dx = 0; dx < k; ++dx) {
            const int x = px * spec_.stride + dx - pad_left_;
            if (x < 0 || x >= in_.width) continue;
            patch_[row * nin + dy * k + dx] = (c * in_.height + y) * in_.width + x;
          }
        }
        for (int q = 0; q < n; ++q) {
          const int oc = spec_.channel_mode == ChannelMode::stack ? c * n + q : q;
          cell_[row * n + q] = (oc * out_.height + py) * out_.width + px;
        }
      }
    }
  }
}

void QuanvLayer::gather_patches(const Tensor& x, std::vector<double>& inputs) const {
  const std::size_t per_image = patch_.size();
  const bool pool = spec_.channel_mode == ChannelMode::pool;
  const std::size_t plane = static_cast<std::size_t>(in_.height) * in_.width;
  const double inv_c = 1.0 / in_.channels;
  inputs.resize(static_cast<std::size_t>(x.count) * per_image);
  const int* table = patch_.data();
  for (int i = 0; i < x.count; ++i) {
    const double* img = x.image(i);
    double* dst = inputs.data() + static_cast<std::size_t>(i) * per_image;
    if (!pool) {
      for (std::size_t j = 0; j < per_image; ++j) dst[j] = table[j] < 0 ? 0.0 : img[table[j]];
      continue;
    }
    for (std::size_t j = 0; j < per_image; ++j) {
      double v = 0.0;
      if (table[j] >= 0) {
        for (int cc = 0; cc < in_.channels; ++cc) v += img[table[j] + cc * plane];
        v *= inv_c;
      }
      dst[j] = v;
    }
  }
}

void QuanvLayer::scatter_outputs(const std::vector<double>& outputs, int count, Tensor& out) const {
  const double scale = spec_.channel_mode == ChannelMode::mean ? 1.0 / in_.channels : 1.0;
  const std::size_t per_image = cell_.size();
  out = Tensor(count, out_);
  for (int i = 0; i < count; ++i) {
    const double* row = outputs.data() + static_cast<std::size_t>(i) * per_image;
    double* img = out.image(i);
    for (std::size_t j = 0; j < per_image; ++j) img[cell_[j]] += scale * row[j];
  }
}

void QuanvLayer::gather_upstream(const Tensor& dout, std::vector<double>& upstream) const {
  const double scale = spec_.channel_mode == ChannelMode::mean ? 1.0 / in_.channels : 1.0;
  const std::size_t per_image = cell_.size();
  upstream.resize(static_cast<std::size_t>(dout.count) * per_image);
  for (int i = 0; i < dout.count; ++i) {
    const double* img = dout.image(i);
    double* row = upstream.data() + static_cast<std::size_t>(i) * per_image;
    for (std::size_t j = 0; j < per_image; ++j) row[j] = scale * img[cell_[j]];
  }
}

void QuanvLayer::scatter_input_grads(const std::vector<double>& grads, Tensor& dx) const {
  const std::size_t per_image = patch_.size();
  const bool pool = spec_.channel_mode == ChannelMode::pool;
  const std::size_t plane = static_cast<std::size_t>(in_.height) * in_.width;
  const double inv_c = 1.0 / in_.channels;
  for (int i = 0; i < dx.count; ++i) {
    const double* g = grads.data() + static_cast<std::size_t>(i) * per_image;
    double* img = dx.image(i);
    for (std::size_t j = 0; j < per_image; ++j) {
      const int at = patch_[j];
      if (at < 0) continue;
      if (pool) {
        for (int cc = 0; cc < in_.channels; ++cc) img[at + cc * plane] += g[j] * inv_c;
      } else {
        img[at] += g[j];
      }
    }
  }
}

void QuanvLayer::forward(const Tensor& x, const double* weights, Tensor& out) {
  gather_patches(x, inputs_);
  const std::size_t batch = static_cast<std::size_t>(x.count) * circuits_per_image();
  runner_.forward(inputs_, batch, weights, outputs_);
  scatter_outputs(outputs_, x.count, out);
}

void QuanvLayer::backward(const Tensor& x, const double* weights, const Tensor& dout,
                          double* dweights, Tensor* dx) {
  if (!dweights && !dx) return;
  gather_patches(x, inputs_);
  gather_upstream(dout, upstream_);
  const std::size_t batch = static_cast<std::size_t>(x.count) * circuits_per_image();
  // The outputs of this batch came from forward: not computed again.
  runner_.vjp(inputs_, batch, weights, upstream_, nullptr, dx ? &input_grads_ : nullptr,
              weight_grads_);
  if (dweights) {
    for (std::size_t w = 0; w < weight_grads_.size(); ++w) dweights[w] += weight_grads_[w];
  }
  if (dx) scatter_input_grads(input_grads_, *dx);
}

void QuanvLayer::backward_moments(const Tensor& x, const double* weights, const Tensor& dout,
                                  double* dmoments, Tensor* dx) {
  gather_patches(x, inputs_);
  gather_upstream(dout, upstream_);
  const std::size_t batch = static_cast<std::size_t>(x.count) * circuits_per_image();
  runner_.vjp_moments(inputs_, batch, weights, upstream_, nullptr, dx ? &input_grads_ : nullptr,
                      moments_);
  for (std::size_t i = 0; i < moments_.size(); ++i) dmoments[i] += moments_[i];
  if (dx) scatter_input_grads(input_grads_, *dx);
}

void QuanvLayer::add_weight_grads_from_moments(const double* weights, const double* moments,
                                               double* dweights) {
  runner_.weight_grads_from_moments(weights, moments, weight_grads_);
  for (std::size_t w = 0; w < weight_grads_.size(); ++w) dweights[w] += weight_grads_[w];
}

}  // namespace resqunn::model
