// The ustar reader against archives built byte by byte here.
#include "resqunn/core/error.hpp"
#include "resqunn/data/detail/tar.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>

namespace resqunn::data::detail {
namespace {

using Bytes = std::vector<std::uint8_t>;

// Appends one ustar header + content, as POSIX specifies it.
void add_member(Bytes& tar, const std::string& name, const std::string& content, char type = '0',
                const std::string& prefix = "") {
  std::uint8_t h[512] = {};
  std::memcpy(h, name.data(), name.size());
  std::snprintf(reinterpret_cast<char*>(h + 100), 8, "%07o", 0644);
  std::snprintf(reinterpret_cast<char*>(h + 124), 12, "%011o",
                static_cast<unsigned>(content.size()));
  h[156] = static_cast<std::uint8_t>(type);
  std::memcpy(h + 257, "ustar", 6);
  std::memcpy(h + 345, prefix.data(), prefix.size());
  std::memset(h + 148, ' ', 8);
  unsigned sum = 0;
  for (auto b : h) sum += b;
  std::snprintf(reinterpret_cast<char*>(h + 148), 8, "%06o", sum);
  tar.insert(tar.end(), h, h + 512);
  tar.insert(tar.end(), content.begin(), content.end());
  tar.resize((tar.size() + 511) / 512 * 512, 0);
}

void finish(Bytes& tar) { tar.resize(tar.size() + 1024, 0); }

TEST(Tar, ListsRegularFilesWithContentAndPrefix) {
  Bytes tar;
  add_member(tar, "package/", "", '5');
  add_member(tar, "package/a.json", "{\"data\":[1]}");
  add_member(tar, "b.txt", std::string(600, 'x'), '0', "package/deep");
  finish(tar);
  const auto entries = list_tar(tar, "t.tar");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].name, "package/a.json");
  EXPECT_EQ(std::string(entries[0].content.begin(), entries[0].content.end()), "{\"data\":[1]}");
  EXPECT_EQ(entries[1].name, "package/deep/b.txt");
  EXPECT_EQ(entries[1].content.size(), 600u);
}

TEST(Tar, BadChecksumIsNamed) {
  Bytes tar;
  add_member(tar, "a", "hello");
  finish(tar);
  tar[0] = 'z';
  EXPECT_THAT([&] { list_tar(tar, "t.tar"); },
              ::testing::ThrowsMessage<DataError>(::testing::HasSubstr("checksum")));
}

TEST(Tar, TruncatedArchiveIsAnError) {
  Bytes tar;
  add_member(tar, "a", std::string(2000, 'y'));
  tar.resize(1024);
  EXPECT_THAT([&] { list_tar(tar, "t.tar"); },
              ::testing::ThrowsMessage<DataError>(::testing::HasSubstr("truncated")));
  Bytes no_end;
  add_member(no_end, "a", "x");
  EXPECT_THROW(list_tar(no_end, "t.tar"), DataError);
}

}  // namespace
}  // namespace resqunn::data::detail
