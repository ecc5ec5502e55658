// What was built: version, git revision, compiler. Runtime facts about
// Kokkos, MPI and HDF5 live with the components that own those libraries.
#pragma once

#include <string>

namespace resqunn {

/// Semantic version of this build, e.g. "0.1.0".
const char* version() noexcept;
/// Full git SHA of the source tree at build time, or "unknown".
const char* git_sha() noexcept;
/// True when the source tree had uncommitted changes to tracked files.
bool git_dirty() noexcept;
/// e.g. "GNU 12.2.0".
const char* compiler() noexcept;
/// CMAKE_BUILD_TYPE of this build.
const char* build_type() noexcept;

namespace detail {
// Defined in the source generated at build time by cmake/ResqunnGitInfo.cmake.
const char* git_sha() noexcept;
bool git_dirty() noexcept;
}  // namespace detail

}  // namespace resqunn
