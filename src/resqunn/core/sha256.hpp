// SHA-256 (FIPS 180-4), used for dataset checksums so that users can check
// files with `sha256sum -c` as well.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace resqunn {

class Sha256 {
public:
  Sha256() noexcept;
  void update(const void* data, std::size_t size) noexcept;
  void update(std::string_view s) noexcept { update(s.data(), s.size()); }
  /// Finishes the hash; the object must not be updated afterwards.
  std::array<std::uint8_t, 32> digest() noexcept;
  /// Lower-case hex of digest().
  std::string hex() noexcept;

private:
  void compress(const std::uint8_t* p) noexcept;
  std::uint32_t h_[8];
  std::uint8_t buffer_[64];
  std::size_t buffered_ = 0;
  std::uint64_t length_ = 0;
};

/// Hex SHA-256 of a byte range.
std::string sha256_hex(const void* data, std::size_t size);

}  // namespace resqunn
