// Labelled image sets: pixels row-major, one image after another, and a
// label per image. RawImages is a set exactly as stored (8-bit pixels);
// preprocessing (preprocess.hpp) turns it into an ImageSet of floats.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace resqunn::data {

template <class Pixel, class Label>
struct LabelledImages {
  std::size_t count = 0;
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<Pixel> pixels;  // count * rows * cols
  std::vector<Label> labels;  // count

  std::size_t pixels_per_image() const noexcept { return rows * cols; }
};

using RawImages = LabelledImages<std::uint8_t, std::uint8_t>;

}  // namespace resqunn::data
