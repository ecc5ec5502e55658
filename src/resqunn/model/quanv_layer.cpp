#include "resqunn/model/quanv_layer.hpp"

namespace resqunn::model {

QuanvLayer::QuanvLayer(const LayerPlan& plan)
    : spec_(plan.spec),
      in_(plan.input),
      out_(plan.output),
      pad_top_(plan.pad_top),
      pad_left_(plan.pad_left),
      circuits_per_image_(plan.circuits_per_image),
      runner_(plan.circuit) {}

QuanvLayer::QuanvLayer(const QuanvSpec& spec, Shape input, const std::string& name)
    : QuanvLayer(plan_layer(spec, input, name)) {}

// Circuit rows are ordered (image, channel, patch row, patch column); with
// channel_mode = pool there is one "channel", the channel mean. Calls
// f(circuit, feature, image, channel, y, x) for every in-image pixel of
// every patch (padding pixels are skipped: they stay zero).
template <class F>
void QuanvLayer::for_each_patch_pixel(int count, F&& f) const {
  const int k = spec_.kernel;
  const int channels = spec_.channel_mode == ChannelMode::pool ? 1 : in_.channels;
  std::size_t circuit = 0;
  for (int i = 0; i < count; ++i) {
    for (int c = 0; c < channels; ++c) {
      for (int py = 0; py < out_.height; ++py) {
        for (int px = 0; px < out_.width; ++px, ++circuit) {
          for (int dy = 0; dy < k; ++dy) {
            const int y = py * spec_.stride + dy - pad_top_;
            if (y < 0 || y >= in_.height) continue;
            for (int dx = 0; dx < k; ++dx) {
              const int x = px * spec_.stride + dx - pad_left_;
              if (x < 0 || x >= in_.width) continue;
              f(circuit, dy * k + dx, i, c, y, x);
            }
          }
        }
      }
    }
  }
}

void QuanvLayer::gather_patches(const Tensor& x, std::vector<double>& inputs) const {
  const std::size_t nin = runner_.spec().input_size();
  const bool pool = spec_.channel_mode == ChannelMode::pool;
  const double inv_c = 1.0 / in_.channels;
  inputs.assign(static_cast<std::size_t>(x.count) * circuits_per_image() * nin, 0.0);
  for_each_patch_pixel(x.count, [&](std::size_t row, int f, int i, int c, int y, int xx) {
    double v = 0.0;
    if (pool) {
      for (int cc = 0; cc < in_.channels; ++cc) v += x.at(i, cc, y, xx);
      v *= inv_c;
    } else {
      v = x.at(i, c, y, xx);
    }
    inputs[row * nin + f] = v;
  });
}

void QuanvLayer::scatter_outputs(const std::vector<double>& outputs, int count, Tensor& out) const {
  const int n = spec_.qubits();
  const int channels = spec_.channel_mode == ChannelMode::pool ? 1 : in_.channels;
  const double scale = spec_.channel_mode == ChannelMode::mean ? 1.0 / in_.channels : 1.0;
  out = Tensor(count, out_);
  const double* row = outputs.data();
  for (int i = 0; i < count; ++i) {
    for (int c = 0; c < channels; ++c) {
      for (int py = 0; py < out_.height; ++py) {
        for (int px = 0; px < out_.width; ++px, row += n) {
          for (int q = 0; q < n; ++q) {
            const int oc = spec_.channel_mode == ChannelMode::stack ? c * n + q : q;
            out.at(i, oc, py, px) += scale * row[q];
          }
        }
      }
    }
  }
}

void QuanvLayer::gather_upstream(const Tensor& dout, std::vector<double>& upstream) const {
  const int n = spec_.qubits();
  const int channels = spec_.channel_mode == ChannelMode::pool ? 1 : in_.channels;
  const double scale = spec_.channel_mode == ChannelMode::mean ? 1.0 / in_.channels : 1.0;
  upstream.resize(static_cast<std::size_t>(dout.count) * circuits_per_image() * n);
  double* row = upstream.data();
  for (int i = 0; i < dout.count; ++i) {
    for (int c = 0; c < channels; ++c) {
      for (int py = 0; py < out_.height; ++py) {
        for (int px = 0; px < out_.width; ++px, row += n) {
          for (int q = 0; q < n; ++q) {
            const int oc = spec_.channel_mode == ChannelMode::stack ? c * n + q : q;
            row[q] = scale * dout.at(i, oc, py, px);
          }
        }
      }
    }
  }
}

void QuanvLayer::scatter_input_grads(const std::vector<double>& grads, Tensor& dx) const {
  const std::size_t nin = runner_.spec().input_size();
  const bool pool = spec_.channel_mode == ChannelMode::pool;
  const double inv_c = 1.0 / in_.channels;
  for_each_patch_pixel(dx.count, [&](std::size_t row, int f, int i, int c, int y, int x) {
    const double g = grads[row * nin + f];
    if (pool) {
      for (int cc = 0; cc < in_.channels; ++cc) dx.at(i, cc, y, x) += g * inv_c;
    } else {
      dx.at(i, c, y, x) += g;
    }
  });
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
  runner_.vjp(inputs_, batch, weights, upstream_, outputs_, dx ? &input_grads_ : nullptr,
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
  runner_.vjp_moments(inputs_, batch, weights, upstream_, outputs_, dx ? &input_grads_ : nullptr,
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
