// Provenance of a run as the CLI knows it: io's facts plus the Kokkos and
// MPI ones that io cannot know.
#pragma once

#include "resqunn/cli/command.hpp"
#include "resqunn/io/provenance.hpp"

namespace resqunn::cli {

io::Provenance run_provenance(const Context& ctx);

}  // namespace resqunn::cli
