#include "resqunn/train/reducer.hpp"

#include "resqunn/core/error.hpp"

#include <string>

namespace resqunn::train {

Partial ordered_sum(const std::vector<const Partial*>& parts, int width) {
  Partial total(static_cast<std::size_t>(width), 0.0);
  for (const Partial* p : parts) {
    for (int i = 0; i < width; ++i) total[i] += (*p)[i];
  }
  return total;
}

Partial LocalReducer::combine(int count, int width, const std::vector<Partial>& mine) {
  if (static_cast<int>(mine.size()) != count) {
    throw Error("local reducer got " + std::to_string(mine.size()) + " of " +
                std::to_string(count) + " micro-batches");
  }
  std::vector<const Partial*> parts;
  parts.reserve(mine.size());
  for (const auto& p : mine) parts.push_back(&p);
  return ordered_sum(parts, width);
}

}  // namespace resqunn::train
