// Runs a sweep over MPI: the world is split into groups of G ranks; groups
// claim points (largest estimated cost first) from a shared counter; the
// ranks of a group train their point together, each on its share of every
// batch's micro-batches. Results go to one HDF5 file (docs/hdf5-schema.md).
//
// Semantics (docs/sweeps.md):
//  * Results are bitwise identical for any world size, group size and
//    thread count, and to `resqunn train` on the same point.
//  * Re-running on an existing file resumes: done points are skipped,
//    started ones continue from their last checkpoint. A file holding a
//    different sweep is refused unless overwrite is set.
//  * SIGTERM/SIGINT/SIGUSR1: every group finishes its current step,
//    checkpoints, and the run returns stopped (exit code 3, "resubmit").
//  * Invalid input is reported on every rank before any work; a rank that
//    fails mid-sweep names its point (the caller aborts the job).
#pragma once

#include "resqunn/io/provenance.hpp"
#include "resqunn/sweep/spec.hpp"

#include <mpi.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace resqunn::sweep {

struct RunOptions {
  std::filesystem::path output;
  bool overwrite = false;
  int group_size = 1;
  std::filesystem::path data_dir;
  /// Recorded in a new results file.
  io::Provenance provenance;
};

struct RunResult {
  int points = 0;
  int done_before = 0;   // already done in the file when the run started
  int done = 0;          // done when the run ended
  bool stopped = false;  // a signal stopped the run: resubmit to continue
  double wall_s = 0.0;   // of this run
  double io_s = 0.0;     // summed over ranks: writing results (excludes creation)
};

/// Collective over `world`.
RunResult run_sweep(const SweepSpec& spec, const RunOptions& options, MPI_Comm world);

/// The hyperparameter column naming each point's [[grids]] entry ("" for
/// points from [axes] and [[points]]); not a config key.
inline constexpr const char* kGridColumn = "sweep.grid";

/// Hyperparameter columns of a results file holding `spec`: kGridColumn
/// first if the spec has [[grids]], then every flattened config key of any
/// point, in first-appearance order.
std::vector<std::string> param_columns(const SweepSpec& spec);

/// About how many bytes the results file of `spec` takes when created
/// (io::ResultsLayout::estimated_bytes; `sweep run` checks the free space
/// against the same figure before creating it).
std::uint64_t estimated_results_bytes(const SweepSpec& spec);

}  // namespace resqunn::sweep
