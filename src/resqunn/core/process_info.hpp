// Facts about this process and its machine that provenance records and lock
// files name: the host, the time, the SLURM job.
#pragma once

#include <string>

namespace resqunn {

/// gethostname(), or "" when it fails.
std::string host_name();

/// The current time in UTC, ISO 8601 to the second: "2024-05-01T12:00:00Z".
std::string utc_timestamp();

/// The value of environment variable `name`, or "" when it is unset.
std::string env_or_empty(const char* name);

}  // namespace resqunn
