// The schema at the sizes of a layout: validating a layout, creating every
// group and dataset of a new results file, and checking an existing file
// against the schema while reading its layout back and opening its datasets.
#include "resqunn/io/detail/results_schema.hpp"

#include "resqunn/core/error.hpp"
#include "resqunn/io/detail/results_impl.hpp"
#include "resqunn/io/hdf5.hpp"
#include "resqunn/io/results.hpp"

#include <iterator>
#include <limits>
#include <set>
#include <utility>

namespace resqunn::io {

using namespace detail;

namespace {

using h5::Dims;
using h5::ElementType;

// One array of the schema at the sizes of a layout.
struct ArraySpec {
  std::string path;
  ElementType type;
  std::vector<std::string> dim_names;
  Dims dims;
  std::int64_t fill_int64 = -1;
};

std::vector<ArraySpec> array_specs(const ResultsLayout& layout) {
  const auto P = static_cast<std::uint64_t>(layout.points);
  const auto E = static_cast<std::uint64_t>(layout.epochs);
  const auto S = static_cast<std::uint64_t>(layout.steps);
  const auto L = static_cast<std::uint64_t>(layout.trace_layers.size());
  const auto K = static_cast<std::uint64_t>(layout.class_names.size());
  const auto W = static_cast<std::uint64_t>(layout.max_weights);
  const auto f64 = ElementType::float64;
  const auto i64 = ElementType::int64;
  const auto str = ElementType::string;

  std::vector<ArraySpec> specs = {
      {kPointId, str, {"point"}, {P}},
      {kPointConfig, str, {"point"}, {P}},
      {kPointConfigSha, str, {"point"}, {P}},
      // A point nobody touched is pending, so state fills with 0, not -1.
      {kPointState, i64, {"point"}, {P}, static_cast<std::int64_t>(PointState::pending)},
      {kPointEpochsDone, i64, {"point"}, {P}},
      {kPointBestValAcc, f64, {"point"}, {P}},
      {kPointWall, f64, {"point"}, {P}},
      {kPointWeightCount, i64, {"point"}, {P}},
  };
  for (const auto& name : layout.param_names)
    specs.push_back({param_path(name), str, {"point"}, {P}});
  for (const auto& column : kEpochColumns)
    specs.push_back({column.path, f64, {"point", "epoch"}, {P, E}});
  specs.push_back({kValClassAcc, f64, {"point", "epoch", "class"}, {P, E, K}});
  specs.push_back({kConfusion, i64, {"point", "true_class", "predicted_class"}, {P, K, K}});
  for (const auto& column : kStepColumns) {
    specs.push_back({column.path, f64, {"point", "step", "layer"}, {P, S, L}});
  }
  specs.push_back({kStepLoss, f64, {"point", "step"}, {P, S}});
  if (layout.full_traces) specs.push_back({kGradFull, f64, {"point", "step", "weight"}, {P, S, W}});
  specs.push_back({kFinalWeights, f64, {"point", "weight"}, {P, W}});
  specs.push_back({kLayerOffsets, i64, {"point", "layer_edge"}, {P, L + 1}});
  const auto slots = kCheckpointSlots;
  for (const auto& vector : kCheckpointVectors)
    specs.push_back({vector.path, f64, {"point", "slot", "weight"}, {P, slots, W}});
  specs.push_back({kCheckpointCounters,
                   i64,
                   {"point", "slot", "counter"},
                   {P, slots, std::size(kCheckpointCounterNames)}});
  specs.push_back({kCheckpointValues,
                   f64,
                   {"point", "slot", "value"},
                   {P, slots, std::size(kCheckpointValueNames)}});
  specs.push_back({kCheckpointSizes,
                   i64,
                   {"point", "slot", "vector"},
                   {P, slots, std::size(kCheckpointVectors)}});
  // Last in the file as in the protocol: which slot holds the latest
  // complete checkpoint, -1 for none.
  specs.push_back({kCheckpointCurrent, i64, {"point"}, {P}});
  return specs;
}

// Chunks of about 256 KiB: small enough that reading one point's row does
// not drag in much else, large enough that a 10^5-point sweep has few
// chunks to allocate at creation.
constexpr std::size_t kChunkBytes = 256 * 1024;
// A variable-length string is stored as a 16-byte reference into the heap.
constexpr std::size_t kStringReferenceBytes = 16;

std::string format_dims(const Dims& dims) {
  std::string out = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) out += (i ? ", " : "") + std::to_string(dims[i]);
  return out + "]";
}

// ------------------------------------------------------------ the layout --

void require_unique_names(const std::vector<std::string>& names, const char* what) {
  std::set<std::string> seen;
  for (const auto& name : names) {
    if (!seen.insert(name).second) {
      throw UsageError("results layout: " + std::string(what) + " '" + name + "' appears twice");
    }
  }
}

void validate_param_names(const std::vector<std::string>& names) {
  for (const auto& name : names) {
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
      throw UsageError("results layout: parameter name '" + name +
                       "' cannot name an HDF5 dataset (it must be non-empty, not '.' or '..', "
                       "and contain no '/')");
    }
  }
  require_unique_names(names, "parameter name");
}

}  // namespace

void ResultsLayout::validate() const {
  const auto at_least = [](int value, int minimum, const char* name) {
    if (value < minimum) {
      throw UsageError("results layout: " + std::string(name) + " is " + std::to_string(value) +
                       ", must be at least " + std::to_string(minimum));
    }
  };
  at_least(points, 1, "points");
  at_least(epochs, 1, "epochs");
  at_least(steps, 0, "steps");
  at_least(max_weights, 0, "max_weights");
  require_unique_names(trace_layers, "trace layer");
  require_unique_names(class_names, "class name");
  validate_param_names(param_names);
}

std::uint64_t ResultsLayout::estimated_bytes(std::uint64_t text_bytes) const {
  // Per object: a header, its attributes and its chunk index (2-6 KiB);
  // per point: its config and parameters in the strings' heap.
  constexpr std::uint64_t kPerDataset = 8 * 1024;
  constexpr std::uint64_t kPerPoint = 4 * 1024;
  constexpr std::uint64_t kFixed = 64 * 1024;
  const auto specs = array_specs(*this);
  std::uint64_t bytes = kFixed + text_bytes + kPerPoint * static_cast<std::uint64_t>(points);
  for (const auto& spec : specs) {
    const std::size_t element_bytes =
        spec.type == ElementType::string ? kStringReferenceBytes : sizeof(double);
    const auto chunk = h5::chunk_shape(spec.dims, element_bytes, kChunkBytes);
    std::uint64_t elements = 1;
    for (std::size_t d = 0; d < spec.dims.size(); ++d) {
      const std::uint64_t c = chunk.empty() ? spec.dims[d] : chunk[d];
      elements *= c == 0 ? 0 : (spec.dims[d] + c - 1) / c * c;  // whole chunks
    }
    bytes += elements * element_bytes + kPerDataset;
  }
  return bytes;
}

bool ResultsLayout::operator==(const ResultsLayout& o) const {
  return points == o.points && epochs == o.epochs && steps == o.steps &&
         trace_layers == o.trace_layers && class_names == o.class_names &&
         max_weights == o.max_weights && full_traces == o.full_traces &&
         param_names == o.param_names;
}

namespace {

h5::Dataset create_labels(h5::Group& file, const char* path, const std::vector<std::string>& names,
                          const char* dimension) {
  auto labels = file.create_dataset(path, ElementType::string, {names.size()});
  labels.write(names);
  labels.set_attribute(kDimensionLabels, std::vector<std::string>{dimension});
  return labels;
}

}  // namespace

void ResultsFile::Impl::create_schema(const std::string& spec_toml, const Provenance& provenance) {
  file.set_attribute(kSchemaAttribute, std::string(results_schema));
  file.set_attribute(kSchemaVersionAttribute, results_schema_version);
  file.create_dataset(kSpec, ElementType::string, {}).write(std::vector<std::string>{spec_toml});
  write_provenance(provenance);
  for (const char* group : kGroups) file.create_group(group);
  create_labels(file, kParamNames, layout.param_names, "param");
  create_labels(file, kClassNames, layout.class_names, "class");
  create_labels(file, kLayerNames, layout.trace_layers, "layer");

  for (auto& spec : array_specs(layout)) {
    h5::Storage storage;
    const std::size_t element_bytes =
        spec.type == ElementType::string ? kStringReferenceBytes : sizeof(double);
    storage.chunk = h5::chunk_shape(spec.dims, element_bytes, kChunkBytes);
    storage.fill_int64 = spec.fill_int64;
    auto dataset = file.create_dataset(spec.path, spec.type, spec.dims, storage);
    dataset.set_attribute(kDimensionLabels, spec.dim_names);
    arrays.emplace(spec.path, std::move(dataset));
  }
  array(kPointState)
      .set_attribute("states", std::vector<std::string>{"pending", "running", "done", "failed"});
  const auto names = [](const auto& list) {
    return std::vector<std::string>(std::begin(list), std::end(list));
  };
  array(kCheckpointCounters).set_attribute(kColumns, names(kCheckpointCounterNames));
  array(kCheckpointValues).set_attribute(kColumns, names(kCheckpointValueNames));
  std::vector<std::string> vectors;
  for (const auto& vector : kCheckpointVectors) vectors.emplace_back(vector.name);
  array(kCheckpointSizes).set_attribute(kColumns, vectors);
}

namespace {

// The extents of dataset `path`, which must exist and have `rank` dimensions.
Dims extents_of(const h5::File& file, const char* path, std::size_t rank) {
  if (!file.contains(path)) {
    throw DataError(file.file_name() + ": damaged resqunn results file: /" + path + " is missing",
                    damaged_fix());
  }
  auto dims = file.open_dataset(path).dims();
  if (dims.size() != rank) {
    throw DataError(file.file_name() + ": damaged resqunn results file: /" + path + " has " +
                        std::to_string(dims.size()) + " dimensions, expected " +
                        std::to_string(rank),
                    damaged_fix());
  }
  return dims;
}

std::vector<std::string> labels_of(const h5::File& file, const char* path) {
  extents_of(file, path, 1);
  return file.open_dataset(path).read<std::string>();
}

int as_int(std::uint64_t extent, const h5::File& file, const char* path) {
  if (extent > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) {
    throw DataError(file.file_name() + ": /" + path + " is too large (" + std::to_string(extent) +
                    ")");
  }
  return static_cast<int>(extent);
}

void check_schema_attributes(const h5::File& file) {
  const std::string fix = "pass a results file written by `resqunn train` or `resqunn sweep`";
  if (!file.has_attribute(kSchemaAttribute)) {
    throw DataError(file.file_name() +
                        ": not a resqunn results file (an HDF5 file, but without the root "
                        "attribute 'schema' = \"" +
                        results_schema + "\")",
                    fix);
  }
  const auto schema = file.attribute<std::string>(kSchemaAttribute);
  if (schema != results_schema) {
    throw DataError(file.file_name() + ": not a resqunn results file (its schema is '" + schema +
                        "', expected '" + results_schema + "')",
                    fix);
  }
  const auto version = file.attribute<std::int64_t>(kSchemaVersionAttribute);
  if (version > results_schema_version) {
    throw DataError(file.file_name() + ": written with results schema version " +
                        std::to_string(version) + "; this resqunn reads up to version " +
                        std::to_string(results_schema_version),
                    "read it with the newer resqunn that wrote it");
  }
  if (version < 1) {
    throw DataError(
        file.file_name() + ": invalid results schema version " + std::to_string(version),
        damaged_fix());
  }
}

// The layout is not stored separately: it is read back from the extents
// of the arrays (and the label datasets), so it cannot disagree with them.
ResultsLayout read_layout(const h5::File& file) {
  ResultsLayout layout;
  layout.points = as_int(extents_of(file, kPointState, 1)[0], file, kPointState);
  layout.epochs =
      as_int(extents_of(file, kEpochColumns[0].path, 2)[1], file, kEpochColumns[0].path);
  layout.steps = as_int(extents_of(file, kStepLoss, 2)[1], file, kStepLoss);
  layout.max_weights = as_int(extents_of(file, kFinalWeights, 2)[1], file, kFinalWeights);
  layout.full_traces = file.contains(kGradFull);
  layout.param_names = labels_of(file, kParamNames);
  layout.class_names = labels_of(file, kClassNames);
  layout.trace_layers = labels_of(file, kLayerNames);
  return layout;
}

}  // namespace

void ResultsFile::Impl::open_schema() {
  check_schema_attributes(file);
  layout = read_layout(file);
  for (auto& spec : array_specs(layout)) {
    if (!file.contains(spec.path)) {
      throw DataError(name() + ": damaged resqunn results file: /" + spec.path + " is missing",
                      damaged_fix());
    }
    auto dataset = file.open_dataset(spec.path);
    if (dataset.element_type() != spec.type || dataset.dims() != spec.dims) {
      throw DataError(name() + ": damaged resqunn results file: /" + spec.path + " has extents " +
                          format_dims(dataset.dims()) + ", expected " + format_dims(spec.dims) +
                          " of " + (spec.type == ElementType::string ? "strings" : "numbers"),
                      damaged_fix());
    }
    arrays.emplace(spec.path, std::move(dataset));
  }
}

}  // namespace resqunn::io
