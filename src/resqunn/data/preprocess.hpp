// From stored images to model inputs: scaling, pooling, class subsets and
// seeded, stratified selections. All functions are pure and deterministic.
#pragma once

#include "resqunn/data/images.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace resqunn::data {

/// Images as floats in [0, 1]; labels each in [0, num_classes).
struct ImageSet : LabelledImages<float, std::int32_t> {
  int num_classes = 0;
};

/// Pixel p becomes p / 255.
ImageSet to_unit_range(const RawImages& raw, int num_classes);

/// Averages non-overlapping factor x factor blocks (28 -> 14 -> 7 with
/// factor 2 twice, or 28 -> 7 with factor 4). Throws UsageError unless
/// `factor` divides both sides.
ImageSet average_pool(const ImageSet& in, std::size_t factor);

/// Keeps images whose label is in `classes` and relabels them by position in
/// that list (classes {3, 8} -> labels 0 and 1). Throws UsageError on an
/// empty list, a duplicate, or a class outside [0, num_classes).
ImageSet select_classes(const ImageSet& in, const std::vector<int>& classes);

/// The images at `indices`, in that order. Throws UsageError if one is out of range.
ImageSet subset(const ImageSet& in, const std::vector<std::size_t>& indices);

struct Split {
  std::vector<std::size_t> train;       // ascending
  std::vector<std::size_t> validation;  // ascending
};

/// Seeded stratified split: in every class, round(n_c * fraction) images,
/// chosen uniformly with an RNG stream of their own, go to validation. The
/// result depends only on (labels, fraction, seed). fraction in [0, 1).
Split stratified_split(const std::vector<std::int32_t>& labels, int num_classes, double fraction,
                       std::uint64_t seed);

/// Seeded stratified sample of `count` indices (ascending): classes get
/// shares proportional to their size (largest remainder, ties to the lower
/// class), members chosen uniformly per class. count <= labels.size().
std::vector<std::size_t> stratified_sample(const std::vector<std::int32_t>& labels, int num_classes,
                                           std::size_t count, std::uint64_t seed);

}  // namespace resqunn::data
