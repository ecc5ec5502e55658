#include "resqunn/core/error.hpp"
#include "resqunn/core/sha256.hpp"
#include "resqunn/data/detail/file_io.hpp"
#include "resqunn/data/detail/sources.hpp"
#include "resqunn/data/idx.hpp"

namespace resqunn::data::detail {

namespace {

struct Original {
  const char* file;
  const char* sha256;
  std::string staged;
};

// Digests of the files published by Zalando Research (identical in Debian's
// dataset-fashion-mnist 0.0~git20200523).
const Original kOriginals[] = {
    {"train-images-idx3-ubyte.gz",
     "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7", images_file("train")},
    {"train-labels-idx1-ubyte.gz",
     "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056", labels_file("train")},
    {"t10k-images-idx3-ubyte.gz",
     "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa", images_file("test")},
    {"t10k-labels-idx1-ubyte.gz",
     "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05", labels_file("test")},
};

constexpr const char* kDebianDir = "/usr/share/datasets/fashion-mnist";

}  // namespace

std::vector<StagedFile> stage_fashion_mnist(const std::string& source) {
  const std::filesystem::path dir = source.empty() ? kDebianDir : source;
  const std::string fix =
      source.empty() ? "install Debian's package: `apt-get install dataset-fashion-mnist` "
                       "(scripts/setup.sh does), or pass --source DIR with the four original .gz "
                       "files"
                     : "pass --source a directory holding the four original Fashion-MNIST files "
                       "(train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
                       "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz)";
  std::vector<StagedFile> staged;
  for (const auto& o : kOriginals) {
    const auto path = dir / o.file;
    auto bytes = read_bytes(path, fix);
    if (sha256_hex(bytes.data(), bytes.size()) != o.sha256) {
      throw DataError(path.string() + " is not the published Fashion-MNIST file (SHA-256 differs)",
                      fix);
    }
    // Decode once: a file that matches the digest is valid, but staying
    // honest costs a second and protects against a wrong pinned digest.
    const auto raw = gunzip(bytes, path.string(), fix);
    parse_idx(raw.data(), raw.size(), path.string(), fix);
    staged.push_back({o.staged, std::move(bytes)});
  }
  return staged;
}

}  // namespace resqunn::data::detail
