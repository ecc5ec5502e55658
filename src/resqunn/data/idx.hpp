// IDX files (the MNIST container format): a 4-byte magic (0, 0, element
// type, rank), `rank` big-endian uint32 dimensions, then the elements in
// big-endian row-major order. Files may be gzip-compressed; readers detect
// that from the content, not the name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace resqunn::data {

enum class IdxType : std::uint8_t {
  u8 = 0x08,
  i8 = 0x09,
  i16 = 0x0B,
  i32 = 0x0C,
  f32 = 0x0D,
  f64 = 0x0E,
};

/// Size in bytes of one element of `t`.
std::size_t idx_element_size(IdxType t) noexcept;

/// An IDX array in memory. `data` holds the elements in host byte order.
struct IdxArray {
  IdxType type = IdxType::u8;
  std::vector<std::uint32_t> dims;
  std::vector<std::uint8_t> data;

  /// Product of the dimensions (1 for rank 0).
  std::size_t element_count() const noexcept;
};

/// Parses an uncompressed IDX image held in memory. `source` names the origin
/// in error messages; `fix` is appended to them (e.g. how to re-fetch).
/// Throws DataError on a bad magic, an unknown type, a truncated header or
/// body, or trailing bytes.
IdxArray parse_idx(const std::uint8_t* bytes, std::size_t size, const std::string& source,
                   const std::string& fix = {});

/// Encodes `a` as an uncompressed IDX image. Throws UsageError if the data
/// size does not match the dimensions.
std::vector<std::uint8_t> encode_idx(const IdxArray& a);

/// Reads an IDX file, gzip-compressed or not.
IdxArray read_idx(const std::filesystem::path& path, const std::string& fix = {});

/// Writes `a` to `path` atomically (temporary file + rename), gzip-compressed
/// when `gzip` is true.
void write_idx(const std::filesystem::path& path, const IdxArray& a, bool gzip);

}  // namespace resqunn::data
