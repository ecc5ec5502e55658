// Whole-file I/O for the data component: gzip detection and (de)compression
// with zlib, and crash-safe writes. Internal: not part of the installed API.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace resqunn::data::detail {

/// Raw bytes of a file. Throws DataError naming the file if it cannot be read.
std::vector<std::uint8_t> read_bytes(const std::filesystem::path& path,
                                     const std::string& fix = {});

/// True if `bytes` starts with the gzip magic (1f 8b).
bool is_gzip(const std::vector<std::uint8_t>& bytes) noexcept;

/// Decompresses a gzip stream. `source` and `fix` go into error messages
/// (truncated or corrupt streams are DataErrors, never garbage).
std::vector<std::uint8_t> gunzip(const std::vector<std::uint8_t>& bytes, const std::string& source,
                                 const std::string& fix = {});

/// gzip-compresses `bytes` (deterministic: no name, no timestamp).
std::vector<std::uint8_t> gzip(const std::vector<std::uint8_t>& bytes);

/// read_bytes, then gunzip if the content is gzip.
std::vector<std::uint8_t> read_file(const std::filesystem::path& path, const std::string& fix = {});

/// Writes `bytes` to `path` via a temporary file in the same directory,
/// fsync and rename, so readers see either the old or the new file.
void write_file_atomic(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes);

}  // namespace resqunn::data::detail
