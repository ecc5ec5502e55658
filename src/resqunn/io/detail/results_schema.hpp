// The names of the results-file schema (docs/hdf5-schema.md describes each):
// every path and attribute of a results file is named here and nowhere else
// in resqunn, with the tables that map the columns of /metrics, /traces,
// /checkpoint and /provenance to the fields of results.hpp's structs.
// Internal: included by the results*.cpp sources only.
#pragma once

#include "resqunn/io/provenance.hpp"
#include "resqunn/io/results.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace resqunn::io::detail {

/// A pointer to a `T` member of `Class`. The tables below declare their
/// member pointers through this alias rather than as `T Class::*name[]`,
/// which nvcc's host pass turned into code that g++ warns about
/// (-Wparentheses).
template <class Class, class T>
using MemberOf = T Class::*;

/// A named place in the file (a dataset path or an attribute name) and the
/// member of `Class` it stores.
template <class Class, class T>
struct Field {
  const char* path;
  MemberOf<Class, T> field;
};

inline constexpr const char* kSchemaAttribute = "schema";
inline constexpr const char* kSchemaVersionAttribute = "schema_version";
inline constexpr const char* kDimensionLabels = "DIMENSION_LABELS";  // h5py: dataset.dims[i].label
inline constexpr const char* kSpec = "spec";
inline constexpr const char* kProvenance = "provenance";
inline constexpr const char* kEndTime = "end_time_utc";
inline constexpr const char* kGroups[] = {"points", "points/params", "metrics",
                                          "traces", "weights",       "checkpoint"};

inline constexpr const char* kPointId = "points/id";
inline constexpr const char* kPointConfig = "points/config";
inline constexpr const char* kPointConfigSha = "points/config_sha256";
inline constexpr const char* kPointState = "points/state";
inline constexpr const char* kPointEpochsDone = "points/epochs_done";
inline constexpr const char* kPointBestValAcc = "points/best_val_acc";
inline constexpr const char* kPointWall = "points/wall_s";
inline constexpr const char* kPointWeightCount = "points/weight_count";
inline constexpr const char* kParamNames = "points/param_names";
inline constexpr const char* kParamsGroup = "points/params";
inline constexpr const char* kClassNames = "metrics/class_names";
inline constexpr const char* kValClassAcc = "metrics/val_class_acc";
inline constexpr const char* kConfusion = "metrics/confusion";
inline constexpr const char* kLayerNames = "traces/layer_names";
inline constexpr const char* kStepLoss = "traces/loss";
inline constexpr const char* kGradFull = "traces/grad_full";
inline constexpr const char* kFinalWeights = "weights/final";
inline constexpr const char* kLayerOffsets = "weights/layer_offsets";
inline constexpr const char* kCheckpointParams = "checkpoint/params";
inline constexpr const char* kCheckpointMoment1 = "checkpoint/moment1";
inline constexpr const char* kCheckpointMoment2 = "checkpoint/moment2";
inline constexpr const char* kCheckpointCounters = "checkpoint/counters";
inline constexpr const char* kCheckpointValues = "checkpoint/values";
inline constexpr const char* kCheckpointSizes = "checkpoint/sizes";
inline constexpr const char* kCheckpointCurrent = "checkpoint/current";
// Attribute naming the entries of the last dimension of counters, values
// and sizes.
inline constexpr const char* kColumns = "columns";
// Two slots per point: one holds the checkpoint a resume would use while
// the other is being written.
inline constexpr std::uint64_t kCheckpointSlots = 2;

inline constexpr const char* kCheckpointCounterNames[] = {"epochs_done", "steps_done",
                                                          "optimizer_steps", "epoch_correct"};
inline constexpr MemberOf<Checkpoint, std::int64_t> kCheckpointCounterFields[] = {
    &Checkpoint::epochs_done, &Checkpoint::steps_done, &Checkpoint::optimizer_steps,
    &Checkpoint::epoch_correct};
inline constexpr const char* kCheckpointValueNames[] = {"epoch_loss_sum", "best_val_acc", "wall_s"};
inline constexpr MemberOf<Checkpoint, double> kCheckpointValueFields[] = {
    &Checkpoint::epoch_loss_sum, &Checkpoint::best_val_acc, &Checkpoint::wall_s};
// The vectors of a checkpoint: /checkpoint/<name> holds their values,
// /checkpoint/sizes how many of them (entry i for vector i).
struct CheckpointVector {
  const char* path;
  const char* name;
  MemberOf<Checkpoint, std::vector<double>> field;
};
inline constexpr CheckpointVector kCheckpointVectors[] = {
    {kCheckpointParams, "params", &Checkpoint::params},
    {kCheckpointMoment1, "moment1", &Checkpoint::moment1},
    {kCheckpointMoment2, "moment2", &Checkpoint::moment2},
};

inline constexpr Field<EpochMetrics, double> kEpochColumns[] = {
    {"metrics/train_loss", &EpochMetrics::train_loss},
    {"metrics/train_acc", &EpochMetrics::train_acc},
    {"metrics/val_loss", &EpochMetrics::val_loss},
    {"metrics/val_acc", &EpochMetrics::val_acc},
    {"metrics/wall_s", &EpochMetrics::wall_s},
    {"metrics/images_per_s", &EpochMetrics::images_per_s},
};

inline constexpr Field<StepTrace, std::vector<double>> kStepColumns[] = {
    {"traces/grad_norm", &StepTrace::norm},
    {"traces/grad_mean_abs", &StepTrace::mean_abs},
    {"traces/grad_max_abs", &StepTrace::max_abs},
};

// Attributes of /provenance (`path` is the attribute's name).
inline constexpr Field<Provenance, std::string> kProvenanceTexts[] = {
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
inline constexpr const char* kGitDirty = "git_dirty";
inline constexpr const char* kMpiSize = "mpi_size";
inline constexpr const char* kDataManifests = "data_manifests";

/// The dataset of parameter column `name` ("points/params/<name>").
inline std::string param_path(const std::string& name) {
  return std::string(kParamsGroup) + "/" + name;
}

/// The fix of every "damaged resqunn results file" DataError.
inline std::string damaged_fix() {
  return "the file was not written completely or by an incompatible program; rerun the job "
         "that writes it";
}

}  // namespace resqunn::io::detail
