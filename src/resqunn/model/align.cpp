#include "resqunn/model/align.hpp"

#include "resqunn/core/error.hpp"

namespace resqunn::model {

namespace {

// Rows of the input that output row i averages (adaptive pooling bins).
struct Bin {
  int begin, end;
};

Bin bin(int i, int out, int in) {
  const int begin = static_cast<int>((static_cast<long>(i) * in) / out);
  const int end = static_cast<int>((static_cast<long>(i + 1) * in + out - 1) / out);
  return {begin, end};
}

}  // namespace

std::string Shape::str() const {
  return std::to_string(channels) + "x" + std::to_string(height) + "x" + std::to_string(width);
}

Shape sum_shape(const std::vector<Shape>& terms, const std::vector<std::string>& names,
                const std::string& what) {
  Shape s = terms.at(0);
  for (const Shape& t : terms) {
    if (t.channels > s.channels) s.channels = t.channels;
    if (t.height < s.height) s.height = t.height;
    if (t.width < s.width) s.width = t.width;
  }
  for (std::size_t i = 0; i < terms.size(); ++i) {
    if (terms[i].channels != 1 && terms[i].channels != s.channels) {
      throw UsageError(
          what + ": cannot add " + names[i] + " (" + terms[i].str() + ") to a " +
              std::to_string(s.channels) + "-channel sum",
          "terms of a residual sum need equal channel counts, or one channel "
          "(broadcast); use channel_mode = \"mean\" or \"pool\" for the layers involved");
    }
  }
  return s;
}

void add_aligned(const Tensor& in, Tensor& out) {
  const Shape& a = in.shape;
  const Shape& b = out.shape;
  for (int n = 0; n < in.count; ++n) {
    for (int c = 0; c < b.channels; ++c) {
      const int src_c = a.channels == 1 ? 0 : c;
      for (int y = 0; y < b.height; ++y) {
        const Bin ry = bin(y, b.height, a.height);
        for (int x = 0; x < b.width; ++x) {
          const Bin rx = bin(x, b.width, a.width);
          double sum = 0.0;
          for (int yy = ry.begin; yy < ry.end; ++yy) {
            for (int xx = rx.begin; xx < rx.end; ++xx) sum += in.at(n, src_c, yy, xx);
          }
          out.at(n, c, y, x) += sum / ((ry.end - ry.begin) * (rx.end - rx.begin));
        }
      }
    }
  }
}

void add_aligned_adjoint(const Tensor& dout, Tensor& din) {
  const Shape& a = din.shape;
  const Shape& b = dout.shape;
  for (int n = 0; n < dout.count; ++n) {
    for (int c = 0; c < b.channels; ++c) {
      const int dst_c = a.channels == 1 ? 0 : c;
      for (int y = 0; y < b.height; ++y) {
        const Bin ry = bin(y, b.height, a.height);
        for (int x = 0; x < b.width; ++x) {
          const Bin rx = bin(x, b.width, a.width);
          const double g = dout.at(n, c, y, x) / ((ry.end - ry.begin) * (rx.end - rx.begin));
          for (int yy = ry.begin; yy < ry.end; ++yy) {
            for (int xx = rx.begin; xx < rx.end; ++xx) din.at(n, dst_c, yy, xx) += g;
          }
        }
      }
    }
  }
}

}  // namespace resqunn::model
