// SHA256SUMS manifests of dataset directories. Internal.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace resqunn::data::detail {

struct ManifestEntry {
  std::string sha256;
  std::string file;  // name relative to the dataset directory
};

inline constexpr const char* kManifestName = "SHA256SUMS";

/// Parses `dir/SHA256SUMS`. Throws DataError (with `fix`) when it is missing
/// or malformed.
std::vector<ManifestEntry> read_manifest(const std::filesystem::path& dir, const std::string& fix);

/// Checks every file listed against its digest; throws DataError naming the
/// first file that is missing or differs.
void verify_manifest(const std::filesystem::path& dir, const std::vector<ManifestEntry>& entries,
                     const std::string& fix);

/// Writes the manifest atomically.
void write_manifest(const std::filesystem::path& dir, const std::vector<ManifestEntry>& entries);

}  // namespace resqunn::data::detail
