#include "resqunn/train/dataset.hpp"

#include "resqunn/core/error.hpp"
#include "resqunn/core/random.hpp"
#include "resqunn/data/catalog.hpp"
#include "resqunn/data/preprocess.hpp"

namespace resqunn::train {

namespace {

LabelledImages to_tensor(const data::ImageSet& set) {
  LabelledImages out;
  out.images = model::Tensor(static_cast<int>(set.count),
                             {1, static_cast<int>(set.rows), static_cast<int>(set.cols)});
  std::copy(set.pixels.begin(), set.pixels.end(), out.images.data.begin());
  out.labels.assign(set.labels.begin(), set.labels.end());
  return out;
}

}  // namespace

TrainingData load_training_data(const DataOptions& o, const std::filesystem::path& data_dir) {
  const auto& spec = data::dataset_spec(o.dataset);
  if (o.image_size != 28 && o.image_size != 14 && o.image_size != 7) {
    throw UsageError("data.image_size = " + std::to_string(o.image_size) + " is not supported",
                     "use 28, 14 or 7 (average pooling of the 28x28 images)");
  }
  const auto raw = data::load(o.dataset, "train", data_dir);
  data::ImageSet images = data::to_unit_range(raw, spec.num_classes);
  if (o.image_size != static_cast<int>(images.rows)) {
    images = data::average_pool(images, images.rows / static_cast<std::size_t>(o.image_size));
  }
  TrainingData out;
  std::vector<int> classes = o.classes;
  if (classes.empty()) {
    for (int c = 0; c < spec.num_classes; ++c) classes.push_back(c);
  }
  images = data::select_classes(images, classes);
  for (int c : classes) out.class_names.push_back(spec.class_names.at(c));
  out.classes = static_cast<int>(classes.size());

  const std::size_t wanted = static_cast<std::size_t>(o.train) + o.validation;
  if (o.train < 1 || o.validation < 1 || wanted > images.count) {
    throw UsageError("data: asked for " + std::to_string(o.train) + " training + " +
                         std::to_string(o.validation) + " validation images, but " + o.dataset +
                         " has " + std::to_string(images.count) +
                         " in the selected classes of its train split",
                     "lower data.train / data.validation (each at least 1) or select more classes");
  }
  // One stratified sample of both, then a stratified validation part of it:
  // both sets keep the class proportions, and the sizes are exact.
  Rng root(o.seed);
  const auto pool =
      data::stratified_sample(images.labels, out.classes, wanted, root.split(1).next());
  const data::ImageSet chosen = data::subset(images, pool);
  const auto val = data::stratified_sample(
      chosen.labels, out.classes, static_cast<std::size_t>(o.validation), root.split(2).next());
  std::vector<std::size_t> train;
  std::vector<bool> is_val(chosen.count, false);
  for (auto i : val) is_val[i] = true;
  for (std::size_t i = 0; i < chosen.count; ++i) {
    if (!is_val[i]) train.push_back(i);
  }
  const LabelledImages all = to_tensor(chosen);
  out.train = gather(all, train);
  out.validation = gather(all, val);
  return out;
}

LabelledImages gather(const LabelledImages& from, const std::vector<std::size_t>& indices) {
  LabelledImages out;
  out.images = model::Tensor(static_cast<int>(indices.size()), from.images.shape);
  const std::size_t size = from.images.shape.size();
  for (std::size_t i = 0; i < indices.size(); ++i) {
    const double* src = from.images.image(static_cast<int>(indices[i]));
    std::copy(src, src + size, out.images.image(static_cast<int>(i)));
    out.labels.push_back(from.labels.at(indices[i]));
  }
  return out;
}

}  // namespace resqunn::train
