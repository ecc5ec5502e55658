// Where a results file came from: what was built, what it ran on, when.
// Recorded once, when the file is created (docs/hdf5-schema.md,
// /provenance).
#pragma once

#include <string>

namespace resqunn::io {

struct Provenance {
  std::string resqunn_version;
  std::string git_sha;
  bool git_dirty = false;  ///< uncommitted changes to tracked files at build time
  std::string compiler;
  std::string build_type;
  std::string kokkos_version;   ///< filled by the caller (io does not depend on Kokkos)
  std::string kokkos_backends;  ///< e.g. "OpenMP,Serial"; filled by the caller
  std::string mpi_version;      ///< MPI library; filled by the caller
  int mpi_size = 1;             ///< ranks of the run; filled by the caller
  std::string hdf5_version;
  std::string host;                 ///< host name of the process that created the file
  std::string slurm_job_id;         ///< SLURM_JOB_ID, or empty outside SLURM
  std::string slurm_array_job_id;   ///< SLURM_ARRAY_JOB_ID, or empty
  std::string slurm_array_task_id;  ///< SLURM_ARRAY_TASK_ID, or empty
  std::string start_time_utc;       ///< ISO 8601, e.g. "2024-05-01T12:00:00Z"
  std::string end_time_utc;         ///< empty until the run ends cleanly
  /// The data the points train on: "<dataset>=<SHA-256 of its SHA256SUMS>"
  /// per dataset, ';'-separated, in name order; filled by the caller.
  /// Empty in files written before it was recorded.
  std::string data_manifests;
};

/// Everything io can know by itself: build facts (core), the HDF5 version,
/// host name, SLURM ids from the environment, and the current time as the
/// start time. The Kokkos and MPI fields are left for the caller.
Provenance collect_provenance();

}  // namespace resqunn::io
