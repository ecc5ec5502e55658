// A batch of multi-channel images: N x C x H x W doubles, row-major (NCHW).
// The model's activations, residual sums and their gradients are Tensors.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace resqunn::model {

/// The shape of one image: channels x height x width.
struct Shape {
  int channels = 1;
  int height = 1;
  int width = 1;

  std::size_t size() const noexcept {
    return static_cast<std::size_t>(channels) * static_cast<std::size_t>(height) *
           static_cast<std::size_t>(width);
  }
  /// "4x7x7"
  std::string str() const;
  friend bool operator==(const Shape& a, const Shape& b) noexcept {
    return a.channels == b.channels && a.height == b.height && a.width == b.width;
  }
  friend bool operator!=(const Shape& a, const Shape& b) noexcept { return !(a == b); }
};

struct Tensor {
  int count = 0;  // N
  Shape shape;
  std::vector<double> data;  // count * shape.size()

  Tensor() = default;
  Tensor(int n, Shape s) : count(n), shape(s), data(static_cast<std::size_t>(n) * s.size(), 0.0) {}

  double* image(int i) noexcept { return data.data() + static_cast<std::size_t>(i) * shape.size(); }
  const double* image(int i) const noexcept {
    return data.data() + static_cast<std::size_t>(i) * shape.size();
  }
  double& at(int i, int c, int y, int x) noexcept {
    return data[((static_cast<std::size_t>(i) * shape.channels + c) * shape.height + y) *
                    shape.width +
                x];
  }
  double at(int i, int c, int y, int x) const noexcept {
    return data[((static_cast<std::size_t>(i) * shape.channels + c) * shape.height + y) *
                    shape.width +
                x];
  }
};

}  // namespace resqunn::model
