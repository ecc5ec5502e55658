// The results file: one HDF5 file per `resqunn train` run (one point) or
// sweep (many points), holding per point its config, per-epoch metrics,
// per-step gradient traces, final weights and a state. This is the only
// code that names HDF5 paths; docs/hdf5-schema.md is the schema.
//
// Write protocol (why: HDF5 1.10 has no journaling, so a process killed
// while HDF5 metadata is being changed can corrupt the file, one killed
// while raw data is being written cannot):
//   1. create() makes every group and dataset of every point, at full size,
//      filled with NaN / -1, then flushes.
//   2. write_point_info() for the points (their strings go to HDF5's heap,
//      which is metadata: do this right after create, before training).
//   3. Everything else only overwrites raw data in place.
//   4. write_summary() writes a point's state last and flushes, so a state
//      of `done` on disk means its results are on disk too.
//   5. write_checkpoint() fills the point's checkpoint slot that is not in
//      use, then flips /checkpoint/current to it: a kill in the middle
//      leaves the previous checkpoint whole.
// create() depends on its arguments only (no clocks or host names beyond
// what Provenance says): identical arguments give byte-identical files.
// Parallel sweeps write step 3 through MPI-IO (open_parallel) after the
// file was created and described by one rank (parallel HDF5 1.10 cannot
// write strings); docs/hdf5-schema.md, "Parallel writers".
//
// Indices are 0-based. An index out of range, or a vector of the wrong size,
// is a UsageError; a file that is not a valid results file is a DataError.
#pragma once

#include "resqunn/io/provenance.hpp"

#include <mpi.h>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace resqunn::io {

/// Root attribute `schema` of every results file.
inline constexpr const char* results_schema = "resqunn-results";
/// Root attribute `schema_version`; readers refuse newer versions.
inline constexpr std::int64_t results_schema_version = 1;

/// Where a point stands. Stored as its integer value in /points/state.
enum class PointState : std::int64_t { pending = 0, running = 1, done = 2, failed = 3 };

/// "pending", "running", "done", "failed" (or "unknown").
const char* to_string(PointState state) noexcept;

/// The fixed sizes of a results file, chosen when it is created.
struct ResultsLayout {
  int points = 1;  ///< P; one `resqunn train` run is 1
  int epochs = 1;  ///< E, the most epochs of any point
  int steps = 0;   ///< S, the most traced optimiser steps of any point (0: no traces)
  std::vector<std::string> trace_layers;  ///< L layers traced per step, e.g. {"QCL1", "head"}
  std::vector<std::string> class_names;   ///< K classes
  int max_weights = 0;                    ///< W, the most trainable parameters of any point
  bool full_traces = false;               ///< store every gradient component per step
  /// Hyperparameter columns, e.g. "model.residual", "train.optimizer.lr":
  /// non-empty, unique, no '/'.
  std::vector<std::string> param_names;

  /// Throws UsageError naming the first bad field.
  void validate() const;
  /// About how many bytes a file of this layout takes on disk: every
  /// dataset's chunks (all allocated at creation), plus an allowance for
  /// the metadata, the points' configs and `text_bytes` of other strings
  /// (the spec). ResultsFile::create checks the free space against it.
  std::uint64_t estimated_bytes(std::uint64_t text_bytes) const;
  bool operator==(const ResultsLayout& other) const;
  bool operator!=(const ResultsLayout& other) const { return !(*this == other); }
};

/// What identifies a point; written once, right after create().
struct PointInfo {
  std::string id;                   ///< the point's id (hash of its canonical config)
  std::string config_toml;          ///< the point's full config
  std::string config_sha256;        ///< hex SHA-256 of config_toml
  std::vector<std::string> params;  ///< one value per ResultsLayout::param_names entry
  int weight_count = -1;            ///< trainable parameters, <= max_weights; -1: unknown
  /// Layer l's weights are [offsets[l], offsets[l+1]) of the weight vector:
  /// trace_layers + 1 entries from 0 to weight_count, or empty if unknown.
  std::vector<std::int64_t> layer_weight_offsets;
};

/// One epoch of one point. NaN means not measured.
struct EpochMetrics {
  static constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  double train_loss = nan;
  double train_acc = nan;
  double val_loss = nan;
  double val_acc = nan;
  double wall_s = nan;                ///< seconds of this epoch
  double images_per_s = nan;          ///< training throughput of this epoch
  std::vector<double> val_class_acc;  ///< K values, or empty if not measured
};

/// Gradient statistics of one optimiser step.
struct StepTrace {
  std::vector<double> norm;      ///< L2 norm of each trace layer's gradient (L values)
  std::vector<double> mean_abs;  ///< mean |g| per trace layer (L values)
  std::vector<double> max_abs;   ///< max |g| per trace layer (L values)
  /// The whole gradient (the point's weight_count values); only with
  /// ResultsLayout::full_traces, else empty.
  std::vector<double> full;
  double loss = std::numeric_limits<double>::quiet_NaN();  ///< batch loss of the step
};

/// A point's state and headline numbers (/points columns).
struct PointSummary {
  PointState state = PointState::pending;
  int epochs_done = -1;  ///< -1: never written
  double best_val_acc = std::numeric_limits<double>::quiet_NaN();
  double wall_s = std::numeric_limits<double>::quiet_NaN();  ///< seconds of training so far
};

/// Everything a trainer needs to continue a point bit-for-bit where it
/// stopped (/checkpoint). Vectors hold the point's weight_count values (at
/// most ResultsLayout::max_weights), or nothing where the optimiser keeps no
/// such state (moment2 for SGD).
struct Checkpoint {
  std::int64_t epochs_done = 0;      ///< completed epochs
  std::int64_t steps_done = 0;       ///< batches done within the current epoch
  std::int64_t optimizer_steps = 0;  ///< optimiser updates so far (Adam's t)
  std::int64_t epoch_correct = 0;    ///< correct training predictions so far this epoch
  double epoch_loss_sum = 0;         ///< summed training loss so far this epoch
  double best_val_acc = std::numeric_limits<double>::quiet_NaN();
  double wall_s = 0;            ///< seconds of training so far
  std::vector<double> params;   ///< the weights
  std::vector<double> moment1;  ///< optimiser's first moment (momentum), or empty
  std::vector<double> moment2;  ///< optimiser's second moment (Adam), or empty

  /// Bit for bit, as a resume must reproduce it (NaN equals the same NaN).
  bool operator==(const Checkpoint& other) const;
  bool operator!=(const Checkpoint& other) const { return !(*this == other); }
};

enum class OpenMode { read_only, read_write };

/// An open results file. Move-only; closes on destruction (call close() to
/// see errors). Readers that open a file while a writer runs see what the
/// writer last flushed, and should trust only points whose state is done.
class ResultsFile {
public:
  /// Creates the file with every dataset of `layout`, the spec and the
  /// provenance, under its staging name (staging_path(path)): `path` appears
  /// only at publish(), complete, by an atomic rename, so that a run killed
  /// while creating it leaves no file that later runs cannot open (and, with
  /// `overwrite`, the old file stays until then). A staging file left by a
  /// killed run is replaced: callers hold the file's WriterLock. Refuses an
  /// existing `path` (UsageError naming --overwrite, the file untouched)
  /// unless `overwrite`. close() publishes, as does the destructor, except
  /// while an exception unwinds: then, as on a failure of create itself,
  /// the staging file is removed.
  static ResultsFile create(const std::filesystem::path& path, const ResultsLayout& layout,
                            const std::string& spec_toml, const Provenance& provenance,
                            bool overwrite);
  /// Where create() builds `path` before publish(): "<path>.creating".
  static std::filesystem::path staging_path(const std::filesystem::path& path);
  /// Opens a results file and reads its layout from it. Throws DataError if
  /// it is missing, not HDF5, truncated, not a resqunn results file, of a
  /// newer schema version, or missing a dataset.
  static ResultsFile open(const std::filesystem::path& path, OpenMode mode);
  /// Opens a results file read-write on every rank of `comm` with MPI-IO,
  /// for sweeps (docs/hdf5-schema.md, "Parallel writers"). Collective: all
  /// ranks of `comm` call it with the same path; it starts with a barrier,
  /// so a rank that has just created and described the file serially and
  /// closed it may call it right away. Opens every dataset up front, on all
  /// ranks, so that afterwards each rank reads and writes raw data on its
  /// own:
  ///   - write_epoch, write_steps, write_confusion, write_weights,
  ///     write_summary, write_checkpoint and the read_* readers are
  ///     independent (any rank, alone, for its own points; two ranks must
  ///     never write the same point); spec_toml() and provenance() open
  ///     objects on demand, which HDF5 wants all ranks to do together;
  ///   - write_point_info(s) and set_end_time are refused (UsageError):
  ///     metadata writes need the serial open;
  ///   - flush() does nothing (see there); close() and the destructor are
  ///     collective.
  /// Errors are agreed: when opening fails on any rank, every rank throws
  /// (parallel::Agreed, the lowest failing rank's error), and no rank keeps
  /// the file open. UsageError when HDF5 is not parallel.
  static ResultsFile open_parallel(const std::filesystem::path& path, MPI_Comm comm);

  ResultsFile(ResultsFile&&) noexcept;
  ResultsFile& operator=(ResultsFile&&) noexcept;
  ~ResultsFile();

  const std::filesystem::path& path() const noexcept;
  const ResultsLayout& layout() const noexcept;
  bool writable() const noexcept;
  /// Opened with open_parallel.
  bool parallel() const noexcept;

  // ---- writers (UsageError on a file opened read-only) ----

  /// Writes a point's id, config, parameters and weight layout, then flushes.
  /// Serial opens only.
  void write_point_info(int point, const PointInfo& info);
  /// The same for points first_point, first_point + 1, ... in one go (a
  /// sweep writes all its points this way).
  void write_point_infos(int first_point, const std::vector<PointInfo>& infos);
  void write_epoch(int point, int epoch, const EpochMetrics& metrics);
  /// Writes steps first_step .. first_step + traces.size() - 1.
  void write_steps(int point, int first_step, const std::vector<StepTrace>& traces);
  /// Validation confusion matrix, K x K row-major: [true class][predicted].
  void write_confusion(int point, const std::vector<std::int64_t>& counts);
  /// Final weights (at most max_weights values; the rest stay NaN).
  void write_weights(int point, const std::vector<double>& weights);
  /// Writes epochs_done, best_val_acc and wall_s, flushes, then writes the
  /// state and flushes again: the state never reaches the disk before the
  /// data it vouches for. In parallel mode there is no flush: each write
  /// has reached the operating system when it returns, in order.
  void write_summary(int point, const PointSummary& summary);
  /// Writes the checkpoint into the point's slot that /checkpoint/current
  /// does not name, flushes (serial mode), then points /checkpoint/current
  /// at it and flushes again: a kill at any moment leaves either the old or
  /// the new checkpoint complete and current. UsageError if a vector holds
  /// more than max_weights values.
  void write_checkpoint(int point, const Checkpoint& checkpoint);
  /// Records the end of the run (ISO 8601 UTC) in /provenance. Serial opens
  /// only.
  void set_end_time(const std::string& utc);
  /// Serial mode: hands everything HDF5 buffers to the operating system.
  /// Parallel mode: does nothing. Nothing is buffered there (raw writes
  /// through MPI-IO bypass HDF5's chunk cache and reach the operating
  /// system before they return; metadata does not change), and H5Fflush
  /// would be collective, which ranks writing their own points
  /// independently cannot call. close() flushes, collectively.
  void flush();
  /// A created file: flushes (every group, dataset and description written
  /// so far reaches the operating system), then renames it from its staging
  /// name to path(); it stays open. Call it once the file holds what a
  /// reader needs (a sweep's point descriptions). No-op on opened files.
  void publish();
  /// Flushes and closes (a created file is published first); throws on
  /// failure. Idempotent. Collective in parallel mode (so is the destructor
  /// of an open file).
  void close();

  // ---- readers ----

  std::string spec_toml() const;
  Provenance provenance() const;
  PointInfo read_point_info(int point) const;
  /// All point ids ("" where not written), in point order.
  std::vector<std::string> read_point_ids() const;
  /// All points' hyperparameters, one column per entry of
  /// layout().param_names: `[column][point]`, "" where not written (one
  /// read per column).
  std::vector<std::vector<std::string>> read_params() const;
  PointSummary read_summary(int point) const;
  /// All points' summaries, in point order (one read per column).
  std::vector<PointSummary> read_summaries() const;
  EpochMetrics read_epoch(int point, int epoch) const;
  /// Steps first_step .. first_step + count - 1. `full` holds the point's
  /// weight_count values (max_weights if unknown) with full traces, else
  /// nothing.
  std::vector<StepTrace> read_steps(int point, int first_step, int count) const;
  std::vector<std::int64_t> read_confusion(int point) const;
  /// The point's weight_count final weights (max_weights if unknown).
  std::vector<double> read_weights(int point) const;
  /// The point's latest complete checkpoint; nullopt if it has none.
  std::optional<Checkpoint> read_checkpoint(int point) const;

private:
  struct Impl;
  explicit ResultsFile(std::unique_ptr<Impl> impl);
  // A created file never published: closed and its staging file removed.
  static void discard_unpublished(std::unique_ptr<Impl>& impl) noexcept;
  static void finish_unpublished(std::unique_ptr<Impl>& impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace resqunn::io
