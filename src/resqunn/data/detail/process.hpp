// Running a helper program (npm) without a shell. Internal.
#pragma once

#include <string>
#include <vector>

namespace resqunn::data::detail {

/// Runs argv[0] (looked up on PATH) with the given arguments and waits. Its
/// stdout goes to our stderr so that our stdout stays machine-readable.
/// Returns the exit status; throws Error with `fix` if it cannot be started
/// or dies from a signal.
int run_program(const std::vector<std::string>& argv, const std::string& fix);

}  // namespace resqunn::data::detail
