// Named points where a test can have this process killed (SIGKILL), to
// prove that a kill at that moment loses nothing: set RESQUNN_KILL_AT to a
// point's name. Test-only; unset, a fault point costs one cached lookup.
// The points of a results file's creation are listed in docs/sweeps.md.
#pragma once

namespace resqunn {

/// Raises SIGKILL if RESQUNN_KILL_AT equals `name`.
void fault_point(const char* name);

}  // namespace resqunn
