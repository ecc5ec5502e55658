// IDX encoding checked against bytes written out by hand, and every way a
// file can be malformed.
#include "resqunn/core/error.hpp"
#include "resqunn/data/detail/file_io.hpp"
#include "resqunn/data/idx.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

namespace resqunn::data {
namespace {

using ::testing::HasSubstr;
using Bytes = std::vector<std::uint8_t>;

std::string error_of(const Bytes& b) {
  try {
    parse_idx(b.data(), b.size(), "sample.idx", "the fix");
  } catch (const DataError& e) {
    return e.what();
  }
  return "no error";
}

class TempDir : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("resqunn-idx-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST(Idx, ParsesHandWrittenUnsignedBytes) {
  const Bytes b = {0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 255};
  const auto a = parse_idx(b.data(), b.size(), "x");
  EXPECT_EQ(a.type, IdxType::u8);
  EXPECT_EQ(a.dims, (std::vector<std::uint32_t>{2, 3}));
  EXPECT_EQ(a.element_count(), 6u);
  EXPECT_EQ(a.data, (Bytes{1, 2, 3, 4, 5, 255}));
}

TEST(Idx, ConvertsBigEndianElementsToHostOrder) {
  // Two int32 values, 0x01020304 and -2, big-endian.
  const Bytes b = {0, 0, 0x0C, 1, 0, 0, 0, 2, 0x01, 0x02, 0x03, 0x04, 0xFF, 0xFF, 0xFF, 0xFE};
  const auto a = parse_idx(b.data(), b.size(), "x");
  std::int32_t v[2];
  std::memcpy(v, a.data.data(), sizeof v);
  EXPECT_EQ(v[0], 0x01020304);
  EXPECT_EQ(v[1], -2);
}

TEST(Idx, DoublesRoundTripThroughEncoding) {
  const double values[3] = {1.5, -0.0, 3.25e-300};
  IdxArray a{IdxType::f64, {3}, Bytes(sizeof values)};
  std::memcpy(a.data.data(), values, sizeof values);
  const auto bytes = encode_idx(a);
  ASSERT_EQ(bytes.size(), 4u + 4u + 24u);
  EXPECT_EQ(bytes[2], 0x0E);
  EXPECT_EQ(bytes[8], 0x3F);  // 1.5 = 0x3FF8000000000000, most significant byte first
  EXPECT_EQ(bytes[9], 0xF8);
  const auto back = parse_idx(bytes.data(), bytes.size(), "x");
  EXPECT_EQ(back.data, a.data);
}

TEST(Idx, RankZeroHoldsOneElement) {
  const Bytes b = {0, 0, 0x08, 0, 42};
  const auto a = parse_idx(b.data(), b.size(), "x");
  EXPECT_TRUE(a.dims.empty());
  EXPECT_EQ(a.data, Bytes{42});
}

TEST(Idx, RejectsShortMagic) {
  EXPECT_THAT(error_of({0, 0}), HasSubstr("truncated"));
  EXPECT_THAT(error_of({}), HasSubstr("sample.idx"));
}

TEST(Idx, RejectsWrongMagicWithTheBytesAndTheFix) {
  const auto msg = error_of({0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0});
  EXPECT_THAT(msg, HasSubstr("sample.idx"));
  EXPECT_THAT(msg, HasSubstr("not an IDX file"));
  EXPECT_THAT(msg, HasSubstr("1f 8b 08 00"));
  EXPECT_THAT(msg, HasSubstr("fix: the fix"));
}

TEST(Idx, RejectsUnknownElementType) {
  EXPECT_THAT(error_of({0, 0, 0x0A, 1, 0, 0, 0, 0}), HasSubstr("not an IDX file"));
  EXPECT_THAT(error_of({0, 0, 0x0F, 1, 0, 0, 0, 0}), HasSubstr("not an IDX file"));
}

TEST(Idx, RejectsTruncatedHeader) {
  EXPECT_THAT(error_of({0, 0, 0x08, 3, 0, 0, 0, 1, 0, 0}), HasSubstr("truncated IDX header"));
}

TEST(Idx, RejectsTruncatedBody) {
  const auto msg = error_of({0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3});
  EXPECT_THAT(msg, HasSubstr("truncated IDX data"));
  EXPECT_THAT(msg, HasSubstr("2x3 needs 6 bytes, the file has 3"));
}

TEST(Idx, HugeDimensionsReadAsTruncatedNotOverflow) {
  // 2^32-1 cubed f64 elements would overflow 64-bit byte counts.
  const Bytes b = {0,    0,    0x0E, 3,    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                   0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1,    2,    3};
  EXPECT_THAT(error_of(b), HasSubstr("truncated IDX data"));
}

TEST(Idx, RejectsTrailingBytes) {
  EXPECT_THAT(error_of({0, 0, 0x08, 1, 0, 0, 0, 1, 7, 8}), HasSubstr("1 unexpected trailing"));
}

TEST(Idx, EncodeRejectsInconsistentSize) {
  IdxArray a{IdxType::i16, {3}, Bytes(5)};
  EXPECT_THROW(encode_idx(a), UsageError);
}

TEST_F(TempDir, WritesAndReadsRawAndGzipFiles) {
  IdxArray a{IdxType::u8, {2, 2}, Bytes{9, 8, 7, 6}};
  write_idx(dir_ / "raw.idx", a, false);
  write_idx(dir_ / "packed.idx.gz", a, true);
  const auto raw = detail::read_bytes(dir_ / "raw.idx");
  EXPECT_EQ(raw, (Bytes{0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 2, 9, 8, 7, 6}));
  EXPECT_TRUE(detail::is_gzip(detail::read_bytes(dir_ / "packed.idx.gz")));
  EXPECT_EQ(read_idx(dir_ / "raw.idx").data, a.data);
  EXPECT_EQ(read_idx(dir_ / "packed.idx.gz").data, a.data);
  // No temporary files are left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_), {}), 2);
}

TEST_F(TempDir, GzipIsDeterministic) {
  const Bytes payload(5000, 3);
  EXPECT_EQ(detail::gzip(payload), detail::gzip(payload));
  EXPECT_EQ(detail::gunzip(detail::gzip(payload), "x"), payload);
}

TEST_F(TempDir, TruncatedGzipIsReportedAsTruncated) {
  IdxArray a{IdxType::u8, {4000}, Bytes(4000)};
  for (std::size_t i = 0; i < a.data.size(); ++i) a.data[i] = static_cast<std::uint8_t>(i * 7);
  auto gz = detail::gzip(encode_idx(a));
  gz.resize(gz.size() / 2);
  const auto path = dir_ / "cut.gz";
  detail::write_file_atomic(path, gz);
  try {
    read_idx(path, "refetch");
    FAIL() << "no error";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr(path.string()));
    EXPECT_THAT(e.what(), HasSubstr("truncated"));
    EXPECT_THAT(e.what(), HasSubstr("fix: refetch"));
  }
}

TEST_F(TempDir, CorruptGzipIsADataError) {
  IdxArray a{IdxType::u8, {100}, Bytes(100, 1)};
  auto gz = detail::gzip(encode_idx(a));
  gz[gz.size() - 6] ^= 0xFF;  // inside the CRC-32 trailer
  detail::write_file_atomic(dir_ / "bad.gz", gz);
  EXPECT_THROW(read_idx(dir_ / "bad.gz"), DataError);
}

TEST_F(TempDir, MissingFileNamesThePath) {
  try {
    read_idx(dir_ / "nope.idx");
    FAIL() << "no error";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("nope.idx"));
  }
}

}  // namespace
}  // namespace resqunn::data
