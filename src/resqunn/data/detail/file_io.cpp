#include "resqunn/data/detail/file_io.hpp"

#include "resqunn/core/error.hpp"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <limits>
#include <sys/stat.h>
#include <unistd.h>

namespace resqunn::data::detail {

namespace fs = std::filesystem;

std::vector<std::uint8_t> read_bytes(const fs::path& path, const std::string& fix) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    throw DataError(path.string() + ": no such file", fix);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path.string() + ": cannot open: " + std::strerror(errno), fix);
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::size_t>(in.tellg());
  in.seekg(0, std::ios::beg);
  std::vector<std::uint8_t> bytes(size);
  if (size > 0 &&
      !in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size))) {
    throw DataError(path.string() + ": read failed", fix);
  }
  return bytes;
}

bool is_gzip(const std::vector<std::uint8_t>& bytes) noexcept {
  return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

std::vector<std::uint8_t> gunzip(const std::vector<std::uint8_t>& bytes, const std::string& source,
                                 const std::string& fix) {
  z_stream zs{};
  // 16 + MAX_WBITS: expect a gzip header and check its CRC-32 trailer.
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) throw Error("zlib: inflateInit2 failed");
  std::vector<std::uint8_t> out;
  out.reserve(bytes.size() * 4);
  zs.next_in = const_cast<Bytef*>(bytes.data());
  zs.avail_in = static_cast<uInt>(bytes.size());
  constexpr std::size_t chunk = 1 << 20;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    const std::size_t old = out.size();
    out.resize(old + chunk);
    zs.next_out = out.data() + old;
    zs.avail_out = static_cast<uInt>(chunk);
    rc = inflate(&zs, Z_NO_FLUSH);
    out.resize(old + chunk - zs.avail_out);
    if (rc == Z_STREAM_END) break;
    if (rc == Z_BUF_ERROR || (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0)) {
      inflateEnd(&zs);
      throw DataError(source + ": gzip stream is truncated (file ends before the compressed data)",
                      fix);
    }
    if (rc != Z_OK) {
      const std::string why = zs.msg ? zs.msg : "error " + std::to_string(rc);
      inflateEnd(&zs);
      throw DataError(source + ": corrupt gzip data (" + why + ")", fix);
    }
  }
  const bool trailing = zs.avail_in != 0;
  inflateEnd(&zs);
  if (trailing) throw DataError(source + ": unexpected bytes after the gzip stream", fix);
  return out;
}

std::vector<std::uint8_t> gzip(const std::vector<std::uint8_t>& bytes) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    throw Error("zlib: deflateInit2 failed");
  }
  std::vector<std::uint8_t> out(deflateBound(&zs, static_cast<uLong>(bytes.size())) + 64);
  zs.next_in = const_cast<Bytef*>(bytes.data());
  zs.avail_in = static_cast<uInt>(bytes.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw Error("zlib: deflate failed (" + std::to_string(rc) + ")");
  return out;
}

std::vector<std::uint8_t> read_file(const fs::path& path, const std::string& fix) {
  auto bytes = read_bytes(path, fix);
  return is_gzip(bytes) ? gunzip(bytes, path.string(), fix) : bytes;
}

void write_file_atomic(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    throw Error("cannot create directory " + dir.string() + ": " + ec.message(),
                "choose a writable location (e.g. --data-dir or $RESQUNN_DATA)");
  }
  std::string tmpl = (dir / ("." + path.filename().string() + ".tmp-XXXXXX")).string();
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) {
    throw Error("cannot create a file in " + dir.string() + ": " + std::strerror(errno),
                "choose a writable location (e.g. --data-dir or $RESQUNN_DATA)");
  }
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(tmpl.c_str());
      throw Error("writing " + path.string() + " failed: " + std::strerror(err),
                  "free disk space or choose another directory");
    }
    done += static_cast<std::size_t>(n);
  }
  // Mode 0644 like any other data file (mkstemp creates 0600).
  ::fchmod(fd, 0644);
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || std::rename(tmpl.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmpl.c_str());
    throw Error("cannot finish writing " + path.string() + ": " + std::strerror(err),
                "check permissions and free space of " + dir.string());
  }
}

}  // namespace resqunn::data::detail
