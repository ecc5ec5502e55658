#include "resqunn/io/provenance.hpp"

#include "resqunn/core/build_info.hpp"
#include "resqunn/io/hdf5_info.hpp"

#include <cstdlib>
#include <ctime>
#include <unistd.h>

namespace resqunn::io {

namespace {

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "";
  return name;
}

}  // namespace

std::string utc_timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32] = {};
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

Provenance collect_provenance() {
  Provenance p;
  p.resqunn_version = version();
  p.git_sha = git_sha();
  p.git_dirty = git_dirty();
  p.compiler = compiler();
  p.build_type = build_type();
  p.hdf5_version = hdf5_info().version;
  p.host = host_name();
  p.slurm_job_id = environment("SLURM_JOB_ID");
  p.slurm_array_job_id = environment("SLURM_ARRAY_JOB_ID");
  p.slurm_array_task_id = environment("SLURM_ARRAY_TASK_ID");
  p.start_time_utc = utc_timestamp();
  return p;
}

}  // namespace resqunn::io
