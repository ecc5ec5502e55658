#include "resqunn/data/idx.hpp"

#include "resqunn/core/error.hpp"
#include "resqunn/data/detail/file_io.hpp"

#include <cstdio>
#include <cstring>
#include <limits>

namespace resqunn::data {

namespace {

bool valid_type(std::uint8_t t) noexcept {
  switch (static_cast<IdxType>(t)) {
    case IdxType::u8:
    case IdxType::i8:
    case IdxType::i16:
    case IdxType::i32:
    case IdxType::f32:
    case IdxType::f64:
      return true;
  }
  return false;
}

std::uint32_t load_be32(const std::uint8_t* p) noexcept {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

void store_be32(std::uint8_t* p, std::uint32_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

// IDX is big-endian; swap each element in place when the host is not.
void to_from_big_endian(std::vector<std::uint8_t>& data, std::size_t elem) noexcept {
  const std::uint16_t probe = 1;
  std::uint8_t first;
  std::memcpy(&first, &probe, 1);
  if (first == 0 || elem == 1) return;  // big-endian host, or bytes
  for (std::size_t i = 0; i + elem <= data.size(); i += elem) {
    for (std::size_t a = i, b = i + elem - 1; a < b; ++a, --b) std::swap(data[a], data[b]);
  }
}

}  // namespace

std::size_t idx_element_size(IdxType t) noexcept {
  switch (t) {
    case IdxType::u8:
    case IdxType::i8:
      return 1;
    case IdxType::i16:
      return 2;
    case IdxType::i32:
    case IdxType::f32:
      return 4;
    case IdxType::f64:
      return 8;
  }
  return 0;
}

std::size_t IdxArray::element_count() const noexcept {
  std::size_t n = 1;
  for (auto d : dims) n *= d;
  return n;
}

IdxArray parse_idx(const std::uint8_t* bytes, std::size_t size, const std::string& source,
                   const std::string& fix) {
  if (size < 4) {
    throw DataError(source + ": truncated IDX file (" + std::to_string(size) +
                        " bytes, shorter than the 4-byte magic)",
                    fix);
  }
  if (bytes[0] != 0 || bytes[1] != 0 || !valid_type(bytes[2])) {
    char magic[32];
    std::snprintf(magic, sizeof magic, "%02x %02x %02x %02x", bytes[0], bytes[1], bytes[2],
                  bytes[3]);
    throw DataError(source + ": not an IDX file (magic bytes " + magic +
                        "; expected 00 00 <type 08..0e> <rank>)",
                    fix);
  }
  IdxArray a;
  a.type = static_cast<IdxType>(bytes[2]);
  const std::size_t rank = bytes[3];
  const std::size_t header = 4 + 4 * rank;
  if (size < header) {
    throw DataError(source + ": truncated IDX header (rank " + std::to_string(rank) + " needs " +
                        std::to_string(header) + " bytes, file has " + std::to_string(size) + ")",
                    fix);
  }
  // Saturating product: absurd dimensions must read as "truncated", not wrap.
  const std::size_t elem = idx_element_size(a.type);
  constexpr std::size_t kMax = std::numeric_limits<std::size_t>::max();
  std::size_t expected = elem;
  for (std::size_t i = 0; i < rank; ++i) {
    const std::uint32_t d = load_be32(bytes + 4 + 4 * i);
    a.dims.push_back(d);
    expected = (d != 0 && expected > kMax / d) ? kMax : expected * d;
  }
  const std::size_t body = size - header;
  if (body < expected) {
    std::string shape;
    for (auto d : a.dims) shape += (shape.empty() ? "" : "x") + std::to_string(d);
    const std::string need = expected == kMax ? "more" : std::to_string(expected);
    throw DataError(source + ": truncated IDX data (shape " + shape + " needs " + need +
                        " bytes, the file has " + std::to_string(body) + ")",
                    fix);
  }
  if (body > expected) {
    throw DataError(source + ": IDX file has " + std::to_string(body - expected) +
                        " unexpected trailing bytes after the data",
                    fix);
  }
  a.data.assign(bytes + header, bytes + size);
  to_from_big_endian(a.data, elem);
  return a;
}

std::vector<std::uint8_t> encode_idx(const IdxArray& a) {
  if (a.dims.size() > 255) throw UsageError("IDX arrays have at most 255 dimensions");
  const std::size_t elem = idx_element_size(a.type);
  if (elem == 0) throw UsageError("unknown IDX element type");
  if (a.data.size() != a.element_count() * elem) {
    throw UsageError("IDX array holds " + std::to_string(a.data.size()) +
                     " bytes, but its shape needs " + std::to_string(a.element_count() * elem));
  }
  std::vector<std::uint8_t> out(4 + 4 * a.dims.size());
  out[2] = static_cast<std::uint8_t>(a.type);
  out[3] = static_cast<std::uint8_t>(a.dims.size());
  for (std::size_t i = 0; i < a.dims.size(); ++i) store_be32(out.data() + 4 + 4 * i, a.dims[i]);
  std::vector<std::uint8_t> body = a.data;
  to_from_big_endian(body, elem);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

IdxArray read_idx(const std::filesystem::path& path, const std::string& fix) {
  const auto bytes = detail::read_file(path, fix);
  return parse_idx(bytes.data(), bytes.size(), path.string(), fix);
}

void write_idx(const std::filesystem::path& path, const IdxArray& a, bool gzip) {
  auto bytes = encode_idx(a);
  detail::write_file_atomic(path, gzip ? detail::gzip(bytes) : bytes);
}

}  // namespace resqunn::data
