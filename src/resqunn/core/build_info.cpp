#include "resqunn/core/build_info.hpp"

#include "resqunn/config.hpp"

namespace resqunn {

const char* version() noexcept { return RESQUNN_VERSION_STRING; }
const char* git_sha() noexcept { return detail::git_sha(); }
bool git_dirty() noexcept { return detail::git_dirty(); }
const char* compiler() noexcept { return RESQUNN_COMPILER; }
const char* build_type() noexcept { return RESQUNN_BUILD_TYPE; }

}  // namespace resqunn
