// HDF5 identifiers: h5::Handle, which owns one, and the datatypes,
// dataspaces and property lists the HDF5 layer makes for its calls
// (detail/hdf5_handles.hpp); with the extent arithmetic of hdf5.hpp.
#include "resqunn/io/detail/hdf5_handles.hpp"

#include "resqunn/core/error.hpp"
#include "resqunn/io/detail/hdf5_errors.hpp"
#include "resqunn/io/hdf5.hpp"

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <utility>

namespace resqunn::io {

// ---------------------------------------------------------------- Handle --

namespace h5 {

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

namespace {

/// The close call of each kind of identifier a Handle may own.
struct Closer {
  H5I_type_t type;
  herr_t (*close)(hid_t);
};
constexpr Closer kClosers[] = {{H5I_FILE, H5Fclose},       {H5I_GROUP, H5Gclose},
                               {H5I_DATASET, H5Dclose},    {H5I_ATTR, H5Aclose},
                               {H5I_DATASPACE, H5Sclose},  {H5I_DATATYPE, H5Tclose},
                               {H5I_GENPROP_LST, H5Pclose}};

}  // namespace

bool Handle::close() noexcept {
  if (id_ < 0) return true;
  const H5I_type_t type = H5Iget_type(id_);
  const auto* closer = std::find_if(std::begin(kClosers), std::end(kClosers),
                                    [type](const Closer& c) { return c.type == type; });
  // Anything else (an error stack, a VOL object) is released by reference.
  const herr_t status =
      closer != std::end(kClosers) ? closer->close(id_) : (H5Idec_ref(id_) < 0 ? -1 : 0);
  id_ = -1;
  return status >= 0;
}

// --------------------------------------------------------------- extents --

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

void close_library() noexcept { H5close(); }

std::uint64_t element_count(const Dims& dims) noexcept {
  std::uint64_t n = 1;
  for (const auto extent : dims) n *= extent;
  return n;
}

}  // namespace h5

namespace detail {

using h5::Dims;
using h5::ElementType;
using h5::Handle;

Handle owned(hid_t id, const Where& where, const std::string& operation) {
  return Handle{check(id, where.file, where.path, operation)};
}

// ----------------------------------------------------------------- types --

Handle string_type(const Where& where, H5T_cset_t cset) {
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

// ---------------------------------------------------------------- spaces --

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

// ------------------------------------------------------- property lists --

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

namespace {
// One independent-transfer list for the process: making a list per write
// cost a tenth of a tiny sweep point's time (H5Pcreate's property copies).
// HDF5 calls come from one thread of a rank; H5close invalidates the id,
// which H5Iis_valid notices, so a library that starts again makes a new one.
hid_t independent_transfer = H5I_INVALID_HID;
}  // namespace

Transfer::Transfer(bool mpi_io, const Where& where) {
#ifdef H5_HAVE_PARALLEL
  if (!mpi_io) return;
  if (independent_transfer < 0 || H5Iis_valid(independent_transfer) <= 0) {
    h5::Handle list = owned(H5Pcreate(H5P_DATASET_XFER), where, "make transfer properties for");
    check(H5Pset_dxpl_mpio(list.get(), H5FD_MPIO_INDEPENDENT), where.file, where.path,
          "make transfer properties for");
    H5Iinc_ref(list.get());  // outlives `list`: H5close releases it
    independent_transfer = list.get();
  }
  list_ = independent_transfer;
#else
  (void)mpi_io;
  (void)where;
#endif
}

void untimed(hid_t creation_properties, const Where& where) {
  check(H5Pset_obj_track_times(creation_properties, 0), where.file, where.path,
        "set creation properties for");
}

}  // namespace detail

}  // namespace resqunn::io
