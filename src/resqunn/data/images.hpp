// A labelled image set exactly as stored: 8-bit pixels, row-major, one
// image after another. Preprocessing (preprocess.hpp) turns it into floats.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace resqunn::data {

struct RawImages {
  std::size_t count = 0;
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<std::uint8_t> pixels;  // count * rows * cols
  std::vector<std::uint8_t> labels;  // count
};

}  // namespace resqunn::data
