// The images a run trains and validates on, as model tensors: the dataset's
// "train" split, scaled to [0, 1], average-pooled to the configured size,
// restricted to the configured classes, and divided into a seeded,
// stratified training and validation sample of the configured sizes.
#pragma once

#include "resqunn/model/tensor.hpp"
#include "resqunn/train/options.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace resqunn::train {

struct LabelledImages {
  model::Tensor images;     // N x 1 x size x size
  std::vector<int> labels;  // N, in [0, classes)
};

struct TrainingData {
  LabelledImages train;
  LabelledImages validation;
  int classes = 0;
  std::vector<std::string> class_names;  // of the kept classes, in label order
};

/// Throws UsageError for impossible options (unknown dataset, too few
/// images) and DataError (with the fix) when the dataset is missing or
/// damaged under `data_dir`.
TrainingData load_training_data(const DataOptions& options, const std::filesystem::path& data_dir);

/// The images at `indices` of `from`, in that order.
LabelledImages gather(const LabelledImages& from, const std::vector<std::size_t>& indices);

}  // namespace resqunn::train
