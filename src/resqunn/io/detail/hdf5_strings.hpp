// Reading strings through the HDF5 layer (hdf5.hpp), shared by datasets
// and attributes: variable-length storage (what resqunn writes) and
// fixed-length storage (what other writers may). Internal: included by the
// io sources only.
#pragma once

#include "resqunn/io/detail/hdf5_errors.hpp"
#include "resqunn/io/detail/hdf5_handles.hpp"

#include <hdf5.h>

#include <cstring>
#include <string>
#include <vector>

namespace resqunn::io::detail {

/// Reads `n` strings through `read(memory_type, buffer)`, from variable- or
/// fixed-length string storage. `memory_space` describes the buffer (HDF5
/// needs it to free variable-length data).
template <class ReadFn>
std::vector<std::string> read_strings(hid_t stored_type, hid_t memory_space, std::size_t n,
                                      const Where& where, const std::string& operation,
                                      ReadFn read) {
  std::vector<std::string> out(n);
  if (n == 0) return out;
  const htri_t variable = check(H5Tis_variable_str(stored_type), where.file, where.path, operation);
  if (variable > 0) {
    const h5::Handle memory_type = string_type(where, H5Tget_cset(stored_type));
    std::vector<char*> buffer(n, nullptr);
    check(read(memory_type.get(), buffer.data()), where.file, where.path, operation);
    for (std::size_t i = 0; i < n; ++i) {
      if (buffer[i] != nullptr) out[i] = buffer[i];  // never-written elements are null
    }
#if H5_VERSION_GE(1, 12, 0)
    H5Treclaim(memory_type.get(), memory_space, H5P_DEFAULT, buffer.data());
#else
    H5Dvlen_reclaim(memory_type.get(), memory_space, H5P_DEFAULT, buffer.data());
#endif
    return out;
  }
  // Fixed-length strings (other writers, e.g. h5py with numpy 'S' arrays).
  const h5::Handle memory_type = owned(H5Tcopy(stored_type), where, operation);
  const std::size_t width = H5Tget_size(stored_type);
  std::vector<char> buffer(n * width);
  check(read(memory_type.get(), buffer.data()), where.file, where.path, operation);
  const bool space_padded = H5Tget_strpad(stored_type) == H5T_STR_SPACEPAD;
  for (std::size_t i = 0; i < n; ++i) {
    const char* begin = buffer.data() + i * width;
    std::size_t length = strnlen(begin, width);
    while (space_padded && length > 0 && begin[length - 1] == ' ') --length;
    out[i].assign(begin, length);
  }
  return out;
}

/// The C strings of `texts`, for HDF5's variable-length string writes
/// (valid while `texts` is).
inline std::vector<const char*> c_strings(const std::vector<std::string>& texts) {
  std::vector<const char*> pointers;
  pointers.reserve(texts.size());
  for (const auto& text : texts) pointers.push_back(text.c_str());
  return pointers;
}

}  // namespace resqunn::io::detail
