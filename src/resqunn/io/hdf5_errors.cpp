// Error capture of the HDF5 layer: HDF5's error stack, read and cleared,
// diagnosed and thrown as a DataError (detail/hdf5_errors.hpp).
#include "resqunn/io/detail/hdf5_errors.hpp"

#include "resqunn/core/error.hpp"

#include <hdf5.h>

#include <algorithm>

namespace resqunn::io::detail {

namespace {

herr_t collect_error(unsigned /*depth*/, const H5E_error2_t* error, void* lines_ptr) {
  auto& lines = *static_cast<std::vector<std::string>*>(lines_ptr);
  std::string text = error->desc != nullptr ? error->desc : "";
  if (text.empty()) {
    char minor[160] = {};
    if (H5Eget_msg(error->min_num, nullptr, minor, sizeof minor) > 0) text = minor;
  }
  std::replace(text.begin(), text.end(), '\n', ' ');  // some carry a ctime() date
  if (!text.empty() && (lines.empty() || lines.back() != text)) lines.push_back(text);
  return 0;
}

// HDF5's descriptions append the call's arguments ("unable to open file:
// time = …, name = 'x.h5', tent_flags = 1"): internals to a user, so cut.
std::string plain(std::string line) {
  for (const char* marker : {": time = ", ", time = ", ": name = ", ", name = "}) {
    const auto at = line.find(marker);
    if (at != std::string::npos) line.erase(at);
  }
  return line;
}

struct Diagnosis {
  std::string problem;
  std::string fix;
};

// Turns the HDF5 error stacks users actually meet into a plain statement
// and a fix; anything else is reported by its innermost cause.
Diagnosis diagnose(const std::vector<std::string>& stack) {
  const auto mentions = [&](const char* text) { return detail::mentions(stack, text); };
  if (mentions("file signature not found")) {
    return {"not an HDF5 file", "check the path: expected an HDF5 file written by resqunn"};
  }
  if (mentions("truncated file")) {
    return {"the file is truncated (shorter than its HDF5 superblock says)",
            "the file was cut short: an interrupted copy, a full disk, or a writer killed while "
            "creating it; copy it again or rerun the job that writes it"};
  }
  if (mentions("unable to lock file")) {
    return {"the file is locked by another process, or the file system does not support locks",
            "if another process is writing it, read it anyway with "
            "`export HDF5_USE_FILE_LOCKING=FALSE`; the same setting works round file systems "
            "without locks (some Lustre mounts)"};
  }
  if (mentions("already open for write")) {
    return {"the file is marked as open for writing by another process",
            "if no process is writing it any more, clear the mark with `h5clear -s {file}`"};
  }
  if (mentions("errno = 2,")) {
    return {"no such file or directory", "check the path; the directory must exist"};
  }
  if (mentions("MPI_ERR_ACCESS") || mentions("MPI_ERR_READ_ONLY") ||
      mentions("Access denied to file") || mentions("Read-only file")) {
    // The MPI-IO driver's words (Open MPI's error classes, MPICH's ROMIO
    // texts) for a file, or file system, it may not write.
    return {"permission denied: the file or its file system is read-only for this user",
            "make it writable (chmod u+w {file}) or write the results elsewhere (-o)"};
  }
  if (mentions("MPI_ERR_NO_SUCH_FILE") || mentions("File does not exist")) {
    return {"no such file or directory", "check the path; the directory must exist"};
  }
  if (mentions("MPI_ERR_NO_SPACE") || mentions("MPI_ERR_QUOTA") ||
      mentions("No space left on device") || mentions("Quota exceeded")) {
    return {"no space left on the device (or over quota)",
            "free some space or write somewhere else"};
  }
  if (mentions("errno = 13,")) {
    return {"permission denied", "check the permissions of the file and its directory"};
  }
  if (mentions("errno = 17,")) return {"the file already exists", "choose another path"};
  if (mentions("errno = 28,")) {
    return {"no space left on the device", "free some space or write somewhere else"};
  }
  if (stack.empty()) return {"HDF5 reported an error without details", ""};
  return {plain(stack.back()), ""};
}

}  // namespace

void silence_error_printing() noexcept { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

std::vector<std::string> take_error_stack() {
  std::vector<std::string> lines;
  const hid_t stack = H5Eget_current_stack();
  if (stack >= 0) {
    H5Ewalk2(stack, H5E_WALK_DOWNWARD, collect_error, &lines);
    H5Eclose_stack(stack);
  }
  return lines;
}

bool mentions(const std::vector<std::string>& stack, const char* text) {
  for (const auto& line : stack) {
    if (line.find(text) != std::string::npos) return true;
  }
  return false;
}

[[noreturn]] void fail(const std::string& file, const std::string& path,
                       const std::string& operation, const std::vector<std::string>& stack) {
  auto diagnosis = diagnose(stack);
  if (const auto at = diagnosis.fix.find("{file}"); at != std::string::npos) {
    diagnosis.fix.replace(at, 6, file);
  }
  // A diagnosed stack is said in plain words; an unknown one is shown too,
  // without its argument dumps, as the only clue there is.
  std::string details;
  std::string last;
  for (const auto& line : diagnosis.fix.empty() ? stack : std::vector<std::string>{}) {
    auto text = plain(line);
    if (text.empty() || text == last) continue;
    details += (details.empty() ? "" : "; ") + text;
    last = std::move(text);
  }
  // File-level operations pass no object path.
  const std::string object = path.empty() ? "" : " '" + path + "'";
  throw DataError(file + ": cannot " + operation + object + ": " + diagnosis.problem +
                      (details.empty() ? "" : " (HDF5: " + details + ")"),
                  diagnosis.fix);
}

[[noreturn]] void fail(const std::string& file, const std::string& path,
                       const std::string& operation) {
  fail(file, path, operation, take_error_stack());
}

std::string format_dims(const h5::Dims& dims) {
  std::string out = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) {
    out += (i ? ", " : "") + std::to_string(dims[i]);
  }
  return out + "]";
}

}  // namespace resqunn::io::detail
