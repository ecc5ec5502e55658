#include "resqunn/data/detail/tar.hpp"

#include "resqunn/core/error.hpp"

#include <algorithm>

namespace resqunn::data::detail {

namespace {

constexpr std::size_t kBlock = 512;

std::string field(const std::uint8_t* p, std::size_t n) {
  const auto* end = std::find(p, p + n, std::uint8_t{0});
  return std::string(p, end);
}

// Octal numeric field, space/NUL terminated.
std::uint64_t octal(const std::uint8_t* p, std::size_t n, const std::string& source) {
  std::uint64_t v = 0;
  std::size_t i = 0;
  while (i < n && p[i] == ' ') ++i;
  for (; i < n && p[i] != 0 && p[i] != ' '; ++i) {
    if (p[i] < '0' || p[i] > '7') throw DataError(source + ": malformed tar header (bad number)");
    v = v * 8 + static_cast<std::uint64_t>(p[i] - '0');
  }
  return v;
}

}  // namespace

std::vector<TarEntry> list_tar(const std::vector<std::uint8_t>& tar, const std::string& source) {
  std::vector<TarEntry> entries;
  std::size_t pos = 0;
  while (true) {
    if (pos + kBlock > tar.size()) {
      throw DataError(source + ": tar archive is truncated (no end-of-archive marker)");
    }
    const std::uint8_t* h = tar.data() + pos;
    if (std::all_of(h, h + kBlock, [](std::uint8_t b) { return b == 0; })) break;

    // Header checksum: sum of all bytes with the checksum field as spaces.
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < kBlock; ++i) sum += (i >= 148 && i < 156) ? ' ' : h[i];
    if (sum != octal(h + 148, 8, source)) {
      throw DataError(source + ": tar header checksum mismatch at offset " + std::to_string(pos));
    }
    const std::uint64_t size = octal(h + 124, 12, source);
    const char type = static_cast<char>(h[156]);
    std::string name = field(h, 100);
    if (field(h + 257, 6) == "ustar") {
      const std::string prefix = field(h + 345, 155);
      if (!prefix.empty()) name = prefix + "/" + name;
    }
    pos += kBlock;
    if (size > tar.size() - pos) {
      throw DataError(source + ": tar archive is truncated inside " + name);
    }
    if (type == '0' || type == '\0') {
      entries.push_back(
          {name, std::vector<std::uint8_t>(tar.begin() + static_cast<long>(pos),
                                           tar.begin() + static_cast<long>(pos + size))});
    }
    pos += (size + kBlock - 1) / kBlock * kBlock;
  }
  return entries;
}

}  // namespace resqunn::data::detail
