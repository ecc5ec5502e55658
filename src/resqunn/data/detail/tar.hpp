// Minimal reader for POSIX ustar archives (what `npm pack` produces), enough
// to pull regular files out of a package tarball. Internal.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace resqunn::data::detail {

struct TarEntry {
  std::string name;  // full path, with the ustar prefix joined
  std::vector<std::uint8_t> content;
};

/// Regular files of an uncompressed tar image, in archive order. Throws
/// DataError (naming `source`) on a bad header checksum or truncation.
std::vector<TarEntry> list_tar(const std::vector<std::uint8_t>& tar, const std::string& source);

}  // namespace resqunn::data::detail
