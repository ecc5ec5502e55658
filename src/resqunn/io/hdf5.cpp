#include "resqunn/io/hdf5.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <hdf5.h>
#include <type_traits>
#include <utility>

#include "resqunn/core/error.hpp"

namespace resqunn::io::h5 {

static_assert(std::is_same_v<hid_t, std::int64_t>,
              "resqunn::io::h5 holds identifiers as std::int64_t: needs HDF5 >= 1.10");

namespace {

// ---------------------------------------------------------------- errors --

// HDF5 prints its error stack to stderr on every failed call unless told
// not to; we fold the stack into the exception instead. In thread-safe
// builds the setting is per thread, so it is applied on every file open.
void silence_error_printing() noexcept { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

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

// The current error stack, API call first and the innermost cause last;
// clears it.
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

struct Diagnosis {
  std::string problem;
  std::string fix;
};

// Turns the HDF5 error stacks users actually meet into a plain statement
// and a fix; anything else is reported by its innermost cause.
Diagnosis diagnose(const std::vector<std::string>& stack) {
  const auto mentions = [&](const char* text) { return h5::mentions(stack, text); };
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
            "if no process is writing it any more, clear the mark with `h5clear -s FILE`"};
  }
  if (mentions("errno = 2,")) {
    return {"no such file or directory", "check the path; the directory must exist"};
  }
  if (mentions("errno = 13,")) {
    return {"permission denied", "check the permissions of the file and its directory"};
  }
  if (mentions("errno = 17,")) return {"the file already exists", "choose another path"};
  if (mentions("errno = 28,")) {
    return {"no space left on the device", "free some space or write somewhere else"};
  }
  if (stack.empty()) return {"HDF5 reported an error without details", ""};
  return {stack.back(), ""};
}

[[noreturn]] void fail(const std::string& file, const std::string& path,
                       const std::string& operation, const std::vector<std::string>& stack) {
  const auto diagnosis = diagnose(stack);
  std::string details;
  for (const auto& line : stack) details += (details.empty() ? "" : "; ") + line;
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

// Every HDF5 status (herr_t, htri_t, hid_t, ...) is negative on failure.
template <class T>
T check(T status, const std::string& file, const std::string& path, const std::string& operation) {
  if (status < 0) fail(file, path, operation);
  return status;
}

std::string format_dims(const Dims& dims) {
  std::string out = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) {
    out += (i ? ", " : "") + std::to_string(dims[i]);
  }
  return out + "]";
}

// ------------------------------------------------------- types and spaces --

struct Where {
  const std::string& file;
  const std::string& path;
};

Handle owned(hid_t id, const Where& where, const std::string& operation) {
  return Handle{check(id, where.file, where.path, operation)};
}

// Variable-length strings; UTF-8 unless a file's own type says otherwise
// (reading with the file's character set avoids a conversion HDF5 refuses).
Handle string_type(const Where& where, H5T_cset_t cset = H5T_CSET_UTF8) {
  Handle type = owned(H5Tcopy(H5T_C_S1), where, "make string type for");
  check(H5Tset_size(type.get(), H5T_VARIABLE), where.file, where.path, "make string type for");
  check(H5Tset_cset(type.get(), cset), where.file, where.path, "make string type for");
  return type;
}

Handle file_type(ElementType type, const Where& where) {
  switch (type) {
    case ElementType::float64:
      return owned(H5Tcopy(H5T_IEEE_F64LE), where, "make type for");
    case ElementType::int64:
      return owned(H5Tcopy(H5T_STD_I64LE), where, "make type for");
    case ElementType::string:
      return string_type(where);
    case ElementType::other:
      break;
  }
  throw UsageError(where.file + ": cannot create '" + where.path +
                   "': element type must be float64, int64 or string");
}

ElementType element_type_of(hid_t type) {
  switch (H5Tget_class(type)) {
    case H5T_FLOAT:
      return ElementType::float64;
    case H5T_INTEGER:
      return ElementType::int64;
    case H5T_STRING:
      return ElementType::string;
    default:
      return ElementType::other;
  }
}

std::vector<hsize_t> to_hsize(const Dims& dims) { return {dims.begin(), dims.end()}; }

Handle make_space(const Dims& dims, const Where& where) {
  if (dims.empty()) return owned(H5Screate(H5S_SCALAR), where, "make dataspace for");
  const auto extents = to_hsize(dims);
  return owned(H5Screate_simple(static_cast<int>(extents.size()), extents.data(), nullptr), where,
               "make dataspace for");
}

Dims space_dims(hid_t space, const Where& where) {
  const int rank =
      check(H5Sget_simple_extent_ndims(space), where.file, where.path, "get extents of");
  std::vector<hsize_t> extents(static_cast<std::size_t>(rank));
  if (rank > 0) {
    check(H5Sget_simple_extent_dims(space, extents.data(), nullptr), where.file, where.path,
          "get extents of");
  }
  return {extents.begin(), extents.end()};
}

// File- and memory-side dataspaces for one block of a dataset.
struct Selection {
  Handle file_space;
  Handle memory_space;
};

Selection select_block(hid_t dataset, const Dims& offset, const Dims& count, const Where& where) {
  Selection selection{owned(H5Dget_space(dataset), where, "get dataspace of"),
                      make_space(count, where)};
  if (!count.empty()) {
    const auto start = to_hsize(offset);
    const auto extents = to_hsize(count);
    check(H5Sselect_hyperslab(selection.file_space.get(), H5S_SELECT_SET, start.data(), nullptr,
                              extents.data(), nullptr),
          where.file, where.path,
          "select block " + format_dims(offset) + "+" + format_dims(count) + " of");
  }
  return selection;
}

// Reads `n` strings through `read(memory_type, buffer)`, from variable- or
// fixed-length string storage. `memory_space` describes the buffer (HDF5
// needs it to free variable-length data).
template <class ReadFn>
std::vector<std::string> read_strings(hid_t stored_type, hid_t memory_space, std::size_t n,
                                      const Where& where, const std::string& operation,
                                      ReadFn read) {
  std::vector<std::string> out(n);
  if (n == 0) return out;
  const htri_t variable = check(H5Tis_variable_str(stored_type), where.file, where.path, operation);
  if (variable > 0) {
    const Handle memory_type = string_type(where, H5Tget_cset(stored_type));
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
  const Handle memory_type = owned(H5Tcopy(stored_type), where, operation);
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

// ----------------------------------------------------------- file access --

Handle file_access(bool use_locking, const Where& where) {
  Handle fapl = owned(H5Pcreate(H5P_FILE_ACCESS), where, "make file access properties for");
  // Library version bounds stay at their default (earliest) on purpose:
  // with the newest superblock a non-SWMR writer marks the file "open for
  // writing" and every other process refuses to open it, which is exactly
  // what readers during a run must not meet.
#if H5_VERSION_GE(1, 10, 7)
  // Carry on where the file system has no locks (some Lustre mounts).
  check(H5Pset_file_locking(fapl.get(), use_locking, /*ignore_when_disabled=*/1), where.file,
        where.path, "set file locking for");
#else
  // Older 1.10 only has the environment variable, read at each open; this
  // affects the whole process, and a user's own setting wins.
  if (!use_locking) setenv("HDF5_USE_FILE_LOCKING", "FALSE", /*overwrite=*/0);
#endif
  return fapl;
}

// Dataset transfer properties for one read or write: HDF5's default, or,
// in a file opened with MPI-IO, independent transfer. (Independent is also
// HDF5's default there; spelled out because every raw-data call resqunn
// makes may come from one rank alone.)
class Transfer {
public:
  Transfer(bool mpi_io, const Where& where) {
#ifdef H5_HAVE_PARALLEL
    if (mpi_io) {
      list_ = owned(H5Pcreate(H5P_DATASET_XFER), where, "make transfer properties for");
      check(H5Pset_dxpl_mpio(list_.get(), H5FD_MPIO_INDEPENDENT), where.file, where.path,
            "make transfer properties for");
    }
#else
    (void)mpi_io;
    (void)where;
#endif
  }
  hid_t get() const noexcept { return list_.valid() ? list_.get() : H5P_DEFAULT; }

private:
  Handle list_;
};

// Object creation properties shared by groups and datasets. Modification
// times are not recorded, so that identical arguments give identical files
// (what collective creation under parallel HDF5 relies on).
void untimed(hid_t creation_properties, const Where& where) {
  check(H5Pset_obj_track_times(creation_properties, 0), where.file, where.path,
        "set creation properties for");
}

}  // namespace

// ---------------------------------------------------------------- Handle --

Handle::Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, -1)) {}

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    if (!close()) H5Eclear2(H5E_DEFAULT);
    id_ = std::exchange(other.id_, -1);
  }
  return *this;
}

Handle::~Handle() {
  if (!close()) H5Eclear2(H5E_DEFAULT);
}

bool Handle::close() noexcept {
  if (id_ < 0) return true;
  herr_t status = 0;
  switch (H5Iget_type(id_)) {
    case H5I_FILE:
      status = H5Fclose(id_);
      break;
    case H5I_GROUP:
      status = H5Gclose(id_);
      break;
    case H5I_DATASET:
      status = H5Dclose(id_);
      break;
    case H5I_ATTR:
      status = H5Aclose(id_);
      break;
    case H5I_DATASPACE:
      status = H5Sclose(id_);
      break;
    case H5I_DATATYPE:
      status = H5Tclose(id_);
      break;
    case H5I_GENPROP_LST:
      status = H5Pclose(id_);
      break;
    default:
      status = H5Idec_ref(id_) < 0 ? -1 : 0;
      break;
  }
  id_ = -1;
  return status >= 0;
}

// --------------------------------------------------------------- helpers --

Dims chunk_shape(const Dims& dims, std::size_t element_bytes, std::size_t target_bytes) {
  if (dims.empty()) return {};
  for (const auto extent : dims) {
    if (extent == 0) return {};
  }
  Dims chunk(dims.size(), 1);
  std::uint64_t bytes = element_bytes;
  for (std::size_t i = dims.size(); i-- > 0;) {
    if (bytes * dims[i] <= target_bytes) {
      chunk[i] = dims[i];
      bytes *= dims[i];
      continue;
    }
    chunk[i] = std::max<std::uint64_t>(1, target_bytes / bytes);
    break;
  }
  return chunk;
}

bool parallel_available() noexcept {
#ifdef H5_HAVE_PARALLEL
  return true;
#else
  return false;
#endif
}

std::uint64_t element_count(const Dims& dims) noexcept {
  std::uint64_t n = 1;
  for (const auto extent : dims) n *= extent;
  return n;
}

// ---------------------------------------------------------------- Object --

std::string Object::child_path(const std::string& name) const {
  return path_ == "/" ? "/" + name : path_ + "/" + name;
}

bool Object::has_attribute(const std::string& name) const {
  return check(H5Aexists(id(), name.c_str()), file_, path_, "look up attribute '" + name + "' of") >
         0;
}

namespace {

// Writes an attribute of `stored_type` and extents `dims` from `buffer`:
// in place if one of the same type class and extents exists (an in-place
// write changes no object header layout), otherwise created anew.
void write_attribute(hid_t object, const std::string& name, hid_t stored_type, hid_t memory_type,
                     const Dims& dims, const void* buffer, const Where& where) {
  const std::string operation = "write attribute '" + name + "' of";
  if (check(H5Aexists(object, name.c_str()), where.file, where.path, operation) > 0) {
    const Handle existing = owned(H5Aopen(object, name.c_str(), H5P_DEFAULT), where, operation);
    const Handle type = owned(H5Aget_type(existing.get()), where, operation);
    const Handle space = owned(H5Aget_space(existing.get()), where, operation);
    const bool same = H5Tget_class(type.get()) == H5Tget_class(stored_type) &&
                      H5Tis_variable_str(type.get()) == H5Tis_variable_str(stored_type) &&
                      space_dims(space.get(), where) == dims;
    if (same) {
      if (element_count(dims) > 0) {
        check(H5Awrite(existing.get(), memory_type, buffer), where.file, where.path, operation);
      }
      return;
    }
    check(H5Adelete(object, name.c_str()), where.file, where.path, operation);
  }
  const Handle space = make_space(dims, where);
  const Handle attribute =
      owned(H5Acreate2(object, name.c_str(), stored_type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
            where, operation);
  if (element_count(dims) == 0) return;  // HDF5 refuses the null buffer of an empty vector
  check(H5Awrite(attribute.get(), memory_type, buffer), where.file, where.path, operation);
}

// Opens attribute `name`, checks that it holds `expected` values (0: any
// number), and hands it, its type and element count to `read`.
template <class ReadFn>
void read_attribute_with(hid_t object, const std::string& name, std::size_t expected,
                         const Where& where, ReadFn read) {
  const std::string operation = "read attribute '" + name + "' of";
  if (check(H5Aexists(object, name.c_str()), where.file, where.path, operation) <= 0) {
    throw DataError(where.file + ": '" + where.path + "' has no attribute '" + name + "'");
  }
  const Handle attribute = owned(H5Aopen(object, name.c_str(), H5P_DEFAULT), where, operation);
  const Handle type = owned(H5Aget_type(attribute.get()), where, operation);
  const Handle space = owned(H5Aget_space(attribute.get()), where, operation);
  const auto n = static_cast<std::size_t>(element_count(space_dims(space.get(), where)));
  if (expected != 0 && n != expected) {
    throw DataError(where.file + ": attribute '" + name + "' of '" + where.path + "' holds " +
                    std::to_string(n) + " values, expected " + std::to_string(expected));
  }
  read(attribute.get(), type.get(), space.get(), n, operation);
}

}  // namespace

void Object::set_attribute(const std::string& name, const std::string& value) {
  const Where where{file_, path_};
  const Handle type = string_type(where);
  const char* text = value.c_str();
  write_attribute(id(), name, type.get(), type.get(), {}, &text, where);
}

void Object::set_attribute(const std::string& name, const std::vector<std::string>& values) {
  const Where where{file_, path_};
  const Handle type = string_type(where);
  std::vector<const char*> texts;
  texts.reserve(values.size());
  for (const auto& value : values) texts.push_back(value.c_str());
  write_attribute(id(), name, type.get(), type.get(), {values.size()}, texts.data(), where);
}

void Object::set_attribute(const std::string& name, std::int64_t value) {
  write_attribute(id(), name, H5T_STD_I64LE, H5T_NATIVE_INT64, {}, &value, Where{file_, path_});
}

void Object::read_attribute(const std::string& name, std::vector<std::string>& out) const {
  const Where where{file_, path_};
  read_attribute_with(
      id(), name, 0, where,
      [&](hid_t attribute, hid_t type, hid_t space, std::size_t n, const std::string& operation) {
        if (H5Tget_class(type) != H5T_STRING) {
          throw DataError(file_ + ": attribute '" + name + "' of '" + path_ +
                          "' does not hold strings");
        }
        out = read_strings(type, space, n, where, operation, [&](hid_t memory_type, void* buffer) {
          return H5Aread(attribute, memory_type, buffer);
        });
      });
}

void Object::read_attribute(const std::string& name, std::string& out) const {
  std::vector<std::string> values;
  read_attribute(name, values);
  if (values.size() != 1) {
    throw DataError(file_ + ": attribute '" + name + "' of '" + path_ + "' holds " +
                    std::to_string(values.size()) + " strings, expected one");
  }
  out = std::move(values.front());
}

void Object::read_attribute(const std::string& name, std::int64_t& out) const {
  const Where where{file_, path_};
  read_attribute_with(
      id(), name, 1, where,
      [&](hid_t attribute, hid_t type, hid_t, std::size_t, const std::string& operation) {
        if (H5Tget_class(type) != H5T_INTEGER) {
          throw DataError(file_ + ": attribute '" + name + "' of '" + path_ +
                          "' does not hold an integer");
        }
        check(H5Aread(attribute, H5T_NATIVE_INT64, &out), file_, path_, operation);
      });
}

// --------------------------------------------------------------- Dataset --

Dataset::Dataset(Handle id, std::string file, std::string path, bool mpi_io)
    : Object(std::move(id), std::move(file), std::move(path), mpi_io) {
  const Where where{file_name(), this->path()};
  const Handle space = owned(H5Dget_space(this->id()), where, "get dataspace of");
  dims_ = space_dims(space.get(), where);
  const Handle type = owned(H5Dget_type(this->id()), where, "get type of");
  type_ = element_type_of(type.get());
}

void Dataset::check_block(const Dims& offset, const Dims& count, std::size_t values,
                          const char* operation) const {
  const auto problem = [&](const std::string& what) {
    return UsageError(file_name() + ": cannot " + operation + " block " + format_dims(offset) +
                      "+" + format_dims(count) + " of '" + path() + "' (extents " +
                      format_dims(dims_) + "): " + what);
  };
  if (offset.size() != dims_.size() || count.size() != dims_.size()) {
    throw problem("the block must have one offset and one count per dimension");
  }
  for (std::size_t i = 0; i < dims_.size(); ++i) {
    if (count[i] > dims_[i] || offset[i] > dims_[i] - count[i]) {
      throw problem("dimension " + std::to_string(i) + " is out of range");
    }
  }
  if (values != element_count(count)) {
    throw problem(std::to_string(values) + " values given for " +
                  std::to_string(element_count(count)) + " elements");
  }
}

namespace {

void require_type(const Dataset& dataset, bool ok, const char* wanted) {
  if (!ok) {
    throw DataError(dataset.file_name() + ": dataset '" + dataset.path() + "' does not hold " +
                    wanted);
  }
}

std::string block_operation(const char* verb, const Dims& offset, const Dims& count) {
  return std::string(verb) + " block " + format_dims(offset) + "+" + format_dims(count) + " of";
}

// One block of numbers; the block has been checked against the extents.
void write_numbers(hid_t dataset, const Dims& offset, const Dims& count, hid_t memory_type,
                   const void* buffer, const Where& where, bool mpi_io) {
  if (element_count(count) == 0) return;
  const Selection selection = select_block(dataset, offset, count, where);
  const Transfer transfer(mpi_io, where);
  check(H5Dwrite(dataset, memory_type, selection.memory_space.get(), selection.file_space.get(),
                 transfer.get(), buffer),
        where.file, where.path, block_operation("write", offset, count));
}

void read_numbers(hid_t dataset, const Dims& offset, const Dims& count, hid_t memory_type,
                  void* buffer, const Where& where, bool mpi_io) {
  if (element_count(count) == 0) return;
  const Selection selection = select_block(dataset, offset, count, where);
  const Transfer transfer(mpi_io, where);
  check(H5Dread(dataset, memory_type, selection.memory_space.get(), selection.file_space.get(),
                transfer.get(), buffer),
        where.file, where.path, block_operation("read", offset, count));
}

}  // namespace

void Dataset::write(const std::vector<double>& data) {
  write_block(Dims(dims_.size()), dims_, data);
}
void Dataset::write(const std::vector<std::int64_t>& data) {
  write_block(Dims(dims_.size()), dims_, data);
}
void Dataset::write(const std::vector<std::string>& data) {
  write_block(Dims(dims_.size()), dims_, data);
}

void Dataset::write_block(const Dims& offset, const Dims& count, const std::vector<double>& data) {
  check_block(offset, count, data.size(), "write");
  // Doubles go into float64 datasets only: HDF5 would truncate them silently into integers.
  require_type(*this, type_ == ElementType::float64, "floating-point numbers");
  write_numbers(id(), offset, count, H5T_NATIVE_DOUBLE, data.data(), Where{file_name(), path()},
                mpi_io());
}

void Dataset::write_block(const Dims& offset, const Dims& count,
                          const std::vector<std::int64_t>& data) {
  check_block(offset, count, data.size(), "write");
  require_type(*this, type_ == ElementType::int64, "integers");
  write_numbers(id(), offset, count, H5T_NATIVE_INT64, data.data(), Where{file_name(), path()},
                mpi_io());
}

void Dataset::write_block(const Dims& offset, const Dims& count,
                          const std::vector<std::string>& data) {
  check_block(offset, count, data.size(), "write");
  require_type(*this, type_ == ElementType::string, "strings");
  if (data.empty()) return;
  const Where where{file_name(), path()};
  const Selection selection = select_block(id(), offset, count, where);
  const Handle type = string_type(where);
  std::vector<const char*> texts;
  texts.reserve(data.size());
  for (const auto& text : data) texts.push_back(text.c_str());
  const Transfer transfer(mpi_io(), where);
  check(H5Dwrite(id(), type.get(), selection.memory_space.get(), selection.file_space.get(),
                 transfer.get(), texts.data()),
        file_name(), path(), block_operation("write", offset, count));
}

void Dataset::read_into(const Dims& offset, const Dims& count, std::vector<double>& out) const {
  check_block(offset, count, element_count(count), "read");
  require_type(*this, type_ == ElementType::float64 || type_ == ElementType::int64, "numbers");
  out.assign(element_count(count), 0.0);
  read_numbers(id(), offset, count, H5T_NATIVE_DOUBLE, out.data(), Where{file_name(), path()},
               mpi_io());
}

void Dataset::read_into(const Dims& offset, const Dims& count,
                        std::vector<std::int64_t>& out) const {
  check_block(offset, count, element_count(count), "read");
  require_type(*this, type_ == ElementType::int64, "integers");
  out.assign(element_count(count), 0);
  read_numbers(id(), offset, count, H5T_NATIVE_INT64, out.data(), Where{file_name(), path()},
               mpi_io());
}

void Dataset::read_into(const Dims& offset, const Dims& count,
                        std::vector<std::string>& out) const {
  const auto n = element_count(count);
  check_block(offset, count, n, "read");
  require_type(*this, type_ == ElementType::string, "strings");
  out.assign(n, std::string{});
  if (n == 0) return;
  const Where where{file_name(), path()};
  const Selection selection = select_block(id(), offset, count, where);
  const Handle type = owned(H5Dget_type(id()), where, "get type of");
  const std::string operation = block_operation("read", offset, count);
  const Transfer transfer(mpi_io(), where);
  out = read_strings(type.get(), selection.memory_space.get(), n, where, operation,
                     [&](hid_t memory_type, void* buffer) {
                       return H5Dread(id(), memory_type, selection.memory_space.get(),
                                      selection.file_space.get(), transfer.get(), buffer);
                     });
}

// ----------------------------------------------------------------- Group --

Group Group::create_group(const std::string& name) {
  const std::string path = child_path(name);
  const Where where{file_name(), path};
  const Handle properties = owned(H5Pcreate(H5P_GROUP_CREATE), where, "create group");
  untimed(properties.get(), where);
  Handle group = owned(H5Gcreate2(id(), name.c_str(), H5P_DEFAULT, properties.get(), H5P_DEFAULT),
                       where, "create group");
  return Group(std::move(group), file_name(), path, mpi_io());
}

Group Group::open_group(const std::string& name) const {
  const std::string path = child_path(name);
  Handle group =
      owned(H5Gopen2(id(), name.c_str(), H5P_DEFAULT), Where{file_name(), path}, "open group");
  return Group(std::move(group), file_name(), path, mpi_io());
}

Dataset Group::create_dataset(const std::string& name, ElementType type, const Dims& dims,
                              const Storage& storage) {
  const std::string path = child_path(name);
  const Where where{file_name(), path};
  const Handle stored_type = file_type(type, where);
  if (!storage.chunk.empty()) {
    bool fits = storage.chunk.size() == dims.size();
    for (std::size_t i = 0; fits && i < dims.size(); ++i) {
      fits = storage.chunk[i] >= 1 && storage.chunk[i] <= dims[i];
    }
    if (!fits) {
      throw UsageError(file_name() + ": cannot create dataset '" + path + "' with extents " +
                       format_dims(dims) + " in chunks of " + format_dims(storage.chunk) +
                       ": each chunk extent must be in [1, extent]");
    }
  }
  const Handle space = make_space(dims, where);
  const Handle properties = owned(H5Pcreate(H5P_DATASET_CREATE), where, "create dataset");
  untimed(properties.get(), where);
  const auto set = [&](herr_t status) { check(status, file_name(), path, "create dataset"); };
  if (!storage.chunk.empty()) {
    const auto chunk = to_hsize(storage.chunk);
    set(H5Pset_chunk(properties.get(), static_cast<int>(chunk.size()), chunk.data()));
  }
  if (storage.allocate_at_creation) {
    set(H5Pset_alloc_time(properties.get(), H5D_ALLOC_TIME_EARLY));
    set(H5Pset_fill_time(properties.get(), H5D_FILL_TIME_ALLOC));
  }
  if (type == ElementType::float64) {
    set(H5Pset_fill_value(properties.get(), H5T_NATIVE_DOUBLE, &storage.fill_float64));
  } else if (type == ElementType::int64) {
    set(H5Pset_fill_value(properties.get(), H5T_NATIVE_INT64, &storage.fill_int64));
  }
  Handle dataset = owned(H5Dcreate2(id(), name.c_str(), stored_type.get(), space.get(), H5P_DEFAULT,
                                    properties.get(), H5P_DEFAULT),
                         where, "create dataset");
  return Dataset(std::move(dataset), file_name(), path, mpi_io());
}

Dataset Group::open_dataset(const std::string& name) const {
  const std::string path = child_path(name);
  Handle dataset =
      owned(H5Dopen2(id(), name.c_str(), H5P_DEFAULT), Where{file_name(), path}, "open dataset");
  return Dataset(std::move(dataset), file_name(), path, mpi_io());
}

bool Group::contains(const std::string& name) const {
  // H5Lexists fails (rather than answering no) when an intermediate group
  // is missing, so check the path one component at a time.
  std::string prefix;
  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t end = std::min(name.find('/', start), name.size());
    prefix += (prefix.empty() ? "" : "/") + name.substr(start, end - start);
    if (check(H5Lexists(id(), prefix.c_str(), H5P_DEFAULT), file_name(), child_path(prefix),
              "look up") <= 0) {
      return false;
    }
    start = end + 1;
  }
  return true;
}

// ------------------------------------------------------------------ File --

File::File(Handle id, std::string file, Access access, bool mpi_io)
    : Group(std::move(id), std::move(file), "/", mpi_io), access_(access) {}

File File::create(const std::filesystem::path& path, bool overwrite) {
  silence_error_printing();
  const std::string file = path.string();
  const std::string no_object;  // errors concern the file as a whole
  const Where where{file, no_object};
  const Handle access = file_access(/*use_locking=*/true, where);
  Handle id = owned(
      H5Fcreate(file.c_str(), overwrite ? H5F_ACC_TRUNC : H5F_ACC_EXCL, H5P_DEFAULT, access.get()),
      where, "create");
  return File(std::move(id), file, Access::read_write, /*mpi_io=*/false);
}

File File::open(const std::filesystem::path& path, Access access) {
  silence_error_printing();
  const std::string file = path.string();
  const std::string no_object;  // errors concern the file as a whole
  require_existing(path);
  const Where where{file, no_object};
  const bool reading = access == Access::read_only;
  const unsigned flags = reading ? H5F_ACC_RDONLY : H5F_ACC_RDWR;
  const char* operation = reading ? "open for reading" : "open for writing";
  // Returns the file id, or the error stack (taken before closing the
  // property list, as any successful HDF5 call clears it).
  std::vector<std::string> stack;
  const auto open_with = [&](bool use_locking) {
    const Handle properties = file_access(use_locking, where);
    const hid_t id = H5Fopen(file.c_str(), flags, properties.get());
    if (id < 0) stack = take_error_stack();
    return id;
  };
  // Writers lock the file; readers do not, so that they can read it while
  // a writer runs.
  hid_t id = open_with(/*use_locking=*/!reading);
  // HDF5 shares one open file between opens within a process and refuses a
  // second open whose locking differs: then this process writes the file
  // already, so read it through that open (which takes no new lock).
  if (id < 0 && reading && mentions(stack, "file locking flag values don't match")) {
    id = open_with(/*use_locking=*/true);
  }
  if (id < 0) fail(file, no_object, operation, stack);
  return File(Handle{id}, file, access, /*mpi_io=*/false);
}

void File::require_existing(const std::filesystem::path& path) {
  const std::string file = path.string();
  std::error_code ignored;
  if (!std::filesystem::exists(path, ignored)) {
    throw DataError(file + ": cannot open: no such file", "check the path");
  }
  if (std::filesystem::is_directory(path, ignored)) {
    throw DataError(file + ": cannot open: it is a directory, not a file", "check the path");
  }
}

File File::open_parallel(const std::filesystem::path& path, Access access, MPI_Comm comm) {
  const std::string file = path.string();
#ifdef H5_HAVE_PARALLEL
  silence_error_printing();
  const std::string no_object;  // errors concern the file as a whole
  const Where where{file, no_object};
  const bool reading = access == Access::read_only;
  const char* operation = reading ? "open with MPI-IO for reading" : "open with MPI-IO for writing";
  // Locking as for serial opens; the MPI-IO driver takes no locks anyway.
  const Handle properties = file_access(/*use_locking=*/!reading, where);
  MPI_Info info = MPI_INFO_NULL;
  MPI_Info_create(&info);
  // ROMIO's data sieving writes a whole block around a noncontiguous
  // selection (read, modify, write back): bytes of other ranks' rows would
  // be rewritten with what this rank read. resqunn's raw writes are
  // contiguous runs anyway; the hint makes sure. Other MPI-IO
  // implementations ignore it.
  MPI_Info_set(info, "romio_ds_write", "disable");
  const herr_t set = H5Pset_fapl_mpio(properties.get(), comm, info);
  MPI_Info_free(&info);
  check(set, file, no_object, "set MPI-IO access for");
  const hid_t id = H5Fopen(file.c_str(), reading ? H5F_ACC_RDONLY : H5F_ACC_RDWR, properties.get());
  if (id < 0) fail(file, no_object, operation);
  return File(Handle{id}, file, access, /*mpi_io=*/true);
#else
  (void)access;
  (void)comm;
  throw UsageError(file + ": cannot open with MPI-IO: this resqunn was built with a serial HDF5",
                   "rebuild resqunn against a parallel HDF5 (libhdf5-openmpi-dev; "
                   "scripts/setup.sh installs it)");
#endif
}

void File::flush() {
  if (!handle().valid()) throw UsageError(file_name() + ": cannot flush: the file is closed");
  check(H5Fflush(id(), H5F_SCOPE_GLOBAL), file_name(), "", "flush");
}

void File::close() {
  if (!handle().close()) fail(file_name(), "", "close");
}

}  // namespace resqunn::io::h5
