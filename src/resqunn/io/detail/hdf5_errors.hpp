// Error capture for the HDF5 layer (hdf5.hpp): HDF5's error stack taken
// off the library and folded into a DataError that names the file, the
// object and the operation, with a diagnosis and a fix where the cause is a
// common one. Internal: included by the io sources only.
#pragma once

#include "resqunn/io/hdf5.hpp"

#include <string>
#include <vector>

namespace resqunn::io::detail {

/// Switches off HDF5's printing of its error stack to stderr (we fold it
/// into the exception instead). In thread-safe builds the setting is per
/// thread, so it is applied on every file open.
void silence_error_printing() noexcept;

/// The current error stack, API call first and the innermost cause last;
/// clears it.
std::vector<std::string> take_error_stack();

/// Whether any line of `stack` contains `text`.
bool mentions(const std::vector<std::string>& stack, const char* text);

/// Throws the DataError for `operation` on object `path` (empty for the
/// file as a whole) of `file`, diagnosed from `stack`.
[[noreturn]] void fail(const std::string& file, const std::string& path,
                       const std::string& operation, const std::vector<std::string>& stack);
/// The same with the current error stack (take_error_stack()).
[[noreturn]] void fail(const std::string& file, const std::string& path,
                       const std::string& operation);

/// Every HDF5 status (herr_t, htri_t, hid_t, ...) is negative on failure:
/// then fail(), else the status.
template <class T>
T check(T status, const std::string& file, const std::string& path, const std::string& operation) {
  if (status < 0) fail(file, path, operation);
  return status;
}

/// "[a, b, c]", for messages.
std::string format_dims(const h5::Dims& dims);

}  // namespace resqunn::io::detail
