#include "resqunn/cli/output_path.hpp"

#include "resqunn/core/error.hpp"

#include <system_error>

namespace resqunn::cli {

namespace fs = std::filesystem;

namespace {

bool has_hdf5_extension(const fs::path& p) {
  const auto ext = p.extension().string();
  return !p.stem().empty() && (ext == ".h5" || ext == ".hdf5");
}

// Same file: by identity where both exist, else by normalised absolute path.
bool same_file(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  if (fs::exists(a, ec) && fs::exists(b, ec)) return fs::equivalent(a, b, ec);
  return fs::weakly_canonical(a, ec) == fs::weakly_canonical(b, ec);
}

}  // namespace

CLI::Validator non_empty_path() {
  return CLI::Validator(
      [](const std::string& value) -> std::string {
        if (!value.empty()) return {};
        return "an empty path; name the results file, e.g. -o results.h5 (or leave -o out for "
               "the default)";
      },
      "FILE.h5");
}

fs::path results_path(const std::string& given, const std::string& fallback,
                      const std::string& fallback_source, const std::vector<fs::path>& inputs) {
  const bool from_option = !given.empty();
  fs::path path = from_option ? given : fallback;
  const std::string what =
      from_option ? "-o " + path.string() : fallback_source + " '" + path.string() + "'";
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    const fs::path name =
        has_hdf5_extension(fallback) ? fs::path(fallback).filename() : fs::path("results.h5");
    throw UsageError(what + ": that is a directory, not a results file",
                     "name a file in it, e.g. -o " + (path / name).string());
  }
  for (const auto& input : inputs) {
    if (!same_file(path, input)) continue;
    throw UsageError(what + ": that is the file this command reads (" + input.string() + ")",
                     "write the results elsewhere, e.g. -o " +
                         fs::path(input).replace_extension(".h5").string());
  }
  if (!has_hdf5_extension(path)) {
    const fs::path suggestion = fs::path(path).replace_extension(".h5");
    throw UsageError(
        what + ": not an HDF5 file name (results files end in .h5 or .hdf5)",
        "e.g. -o " + (path.stem().empty() ? fs::path("results.h5") : suggestion).string());
  }
  return path;
}

}  // namespace resqunn::cli
