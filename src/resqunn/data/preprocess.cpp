#include "resqunn/data/preprocess.hpp"

#include "resqunn/core/error.hpp"
#include "resqunn/core/random.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace resqunn::data {

namespace {

std::vector<std::vector<std::size_t>> members_by_class(const std::vector<std::int32_t>& labels,
                                                       int num_classes) {
  if (num_classes <= 0) throw UsageError("num_classes must be positive");
  std::vector<std::vector<std::size_t>> members(static_cast<std::size_t>(num_classes));
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || labels[i] >= num_classes) {
      throw UsageError("label " + std::to_string(labels[i]) + " of image " + std::to_string(i) +
                       " is outside [0, " + std::to_string(num_classes) + ")");
    }
    members[static_cast<std::size_t>(labels[i])].push_back(i);
  }
  return members;
}

// The first `take` members of class c after a shuffle with stream c of
// `seed`: per-class streams keep one class's choice independent of others.
std::vector<std::size_t> choose(std::vector<std::size_t> members, std::size_t take,
                                std::uint64_t seed, std::size_t c) {
  Rng rng = Rng(seed).split(c);
  rng.shuffle(members);
  members.resize(take);
  return members;
}

}  // namespace

ImageSet to_unit_range(const RawImages& raw, int num_classes) {
  ImageSet out;
  out.count = raw.count;
  out.rows = raw.rows;
  out.cols = raw.cols;
  out.num_classes = num_classes;
  out.pixels.resize(raw.pixels.size());
  std::transform(raw.pixels.begin(), raw.pixels.end(), out.pixels.begin(),
                 [](std::uint8_t p) { return static_cast<float>(p) / 255.0f; });
  out.labels.assign(raw.labels.begin(), raw.labels.end());
  return out;
}

ImageSet average_pool(const ImageSet& in, std::size_t factor) {
  if (factor == 0 || in.rows % factor != 0 || in.cols % factor != 0) {
    throw UsageError("cannot average-pool " + std::to_string(in.rows) + "x" +
                         std::to_string(in.cols) + " images by " + std::to_string(factor),
                     "choose a pooling factor that divides the image size (e.g. 2 or 4 for 28x28)");
  }
  ImageSet out;
  out.count = in.count;
  out.rows = in.rows / factor;
  out.cols = in.cols / factor;
  out.labels = in.labels;
  out.num_classes = in.num_classes;
  out.pixels.assign(out.count * out.rows * out.cols, 0.0f);
  // Sum in double so that pooling twice by 2 equals pooling once by 4 up to
  // float rounding of the final value only.
  const double scale = 1.0 / static_cast<double>(factor * factor);
  for (std::size_t n = 0; n < in.count; ++n) {
    const float* src = in.pixels.data() + n * in.rows * in.cols;
    float* dst = out.pixels.data() + n * out.rows * out.cols;
    for (std::size_t r = 0; r < out.rows; ++r) {
      for (std::size_t c = 0; c < out.cols; ++c) {
        double sum = 0.0;
        for (std::size_t i = 0; i < factor; ++i) {
          for (std::size_t j = 0; j < factor; ++j) {
            sum += src[(r * factor + i) * in.cols + c * factor + j];
          }
        }
        dst[r * out.cols + c] = static_cast<float>(sum * scale);
      }
    }
  }
  return out;
}

ImageSet select_classes(const ImageSet& in, const std::vector<int>& classes) {
  if (classes.empty()) throw UsageError("the class subset is empty", "list at least one class");
  std::vector<int> position(static_cast<std::size_t>(std::max(in.num_classes, 0)), -1);
  for (std::size_t k = 0; k < classes.size(); ++k) {
    const int c = classes[k];
    if (c < 0 || c >= in.num_classes) {
      throw UsageError("class " + std::to_string(c) + " does not exist",
                       "use classes 0.." + std::to_string(in.num_classes - 1));
    }
    if (position[static_cast<std::size_t>(c)] >= 0) {
      throw UsageError("class " + std::to_string(c) + " is listed twice");
    }
    position[static_cast<std::size_t>(c)] = static_cast<int>(k);
  }
  std::vector<std::size_t> keep;
  for (std::size_t i = 0; i < in.count; ++i) {
    if (position[static_cast<std::size_t>(in.labels[i])] >= 0) keep.push_back(i);
  }
  ImageSet out = subset(in, keep);
  for (auto& l : out.labels) l = position[static_cast<std::size_t>(l)];
  out.num_classes = static_cast<int>(classes.size());
  return out;
}

ImageSet subset(const ImageSet& in, const std::vector<std::size_t>& indices) {
  const std::size_t ppi = in.pixels_per_image();
  ImageSet out;
  out.count = indices.size();
  out.rows = in.rows;
  out.cols = in.cols;
  out.num_classes = in.num_classes;
  out.pixels.resize(indices.size() * ppi);
  out.labels.resize(indices.size());
  for (std::size_t k = 0; k < indices.size(); ++k) {
    const std::size_t i = indices[k];
    if (i >= in.count) {
      throw UsageError("image index " + std::to_string(i) + " is out of range (" +
                       std::to_string(in.count) + " images)");
    }
    std::copy_n(in.pixels.begin() + static_cast<long>(i * ppi), ppi,
                out.pixels.begin() + static_cast<long>(k * ppi));
    out.labels[k] = in.labels[i];
  }
  return out;
}

Split stratified_split(const std::vector<std::int32_t>& labels, int num_classes, double fraction,
                       std::uint64_t seed) {
  if (!(fraction >= 0.0 && fraction < 1.0)) {
    throw UsageError("validation fraction " + std::to_string(fraction) + " is outside [0, 1)");
  }
  const auto members = members_by_class(labels, num_classes);
  std::vector<bool> in_validation(labels.size(), false);
  for (std::size_t c = 0; c < members.size(); ++c) {
    const auto take =
        static_cast<std::size_t>(std::llround(static_cast<double>(members[c].size()) * fraction));
    for (auto i : choose(members[c], take, seed, c)) in_validation[i] = true;
  }
  Split s;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    (in_validation[i] ? s.validation : s.train).push_back(i);
  }
  return s;
}

std::vector<std::size_t> stratified_sample(const std::vector<std::int32_t>& labels, int num_classes,
                                           std::size_t count, std::uint64_t seed) {
  if (count > labels.size()) {
    throw UsageError("cannot sample " + std::to_string(count) + " images from " +
                     std::to_string(labels.size()));
  }
  const auto members = members_by_class(labels, num_classes);
  // Largest-remainder apportionment of `count` over the class sizes, in
  // exact integer arithmetic: quota_c = count * n_c / N.
  const std::size_t total = labels.size();
  std::vector<std::size_t> take(members.size(), 0);
  std::vector<std::pair<std::size_t, std::size_t>> remainders;  // (remainder, class)
  std::size_t given = 0;
  for (std::size_t c = 0; c < members.size() && total > 0; ++c) {
    const unsigned long long q = static_cast<unsigned long long>(count) * members[c].size();
    take[c] = static_cast<std::size_t>(q / total);
    remainders.emplace_back(static_cast<std::size_t>(q % total), c);
    given += take[c];
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t k = 0; given < count; ++k, ++given) ++take[remainders[k].second];

  std::vector<std::size_t> out;
  for (std::size_t c = 0; c < members.size(); ++c) {
    const auto chosen = choose(members[c], take[c], seed, c);
    out.insert(out.end(), chosen.begin(), chosen.end());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace resqunn::data
