#include "resqunn/io/results.hpp"

#include <algorithm>
#include <cstring>
#include <exception>
#include <iterator>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include "resqunn/core/error.hpp"
#include "resqunn/io/hdf5.hpp"
#include "resqunn/parallel/agreement.hpp"

namespace resqunn::io {

namespace {

using h5::Dims;
using h5::ElementType;

// ------------------------------------------------------------ the schema --
// Every path of the schema is named here and nowhere else in resqunn
// (docs/hdf5-schema.md describes each).

constexpr const char* kSchemaAttribute = "schema";
constexpr const char* kSchemaVersionAttribute = "schema_version";
constexpr const char* kDimensionLabels = "DIMENSION_LABELS";  // h5py: dataset.dims[i].label
constexpr const char* kSpec = "spec";
constexpr const char* kProvenance = "provenance";
constexpr const char* kEndTime = "end_time_utc";
constexpr const char* kGroups[] = {"points", "points/params", "metrics",
                                   "traces", "weights",       "checkpoint"};

constexpr const char* kPointId = "points/id";
constexpr const char* kPointConfig = "points/config";
constexpr const char* kPointConfigSha = "points/config_sha256";
constexpr const char* kPointState = "points/state";
constexpr const char* kPointEpochsDone = "points/epochs_done";
constexpr const char* kPointBestValAcc = "points/best_val_acc";
constexpr const char* kPointWall = "points/wall_s";
constexpr const char* kPointWeightCount = "points/weight_count";
constexpr const char* kParamNames = "points/param_names";
constexpr const char* kParamsGroup = "points/params";
constexpr const char* kClassNames = "metrics/class_names";
constexpr const char* kValClassAcc = "metrics/val_class_acc";
constexpr const char* kConfusion = "metrics/confusion";
constexpr const char* kLayerNames = "traces/layer_names";
constexpr const char* kStepLoss = "traces/loss";
constexpr const char* kGradFull = "traces/grad_full";
constexpr const char* kFinalWeights = "weights/final";
constexpr const char* kLayerOffsets = "weights/layer_offsets";
constexpr const char* kCheckpointParams = "checkpoint/params";
constexpr const char* kCheckpointMoment1 = "checkpoint/moment1";
constexpr const char* kCheckpointMoment2 = "checkpoint/moment2";
constexpr const char* kCheckpointCounters = "checkpoint/counters";
constexpr const char* kCheckpointValues = "checkpoint/values";
constexpr const char* kCheckpointSizes = "checkpoint/sizes";
constexpr const char* kCheckpointCurrent = "checkpoint/current";
// Attribute naming the entries of the last dimension of counters, values
// and sizes.
constexpr const char* kColumns = "columns";
// Two slots per point: one holds the checkpoint a resume would use while
// the other is being written.
constexpr std::uint64_t kCheckpointSlots = 2;

constexpr const char* kCheckpointCounterNames[] = {"epochs_done", "steps_done", "optimizer_steps",
                                                   "epoch_correct"};
constexpr std::int64_t Checkpoint::*kCheckpointCounterFields[] = {
    &Checkpoint::epochs_done, &Checkpoint::steps_done, &Checkpoint::optimizer_steps,
    &Checkpoint::epoch_correct};
constexpr const char* kCheckpointValueNames[] = {"epoch_loss_sum", "best_val_acc", "wall_s"};
constexpr double Checkpoint::*kCheckpointValueFields[] = {
    &Checkpoint::epoch_loss_sum, &Checkpoint::best_val_acc, &Checkpoint::wall_s};
// The vectors of a checkpoint: /checkpoint/<name> holds their values,
// /checkpoint/sizes how many of them (entry i for vector i).
struct CheckpointVector {
  const char* path;
  const char* name;
  std::vector<double> Checkpoint::*field;
};
constexpr CheckpointVector kCheckpointVectors[] = {
    {kCheckpointParams, "params", &Checkpoint::params},
    {kCheckpointMoment1, "moment1", &Checkpoint::moment1},
    {kCheckpointMoment2, "moment2", &Checkpoint::moment2},
};

struct EpochColumn {
  const char* path;
  double EpochMetrics::*field;
};
constexpr EpochColumn kEpochColumns[] = {
    {"metrics/train_loss", &EpochMetrics::train_loss},
    {"metrics/train_acc", &EpochMetrics::train_acc},
    {"metrics/val_loss", &EpochMetrics::val_loss},
    {"metrics/val_acc", &EpochMetrics::val_acc},
    {"metrics/wall_s", &EpochMetrics::wall_s},
    {"metrics/images_per_s", &EpochMetrics::images_per_s},
};

struct StepColumn {
  const char* path;
  std::vector<double> StepTrace::*field;
};
constexpr StepColumn kStepColumns[] = {
    {"traces/grad_norm", &StepTrace::norm},
    {"traces/grad_mean_abs", &StepTrace::mean_abs},
    {"traces/grad_max_abs", &StepTrace::max_abs},
};

struct ProvenanceText {
  const char* name;
  std::string Provenance::*field;
};
constexpr ProvenanceText kProvenanceTexts[] = {
    {"resqunn_version", &Provenance::resqunn_version},
    {"git_sha", &Provenance::git_sha},
    {"compiler", &Provenance::compiler},
    {"build_type", &Provenance::build_type},
    {"kokkos_version", &Provenance::kokkos_version},
    {"kokkos_backends", &Provenance::kokkos_backends},
    {"mpi_version", &Provenance::mpi_version},
    {"hdf5_version", &Provenance::hdf5_version},
    {"host", &Provenance::host},
    {"slurm_job_id", &Provenance::slurm_job_id},
    {"slurm_array_job_id", &Provenance::slurm_array_job_id},
    {"slurm_array_task_id", &Provenance::slurm_array_task_id},
    {"start_time_utc", &Provenance::start_time_utc},
    {kEndTime, &Provenance::end_time_utc},
};
constexpr const char* kGitDirty = "git_dirty";
constexpr const char* kMpiSize = "mpi_size";

// One array of the schema at the sizes of a layout.
struct ArraySpec {
  std::string path;
  ElementType type;
  std::vector<std::string> dim_names;
  Dims dims;
  std::int64_t fill_int64 = -1;
};

std::string param_path(const std::string& name) { return std::string(kParamsGroup) + "/" + name; }

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

std::string damaged_fix() {
  return "the file was not written completely or by an incompatible program; rerun the job "
         "that writes it";
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

const char* to_string(PointState state) noexcept {
  switch (state) {
    case PointState::pending:
      return "pending";
    case PointState::running:
      return "running";
    case PointState::done:
      return "done";
    case PointState::failed:
      return "failed";
  }
  return "unknown";
}

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

bool ResultsLayout::operator==(const ResultsLayout& o) const {
  return points == o.points && epochs == o.epochs && steps == o.steps &&
         trace_layers == o.trace_layers && class_names == o.class_names &&
         max_weights == o.max_weights && full_traces == o.full_traces &&
         param_names == o.param_names;
}

// ------------------------------------------------------------------ Impl --

struct ResultsFile::Impl {
  std::filesystem::path path;
  h5::File file;
  ResultsLayout layout;
  std::map<std::string, h5::Dataset> arrays;  // every ArraySpec, by path
  bool parallel = false;                      // opened with open_parallel

  Impl(std::filesystem::path p, h5::File f, ResultsLayout l)
      : path(std::move(p)), file(std::move(f)), layout(std::move(l)) {}

  h5::Dataset& array(const std::string& name) { return arrays.at(name); }
  const h5::Dataset& array(const std::string& name) const { return arrays.at(name); }

  std::string name() const { return path.string(); }

  void require_writable(const char* operation) const {
    if (!file.writable()) {
      throw UsageError(name() + ": cannot " + operation +
                       ": the results file was opened read-only");
    }
  }

  // Strings and attributes are HDF5 metadata: parallel HDF5 1.10 cannot
  // write strings through MPI-IO, and metadata changes would have to be
  // collective, which ranks writing their own points are not.
  void require_serial(const char* operation) const {
    require_writable(operation);
    if (parallel) {
      throw UsageError(name() + ": cannot " + operation +
                           ": metadata writes need the serial open (this file was opened "
                           "with open_parallel)",
                       "write point descriptions and the end time from one rank with "
                       "ResultsFile::open or create, before or after the parallel phase");
    }
  }

  // Serial mode: hands what HDF5 buffers (the chunk caches) to the OS, so
  // that what was written before reaches the file before what comes after.
  // Parallel mode: nothing is buffered (see ResultsFile::flush).
  void flush_serial() {
    if (!parallel) file.flush();
  }

  void check_index(const char* what, int index, int size, const char* size_name) const {
    if (index < 0 || index >= size) {
      throw UsageError(name() + ": " + what + " " + std::to_string(index) +
                       " is out of range: the file has " + std::to_string(size) + " " + size_name +
                       (size > 0 ? " (0.." + std::to_string(size - 1) + ")" : ""));
    }
  }
  void check_point(int point) const { check_index("point", point, layout.points, "points"); }
  void check_epoch(int epoch) const {
    check_index("epoch", epoch, layout.epochs, "epochs per point");
  }
  void check_steps(int first, std::size_t count) const {
    if (first < 0 || count > static_cast<std::size_t>(layout.steps) ||
        static_cast<std::size_t>(first) > static_cast<std::size_t>(layout.steps) - count) {
      throw UsageError(
          name() + ": steps " + std::to_string(first) + ".." +
          std::to_string(static_cast<long long>(first) + static_cast<long long>(count) - 1) +
          " are out of range: the file has " + std::to_string(layout.steps) + " steps per point");
    }
  }
  void check_size(const char* what, std::size_t size, std::size_t expected) const {
    if (size != expected) {
      throw UsageError(name() + ": " + what + " has " + std::to_string(size) +
                       " values, expected " + std::to_string(expected));
    }
  }

  void validate(const PointInfo& info, int point) const {
    const std::string where = name() + ": point " + std::to_string(point) + ": ";
    if (info.params.size() != layout.param_names.size()) {
      throw UsageError(where + std::to_string(info.params.size()) + " parameter values for " +
                       std::to_string(layout.param_names.size()) + " parameter columns");
    }
    if (info.weight_count < -1 || info.weight_count > layout.max_weights) {
      throw UsageError(where + "weight_count " + std::to_string(info.weight_count) +
                       " is out of range: the file holds at most " +
                       std::to_string(layout.max_weights) + " weights per point");
    }
    const auto& offsets = info.layer_weight_offsets;
    if (offsets.empty()) return;
    const bool valid = offsets.size() == layout.trace_layers.size() + 1 && offsets.front() == 0 &&
                       offsets.back() == info.weight_count &&
                       std::is_sorted(offsets.begin(), offsets.end());
    if (!valid) {
      throw UsageError(where + "layer_weight_offsets must be " +
                       std::to_string(layout.trace_layers.size() + 1) +
                       " non-decreasing values from 0 to weight_count (" +
                       std::to_string(info.weight_count) + ")");
    }
  }

  // The point's weight count when known, else the padded width.
  std::size_t weights_of(int point) const {
    const auto count =
        array(kPointWeightCount).read_block<std::int64_t>({std::uint64_t(point)}, {1}).front();
    return count >= 0 ? static_cast<std::size_t>(count)
                      : static_cast<std::size_t>(layout.max_weights);
  }

  // The slot of the point's latest complete checkpoint, -1 if none.
  std::int64_t current_checkpoint_slot(int point) const {
    const auto slot = array(kCheckpointCurrent)
                          .read_block<std::int64_t>({static_cast<std::uint64_t>(point)}, {1})
                          .front();
    if (slot < -1 || slot >= static_cast<std::int64_t>(kCheckpointSlots)) {
      throw DataError(name() + ": damaged resqunn results file: /" + kCheckpointCurrent + "[" +
                          std::to_string(point) + "] is " + std::to_string(slot) +
                          " (-1, 0 or 1 expected)",
                      damaged_fix());
    }
    return slot;
  }

  void create_schema(const std::string& spec_toml, const Provenance& provenance);
  void write_provenance(const Provenance& provenance);
  void open_schema();
};

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

void ResultsFile::Impl::write_provenance(const Provenance& provenance) {
  auto group = file.create_group(kProvenance);
  for (const auto& text : kProvenanceTexts) group.set_attribute(text.name, provenance.*text.field);
  group.set_attribute(kGitDirty, std::int64_t{provenance.git_dirty ? 1 : 0});
  group.set_attribute(kMpiSize, std::int64_t{provenance.mpi_size});
}

namespace {

// The extents of dataset `path`, which must exist and have `rank` dimensions.
Dims extents_of(const h5::File& file, const char* path, std::size_t rank) {
  if (!file.contains(path)) {
    throw DataError(file.file_name() + ": damaged resqunn results file: /" + path + " is missing",
                    damaged_fix());
  }
  const auto dims = file.open_dataset(path).dims();
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

// ------------------------------------------------------------ Checkpoint --

namespace {

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

}  // namespace

// Bit for bit: what a resume must reproduce (NaN equals the same NaN).
bool Checkpoint::operator==(const Checkpoint& o) const {
  return epochs_done == o.epochs_done && steps_done == o.steps_done &&
         optimizer_steps == o.optimizer_steps && epoch_correct == o.epoch_correct &&
         same_bits(epoch_loss_sum, o.epoch_loss_sum) && same_bits(best_val_acc, o.best_val_acc) &&
         same_bits(wall_s, o.wall_s) && same_bits(params, o.params) &&
         same_bits(moment1, o.moment1) && same_bits(moment2, o.moment2);
}

// ----------------------------------------------------------- ResultsFile --

ResultsFile::ResultsFile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ResultsFile::ResultsFile(ResultsFile&&) noexcept = default;
ResultsFile& ResultsFile::operator=(ResultsFile&&) noexcept = default;
ResultsFile::~ResultsFile() = default;

ResultsFile ResultsFile::create(const std::filesystem::path& path, const ResultsLayout& layout,
                                const std::string& spec_toml, const Provenance& provenance,
                                bool overwrite) {
  layout.validate();
  std::error_code ignored;
  if (!overwrite && std::filesystem::exists(path, ignored)) {
    throw UsageError(path.string() + " already exists",
                     "pass --overwrite to replace it, or choose another output file");
  }
  auto impl = std::make_unique<Impl>(path, h5::File::create(path, overwrite), layout);
  try {
    impl->create_schema(spec_toml, provenance);
    impl->file.flush();
  } catch (...) {
    // Leave no half-made file behind: it would only be refused later.
    impl.reset();
    std::filesystem::remove(path, ignored);
    throw;
  }
  return ResultsFile(std::move(impl));
}

ResultsFile ResultsFile::open(const std::filesystem::path& path, OpenMode mode) {
  auto file = h5::File::open(
      path, mode == OpenMode::read_write ? h5::Access::read_write : h5::Access::read_only);
  auto impl = std::make_unique<Impl>(path, std::move(file), ResultsLayout{});
  impl->open_schema();
  return ResultsFile(std::move(impl));
}

ResultsFile ResultsFile::open_parallel(const std::filesystem::path& path, MPI_Comm comm) {
  // Every step ends in an agreement, so that no rank waits in a collective
  // call (H5Fopen, H5Fclose) that a failed rank never makes.
  MPI_Barrier(comm);  // a rank that just closed the file serially is done with it
  std::exception_ptr failure;
  try {
    if (!h5::parallel_available()) {
      throw UsageError(
          path.string() + ": cannot open with MPI-IO: this resqunn was built with a serial HDF5",
          "rebuild resqunn against a parallel HDF5 (libhdf5-openmpi-dev; "
          "scripts/setup.sh installs it)");
    }
    h5::File::require_existing(path);
  } catch (...) {
    failure = std::current_exception();
  }
  parallel::agree_or_rethrow(comm, failure);

  std::unique_ptr<Impl> impl;  // outlives a failure, to be closed by every rank together
  try {
    impl = std::make_unique<Impl>(path, h5::File::open_parallel(path, h5::Access::read_write, comm),
                                  ResultsLayout{});
    impl->parallel = true;
    impl->open_schema();  // every dataset, on every rank, in the same order
  } catch (...) {
    failure = std::current_exception();
  }
  try {
    parallel::agree_or_rethrow(comm, failure);
  } catch (...) {
    impl.reset();
    throw;
  }
  return ResultsFile(std::move(impl));
}

const std::filesystem::path& ResultsFile::path() const noexcept { return impl_->path; }
const ResultsLayout& ResultsFile::layout() const noexcept { return impl_->layout; }
bool ResultsFile::writable() const noexcept { return impl_->file.writable(); }
bool ResultsFile::parallel() const noexcept { return impl_->parallel; }

// --------------------------------------------------------------- writers --

void ResultsFile::write_point_info(int point, const PointInfo& info) {
  write_point_infos(point, {info});
}

void ResultsFile::write_point_infos(int first_point, const std::vector<PointInfo>& infos) {
  auto& d = *impl_;
  d.require_serial("write point info");
  if (infos.empty()) return;
  d.check_point(first_point);
  d.check_point(first_point + static_cast<int>(infos.size()) - 1);
  const std::size_t n = infos.size();
  const std::size_t edges = d.layout.trace_layers.size() + 1;
  std::vector<std::string> ids, configs, shas;
  std::vector<std::vector<std::string>> params(d.layout.param_names.size());
  std::vector<std::int64_t> weight_counts, offsets;
  for (std::size_t i = 0; i < n; ++i) {
    const auto& info = infos[i];
    d.validate(info, first_point + static_cast<int>(i));
    ids.push_back(info.id);
    configs.push_back(info.config_toml);
    shas.push_back(info.config_sha256);
    for (std::size_t j = 0; j < params.size(); ++j) params[j].push_back(info.params[j]);
    weight_counts.push_back(info.weight_count);
    if (info.layer_weight_offsets.empty()) {
      offsets.insert(offsets.end(), edges, -1);
    } else {
      offsets.insert(offsets.end(), info.layer_weight_offsets.begin(),
                     info.layer_weight_offsets.end());
    }
  }
  const Dims first{static_cast<std::uint64_t>(first_point)};
  const Dims count{n};
  d.array(kPointId).write_block(first, count, ids);
  d.array(kPointConfig).write_block(first, count, configs);
  d.array(kPointConfigSha).write_block(first, count, shas);
  for (std::size_t j = 0; j < params.size(); ++j) {
    d.array(param_path(d.layout.param_names[j])).write_block(first, count, params[j]);
  }
  d.array(kPointWeightCount).write_block(first, count, weight_counts);
  d.array(kLayerOffsets).write_block({first[0], 0}, {n, edges}, offsets);
  d.file.flush();
}

void ResultsFile::write_epoch(int point, int epoch, const EpochMetrics& metrics) {
  auto& d = *impl_;
  d.require_writable("write epoch metrics");
  d.check_point(point);
  d.check_epoch(epoch);
  const auto K = d.layout.class_names.size();
  if (!metrics.val_class_acc.empty())
    d.check_size("val_class_acc", metrics.val_class_acc.size(), K);
  const Dims at{static_cast<std::uint64_t>(point), static_cast<std::uint64_t>(epoch)};
  for (const auto& column : kEpochColumns) {
    d.array(column.path).write_block(at, {1, 1}, std::vector<double>{metrics.*column.field});
  }
  if (!metrics.val_class_acc.empty()) {
    d.array(kValClassAcc).write_block({at[0], at[1], 0}, {1, 1, K}, metrics.val_class_acc);
  }
}

void ResultsFile::write_steps(int point, int first_step, const std::vector<StepTrace>& traces) {
  auto& d = *impl_;
  d.require_writable("write step traces");
  d.check_point(point);
  d.check_steps(first_step, traces.size());
  if (traces.empty()) return;
  const std::size_t n = traces.size();
  const std::size_t L = d.layout.trace_layers.size();
  const std::size_t full_width = traces.front().full.size();
  if (!d.layout.full_traces && full_width != 0) {
    throw UsageError(d.name() +
                     ": full gradient traces given, but the file was created without "
                     "full traces");
  }
  if (full_width > static_cast<std::size_t>(d.layout.max_weights)) {
    throw UsageError(d.name() + ": full gradient trace of " + std::to_string(full_width) +
                     " values, but the file holds at most " + std::to_string(d.layout.max_weights) +
                     " weights per point");
  }
  std::vector<std::vector<double>> columns(std::size(kStepColumns));
  std::vector<double> losses, full;
  for (const auto& trace : traces) {
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const auto& values = trace.*kStepColumns[c].field;
      d.check_size(kStepColumns[c].path, values.size(), L);
      columns[c].insert(columns[c].end(), values.begin(), values.end());
    }
    d.check_size("full gradient trace", trace.full.size(), full_width);
    full.insert(full.end(), trace.full.begin(), trace.full.end());
    losses.push_back(trace.loss);
  }
  const auto p = static_cast<std::uint64_t>(point);
  const auto s = static_cast<std::uint64_t>(first_step);
  for (std::size_t c = 0; c < columns.size(); ++c) {
    d.array(kStepColumns[c].path).write_block({p, s, 0}, {1, n, L}, columns[c]);
  }
  d.array(kStepLoss).write_block({p, s}, {1, n}, losses);
  if (full_width > 0) d.array(kGradFull).write_block({p, s, 0}, {1, n, full_width}, full);
}

void ResultsFile::write_confusion(int point, const std::vector<std::int64_t>& counts) {
  auto& d = *impl_;
  d.require_writable("write the confusion matrix");
  d.check_point(point);
  const auto K = d.layout.class_names.size();
  d.check_size("confusion matrix", counts.size(), K * K);
  d.array(kConfusion).write_block({static_cast<std::uint64_t>(point), 0, 0}, {1, K, K}, counts);
}

void ResultsFile::write_weights(int point, const std::vector<double>& weights) {
  auto& d = *impl_;
  d.require_writable("write weights");
  d.check_point(point);
  if (weights.size() > static_cast<std::size_t>(d.layout.max_weights)) {
    throw UsageError(d.name() + ": " + std::to_string(weights.size()) +
                     " weights, but the file holds at most " +
                     std::to_string(d.layout.max_weights) + " per point");
  }
  d.array(kFinalWeights)
      .write_block({static_cast<std::uint64_t>(point), 0}, {1, weights.size()}, weights);
}

void ResultsFile::write_summary(int point, const PointSummary& summary) {
  auto& d = *impl_;
  d.require_writable("write a point summary");
  d.check_point(point);
  if (summary.epochs_done < -1 || summary.epochs_done > d.layout.epochs) {
    throw UsageError(d.name() + ": epochs_done " + std::to_string(summary.epochs_done) +
                     " is out of range: the file has " + std::to_string(d.layout.epochs) +
                     " epochs per point");
  }
  const Dims at{static_cast<std::uint64_t>(point)};
  d.array(kPointEpochsDone).write_block(at, {1}, std::vector<std::int64_t>{summary.epochs_done});
  d.array(kPointBestValAcc).write_block(at, {1}, std::vector<double>{summary.best_val_acc});
  d.array(kPointWall).write_block(at, {1}, std::vector<double>{summary.wall_s});
  // Everything before the state reaches the disk before the state does.
  // (Parallel: each write above was a pwrite() that returned already.)
  d.flush_serial();
  d.array(kPointState)
      .write_block(at, {1}, std::vector<std::int64_t>{static_cast<std::int64_t>(summary.state)});
  d.flush_serial();
}

void ResultsFile::write_checkpoint(int point, const Checkpoint& checkpoint) {
  auto& d = *impl_;
  d.require_writable("write a checkpoint");
  d.check_point(point);
  const auto W = static_cast<std::size_t>(d.layout.max_weights);
  for (const auto& vector : kCheckpointVectors) {
    const auto size = (checkpoint.*vector.field).size();
    if (size > W) {
      throw UsageError(d.name() + ": checkpoint " + vector.name + " has " + std::to_string(size) +
                       " values, but the file holds at most " + std::to_string(W) +
                       " weights per point");
    }
  }
  const auto p = static_cast<std::uint64_t>(point);
  // The slot not in use: a kill before `current` changes leaves the
  // checkpoint it names untouched.
  const auto current = d.current_checkpoint_slot(point);
  const std::uint64_t slot = current == 0 ? 1 : 0;
  std::vector<std::int64_t> sizes;
  for (const auto& vector : kCheckpointVectors) {
    const auto& values = checkpoint.*vector.field;
    sizes.push_back(static_cast<std::int64_t>(values.size()));
    d.array(vector.path).write_block({p, slot, 0}, {1, 1, values.size()}, values);
  }
  std::vector<std::int64_t> counters;
  for (const auto field : kCheckpointCounterFields) counters.push_back(checkpoint.*field);
  std::vector<double> values;
  for (const auto field : kCheckpointValueFields) values.push_back(checkpoint.*field);
  d.array(kCheckpointCounters).write_block({p, slot, 0}, {1, 1, counters.size()}, counters);
  d.array(kCheckpointValues).write_block({p, slot, 0}, {1, 1, values.size()}, values);
  d.array(kCheckpointSizes).write_block({p, slot, 0}, {1, 1, sizes.size()}, sizes);
  // The slot is complete on disk before `current` names it.
  d.flush_serial();
  d.array(kCheckpointCurrent)
      .write_block({p}, {1}, std::vector<std::int64_t>{static_cast<std::int64_t>(slot)});
  d.flush_serial();
}

void ResultsFile::set_end_time(const std::string& utc) {
  auto& d = *impl_;
  d.require_serial("set the end time");
  // The attribute exists since create() and keeps its size, so this
  // rewrites it in place: the one metadata write after creation.
  d.file.open_group(kProvenance).set_attribute(kEndTime, utc);
  d.file.flush();
}

void ResultsFile::flush() {
  if (impl_->file.writable()) impl_->flush_serial();
}

void ResultsFile::close() {
  if (!impl_) return;
  impl_->arrays.clear();  // the file closes only once no dataset holds it
  impl_->file.close();
}

// --------------------------------------------------------------- readers --

std::string ResultsFile::spec_toml() const {
  return impl_->file.open_dataset(kSpec).read<std::string>().front();
}

Provenance ResultsFile::provenance() const {
  const auto group = impl_->file.open_group(kProvenance);
  Provenance provenance;
  for (const auto& text : kProvenanceTexts) {
    provenance.*text.field = group.attribute<std::string>(text.name);
  }
  provenance.git_dirty = group.attribute<std::int64_t>(kGitDirty) != 0;
  provenance.mpi_size = static_cast<int>(group.attribute<std::int64_t>(kMpiSize));
  return provenance;
}

PointInfo ResultsFile::read_point_info(int point) const {
  const auto& d = *impl_;
  d.check_point(point);
  const Dims at{static_cast<std::uint64_t>(point)};
  const auto text = [&](const std::string& path) {
    return d.array(path).read_block<std::string>(at, {1}).front();
  };
  PointInfo info;
  info.id = text(kPointId);
  info.config_toml = text(kPointConfig);
  info.config_sha256 = text(kPointConfigSha);
  for (const auto& name : d.layout.param_names) info.params.push_back(text(param_path(name)));
  info.weight_count =
      static_cast<int>(d.array(kPointWeightCount).read_block<std::int64_t>(at, {1}).front());
  const auto edges = d.layout.trace_layers.size() + 1;
  auto offsets = d.array(kLayerOffsets).read_block<std::int64_t>({at[0], 0}, {1, edges});
  if (offsets.front() >= 0) info.layer_weight_offsets = std::move(offsets);  // -1: never written
  return info;
}

std::vector<std::string> ResultsFile::read_point_ids() const {
  return impl_->array(kPointId).read<std::string>();
}

std::vector<std::vector<std::string>> ResultsFile::read_params() const {
  const auto& d = *impl_;
  std::vector<std::vector<std::string>> columns;
  columns.reserve(d.layout.param_names.size());
  for (const auto& name : d.layout.param_names) {
    columns.push_back(d.array(param_path(name)).read<std::string>());
  }
  return columns;
}

PointSummary ResultsFile::read_summary(int point) const {
  const auto& d = *impl_;
  d.check_point(point);
  const Dims at{static_cast<std::uint64_t>(point)};
  PointSummary summary;
  summary.state =
      static_cast<PointState>(d.array(kPointState).read_block<std::int64_t>(at, {1}).front());
  summary.epochs_done =
      static_cast<int>(d.array(kPointEpochsDone).read_block<std::int64_t>(at, {1}).front());
  summary.best_val_acc = d.array(kPointBestValAcc).read_block<double>(at, {1}).front();
  summary.wall_s = d.array(kPointWall).read_block<double>(at, {1}).front();
  return summary;
}

std::vector<PointSummary> ResultsFile::read_summaries() const {
  const auto& d = *impl_;
  const auto states = d.array(kPointState).read<std::int64_t>();
  const auto epochs_done = d.array(kPointEpochsDone).read<std::int64_t>();
  const auto best = d.array(kPointBestValAcc).read<double>();
  const auto wall = d.array(kPointWall).read<double>();
  std::vector<PointSummary> summaries(states.size());
  for (std::size_t i = 0; i < summaries.size(); ++i) {
    summaries[i] = {static_cast<PointState>(states[i]), static_cast<int>(epochs_done[i]), best[i],
                    wall[i]};
  }
  return summaries;
}

EpochMetrics ResultsFile::read_epoch(int point, int epoch) const {
  const auto& d = *impl_;
  d.check_point(point);
  d.check_epoch(epoch);
  const Dims at{static_cast<std::uint64_t>(point), static_cast<std::uint64_t>(epoch)};
  EpochMetrics metrics;
  for (const auto& column : kEpochColumns) {
    metrics.*column.field = d.array(column.path).read_block<double>(at, {1, 1}).front();
  }
  const auto K = d.layout.class_names.size();
  metrics.val_class_acc = d.array(kValClassAcc).read_block<double>({at[0], at[1], 0}, {1, 1, K});
  return metrics;
}

std::vector<StepTrace> ResultsFile::read_steps(int point, int first_step, int count) const {
  const auto& d = *impl_;
  d.check_point(point);
  if (count < 0) throw UsageError(d.name() + ": negative step count " + std::to_string(count));
  d.check_steps(first_step, static_cast<std::size_t>(count));
  const auto n = static_cast<std::size_t>(count);
  const std::size_t L = d.layout.trace_layers.size();
  const auto p = static_cast<std::uint64_t>(point);
  const auto s = static_cast<std::uint64_t>(first_step);
  std::vector<StepTrace> traces(n);
  for (const auto& column : kStepColumns) {
    const auto values = d.array(column.path).read_block<double>({p, s, 0}, {1, n, L});
    for (std::size_t i = 0; i < n; ++i) {
      (traces[i].*column.field).assign(values.begin() + i * L, values.begin() + (i + 1) * L);
    }
  }
  const auto losses = d.array(kStepLoss).read_block<double>({p, s}, {1, n});
  for (std::size_t i = 0; i < n; ++i) traces[i].loss = losses[i];
  if (d.layout.full_traces) {
    const std::size_t w = d.weights_of(point);
    const auto values = d.array(kGradFull).read_block<double>({p, s, 0}, {1, n, w});
    for (std::size_t i = 0; i < n; ++i) {
      traces[i].full.assign(values.begin() + i * w, values.begin() + (i + 1) * w);
    }
  }
  return traces;
}

std::vector<std::int64_t> ResultsFile::read_confusion(int point) const {
  const auto& d = *impl_;
  d.check_point(point);
  const auto K = d.layout.class_names.size();
  return d.array(kConfusion)
      .read_block<std::int64_t>({static_cast<std::uint64_t>(point), 0, 0}, {1, K, K});
}

std::vector<double> ResultsFile::read_weights(int point) const {
  const auto& d = *impl_;
  d.check_point(point);
  return d.array(kFinalWeights)
      .read_block<double>({static_cast<std::uint64_t>(point), 0}, {1, d.weights_of(point)});
}

std::optional<Checkpoint> ResultsFile::read_checkpoint(int point) const {
  const auto& d = *impl_;
  d.check_point(point);
  const auto current = d.current_checkpoint_slot(point);
  if (current < 0) return std::nullopt;
  const auto p = static_cast<std::uint64_t>(point);
  const auto slot = static_cast<std::uint64_t>(current);
  const auto damaged = [&](const std::string& what) {
    return DataError(d.name() + ": damaged resqunn results file: point " + std::to_string(point) +
                         ": checkpoint slot " + std::to_string(slot) + " " + what,
                     damaged_fix());
  };
  Checkpoint checkpoint;
  const auto counters =
      d.array(kCheckpointCounters)
          .read_block<std::int64_t>({p, slot, 0}, {1, 1, std::size(kCheckpointCounterFields)});
  for (std::size_t i = 0; i < counters.size(); ++i)
    checkpoint.*kCheckpointCounterFields[i] = counters[i];
  const auto values =
      d.array(kCheckpointValues)
          .read_block<double>({p, slot, 0}, {1, 1, std::size(kCheckpointValueFields)});
  for (std::size_t i = 0; i < values.size(); ++i) checkpoint.*kCheckpointValueFields[i] = values[i];
  const auto sizes =
      d.array(kCheckpointSizes)
          .read_block<std::int64_t>({p, slot, 0}, {1, 1, std::size(kCheckpointVectors)});
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    const auto& vector = kCheckpointVectors[i];
    if (sizes[i] < 0 || sizes[i] > d.layout.max_weights) {
      throw damaged("says " + std::string(vector.name) + " holds " + std::to_string(sizes[i]) +
                    " values (0.." + std::to_string(d.layout.max_weights) + " possible)");
    }
    const auto n = static_cast<std::uint64_t>(sizes[i]);
    checkpoint.*vector.field = d.array(vector.path).read_block<double>({p, slot, 0}, {1, 1, n});
  }
  return checkpoint;
}

}  // namespace resqunn::io
