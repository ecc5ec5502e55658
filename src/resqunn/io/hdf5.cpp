// The HDF5 layer's entry points: h5::File (create, open serially or with
// MPI-IO, flush, close) and h5::Group (create and open groups and
// datasets). The rest of hdf5.hpp lives beside this file:
//   hdf5_handles.cpp     h5::Handle; datatypes, dataspaces, property lists
//   hdf5_attributes.cpp  h5::Object: paths and attributes
//   hdf5_dataset.cpp     h5::Dataset: block reads and writes
//   hdf5_errors.cpp      HDF5's error stack, diagnosed into a DataError
// with the helpers they share in detail/hdf5_*.hpp (strings are read in
// detail/hdf5_strings.hpp, for datasets and attributes alike).
#include "resqunn/io/hdf5.hpp"

#include "resqunn/core/error.hpp"
#include "resqunn/io/detail/hdf5_errors.hpp"
#include "resqunn/io/detail/hdf5_handles.hpp"

#include <hdf5.h>

#include <algorithm>
#include <utility>

namespace resqunn::io::h5 {

using namespace detail;

// ----------------------------------------------------------------- Group --

Group Group::create_group(const std::string& name) {
  const std::string path = child_path(name);
  const Where where{file_name(), path};
  const Handle properties = owned(H5Pcreate(H5P_GROUP_CREATE), where, "create group");
  untimed(properties.get(), where);
  return adopt<Group>(
      owned(H5Gcreate2(id(), name.c_str(), H5P_DEFAULT, properties.get(), H5P_DEFAULT), where,
            "create group"),
      path);
}

Group Group::open_group(const std::string& name) const {
  const std::string path = child_path(name);
  return adopt<Group>(
      owned(H5Gopen2(id(), name.c_str(), H5P_DEFAULT), Where{file_name(), path}, "open group"),
      path);
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
  return adopt<Dataset>(owned(H5Dcreate2(id(), name.c_str(), stored_type.get(), space.get(),
                                         H5P_DEFAULT, properties.get(), H5P_DEFAULT),
                              where, "create dataset"),
                        path);
}

Dataset Group::open_dataset(const std::string& name) const {
  const std::string path = child_path(name);
  return adopt<Dataset>(
      owned(H5Dopen2(id(), name.c_str(), H5P_DEFAULT), Where{file_name(), path}, "open dataset"),
      path);
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
