#include "resqunn/model/align.hpp"

#include "resqunn/core/error.hpp"

#include <vector>

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

// Calls f(n, c, term_c, y, x, ry, rx) for every cell (n, c, y, x) of the
// `aligned` shape: term_c is the channel of the `term` shape it reads (0
// when broadcast), ry and rx the term's rows and columns the cell averages.
// One walk serves the sum and its adjoint, so the two cannot disagree about
// the bins; the column bins are computed once per call, not per cell.
template <class F>
void for_each_cell(int count, const Shape& term, const Shape& aligned, F&& f) {
  std::vector<Bin> columns(static_cast<std::size_t>(aligned.width));
  for (int x = 0; x < aligned.width; ++x) columns[x] = bin(x, aligned.width, term.width);
  for (int n = 0; n < count; ++n) {
    for (int c = 0; c < aligned.channels; ++c) {
      const int term_c = term.channels == 1 ? 0 : c;
      for (int y = 0; y < aligned.height; ++y) {
        const Bin ry = bin(y, aligned.height, term.height);
        for (int x = 0; x < aligned.width; ++x) f(n, c, term_c, y, x, ry, columns[x]);
      }
    }
  }
}

// Calls f(dst, src, size) for each output plane when no pooling is needed
// (equal height and width): dst the (n, c) plane of `aligned`, src the
// term's plane it reads (channel 0 when broadcast). The sum of a one-cell
// bin divided by 1 is the cell itself, so this is exactly for_each_cell's
// result, at the cost of a vector add.
template <class Aligned, class Term, class F>
bool for_each_plane(Term& term, Aligned& aligned, F&& f) {
  const Shape& t = term.shape;
  const Shape& a = aligned.shape;
  if (t.height != a.height || t.width != a.width) return false;
  const std::size_t plane = static_cast<std::size_t>(a.height) * a.width;
  for (int n = 0; n < aligned.count; ++n) {
    for (int c = 0; c < a.channels; ++c) {
      const int term_c = t.channels == 1 ? 0 : c;
      f(aligned.data.data() + (static_cast<std::size_t>(n) * a.channels + c) * plane,
        term.data.data() + (static_cast<std::size_t>(n) * t.channels + term_c) * plane, plane);
    }
  }
  return true;
}

// True when every bin of pooling `term` to `aligned` has the same fy x fx
// cells (the term's size a multiple of the aligned one, e.g. 14x14 pooled
// to 7x7); those bins are for_each_cell's.
bool uniform_bins(const Shape& term, const Shape& aligned, int& fy, int& fx) {
  if (term.height % aligned.height != 0 || term.width % aligned.width != 0) return false;
  fy = term.height / aligned.height;
  fx = term.width / aligned.width;
  return true;
}

// Calls f(aligned_plane, term_plane, fy, fx) for each (n, c) plane of
// `aligned` when the bins are uniform (uniform_bins); the term's plane is
// channel 0 when it broadcasts. Summing each bin in for_each_cell's order
// gives bitwise its result, without per-cell bin arithmetic.
template <class Aligned, class Term, class F>
bool for_each_uniform_plane(Term& term, Aligned& aligned, F&& f) {
  const Shape& t = term.shape;
  const Shape& a = aligned.shape;
  int fy = 0, fx = 0;
  if (!uniform_bins(t, a, fy, fx)) return false;
  const std::size_t out_plane = static_cast<std::size_t>(a.height) * a.width;
  const std::size_t in_plane = static_cast<std::size_t>(t.height) * t.width;
  for (int n = 0; n < aligned.count; ++n) {
    for (int c = 0; c < a.channels; ++c) {
      const int term_c = t.channels == 1 ? 0 : c;
      f(aligned.data.data() + (static_cast<std::size_t>(n) * a.channels + c) * out_plane,
        term.data.data() + (static_cast<std::size_t>(n) * t.channels + term_c) * in_plane, fy, fx);
    }
  }
  return true;
}

// add_aligned where the bins are uniform (uniform_bins): each term plane is
// pooled once, then added to every aligned channel that reads it (all of
// them for a broadcast one-channel term). The bins and the order of each
// bin's sum are for_each_cell's, so the result is bitwise its result.
bool add_uniform_pooled(const Tensor& in, Tensor& out) {
  const Shape& t = in.shape;
  const Shape& a = out.shape;
  int fy = 0, fx = 0;
  if (!uniform_bins(t, a, fy, fx)) return false;
  const double count = static_cast<double>(fy * fx);
  const std::size_t out_plane = static_cast<std::size_t>(a.height) * a.width;
  const std::size_t in_plane = static_cast<std::size_t>(t.height) * t.width;
  std::vector<double> pooled(out_plane);
  for (int n = 0; n < out.count; ++n) {
    for (int tc = 0; tc < t.channels; ++tc) {
      const double* src =
          in.data.data() + (static_cast<std::size_t>(n) * t.channels + tc) * in_plane;
      for (int y = 0; y < a.height; ++y) {
        for (int x = 0; x < a.width; ++x) {
          double sum = 0.0;
          for (int yy = y * fy; yy < (y + 1) * fy; ++yy) {
            for (int xx = x * fx; xx < (x + 1) * fx; ++xx) sum += src[yy * t.width + xx];
          }
          pooled[static_cast<std::size_t>(y) * a.width + x] = sum / count;
        }
      }
      // Channel tc of the sum, or every channel when the term broadcasts.
      const int first = t.channels == 1 ? 0 : tc, last = t.channels == 1 ? a.channels : tc + 1;
      for (int c = first; c < last; ++c) {
        double* dst = out.data.data() + (static_cast<std::size_t>(n) * a.channels + c) * out_plane;
        for (std::size_t k = 0; k < out_plane; ++k) dst[k] += pooled[k];
      }
    }
  }
  return true;
}

double cells(const Bin& ry, const Bin& rx) {
  return static_cast<double>((ry.end - ry.begin) * (rx.end - rx.begin));
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
  const bool planes = for_each_plane(in, out, [](double* o, const double* i, std::size_t size) {
    for (std::size_t k = 0; k < size; ++k) o[k] += i[k];
  });
  if (planes) return;
  if (add_uniform_pooled(in, out)) return;
  for_each_cell(in.count, in.shape, out.shape,
                [&](int n, int c, int src_c, int y, int x, const Bin& ry, const Bin& rx) {
                  double sum = 0.0;
                  for (int yy = ry.begin; yy < ry.end; ++yy) {
                    for (int xx = rx.begin; xx < rx.end; ++xx) sum += in.at(n, src_c, yy, xx);
                  }
                  out.at(n, c, y, x) += sum / cells(ry, rx);
                });
}

void add_aligned_adjoint(const Tensor& dout, Tensor& din) {
  const bool planes = for_each_plane(din, dout, [](const double* g, double* d, std::size_t size) {
    for (std::size_t k = 0; k < size; ++k) d[k] += g[k];
  });
  if (planes) return;
  const int ow = dout.shape.width, oh = dout.shape.height, iw = din.shape.width;
  const bool uniform =
      for_each_uniform_plane(din, dout, [&](const double* g, double* d, int fy, int fx) {
        const double count = static_cast<double>(fy * fx);
        for (int y = 0; y < oh; ++y) {
          for (int x = 0; x < ow; ++x) {
            const double v = g[y * ow + x] / count;
            for (int yy = y * fy; yy < (y + 1) * fy; ++yy) {
              for (int xx = x * fx; xx < (x + 1) * fx; ++xx) d[yy * iw + xx] += v;
            }
          }
        }
      });
  if (uniform) return;
  for_each_cell(dout.count, din.shape, dout.shape,
                [&](int n, int c, int dst_c, int y, int x, const Bin& ry, const Bin& rx) {
                  const double g = dout.at(n, c, y, x) / cells(ry, rx);
                  for (int yy = ry.begin; yy < ry.end; ++yy) {
                    for (int xx = rx.begin; xx < rx.end; ++xx) din.at(n, dst_c, yy, xx) += g;
                  }
                });
}

}  // namespace resqunn::model
