#include "resqunn/data/detail/manifest.hpp"

#include "resqunn/core/error.hpp"
#include "resqunn/core/sha256.hpp"
#include "resqunn/data/detail/file_io.hpp"

#include <sstream>

namespace resqunn::data::detail {

namespace fs = std::filesystem;

namespace {
bool is_hex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}
}  // namespace

std::vector<ManifestEntry> read_manifest(const fs::path& dir, const std::string& fix) {
  const fs::path path = dir / kManifestName;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    throw DataError(path.string() +
                        " does not exist: the dataset is not fetched (or its fetch "
                        "did not finish)",
                    fix);
  }
  const auto bytes = read_bytes(path, fix);
  std::istringstream in(std::string(bytes.begin(), bytes.end()));
  std::vector<ManifestEntry> entries;
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty()) continue;
    const auto sep = line.find("  ");
    ManifestEntry e;
    if (sep != std::string::npos) {
      e.sha256 = line.substr(0, sep);
      e.file = line.substr(sep + 2);
    }
    if (!is_hex64(e.sha256) || e.file.empty() || e.file.find('/') != std::string::npos) {
      throw DataError(path.string() + ":" + std::to_string(lineno) +
                          ": malformed line (expected '<64 hex digits>  <file name>')",
                      fix);
    }
    entries.push_back(e);
  }
  if (entries.empty()) throw DataError(path.string() + " lists no files", fix);
  return entries;
}

void verify_manifest(const fs::path& dir, const std::vector<ManifestEntry>& entries,
                     const std::string& fix) {
  for (const auto& e : entries) {
    const auto bytes = read_bytes(dir / e.file, fix);
    if (sha256_hex(bytes.data(), bytes.size()) != e.sha256) {
      throw DataError((dir / e.file).string() +
                          " is corrupt: its SHA-256 differs from the one in " +
                          (dir / kManifestName).string(),
                      fix);
    }
  }
}

void write_manifest(const fs::path& dir, const std::vector<ManifestEntry>& entries) {
  std::string text;
  for (const auto& e : entries) text += e.sha256 + "  " + e.file + "\n";
  write_file_atomic(dir / kManifestName, std::vector<std::uint8_t>(text.begin(), text.end()));
}

}  // namespace resqunn::data::detail
