#include "resqunn/io/provenance.hpp"

#include "resqunn/core/build_info.hpp"
#include "resqunn/core/process_info.hpp"
#include "resqunn/io/hdf5_info.hpp"

namespace resqunn::io {

Provenance collect_provenance() {
  Provenance p;
  p.resqunn_version = version();
  p.git_sha = git_sha();
  p.git_dirty = git_dirty();
  p.compiler = compiler();
  p.build_type = build_type();
  p.hdf5_version = hdf5_info().version;
  p.host = host_name();
  p.slurm_job_id = env_or_empty("SLURM_JOB_ID");
  p.slurm_array_job_id = env_or_empty("SLURM_ARRAY_JOB_ID");
  p.slurm_array_task_id = env_or_empty("SLURM_ARRAY_TASK_ID");
  p.start_time_utc = utc_timestamp();
  return p;
}

}  // namespace resqunn::io
