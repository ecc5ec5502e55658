#include "resqunn/core/files.hpp"

#include "resqunn/core/error.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>

namespace resqunn {

std::string read_text_file(const std::filesystem::path& file, const FileLabel& label) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    throw UsageError(label.name + " does not exist" + label.missing_note, label.missing_fix);
  }
  if (std::filesystem::is_directory(file, ec)) {
    throw UsageError(label.name + " is a directory", "name a .toml file");
  }
  errno = 0;
  std::ifstream in(file, std::ios::binary);
  const int open_errno = errno;
  std::string text;
  if (in) text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  // Checked after reading: an empty file is text too (it is not a failure).
  if (!in.is_open() || in.bad()) {
    const int err = in.is_open() ? errno : open_errno;
    throw UsageError(
        "cannot read " + label.name + (err != 0 ? ": " + std::string(std::strerror(err)) : ""),
        err == EACCES ? "check its permissions (and its directory's)"
                      : "check that it is a readable file");
  }
  return text;
}

}  // namespace resqunn
