// The HDF5 identifiers the HDF5 layer (hdf5.hpp) makes for one call and
// owns through h5::Handle: datatypes, dataspaces and block selections, and
// property lists (file access, transfer, creation). Internal: included by
// the io sources only (it includes <hdf5.h>, which hdf5.hpp keeps out).
#pragma once

#include "resqunn/io/hdf5.hpp"

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace resqunn::io::detail {

static_assert(std::is_same_v<hid_t, std::int64_t>,
              "resqunn::io::h5 holds identifiers as std::int64_t: needs HDF5 >= 1.10");

/// The file and object an HDF5 call concerns, for its error messages.
struct Where {
  const std::string& file;
  const std::string& path;
};

/// Owns `id`, or throws (check()) if HDF5 failed to make it.
h5::Handle owned(hid_t id, const Where& where, const std::string& operation);

// ----------------------------------------------------------------- types --

/// Variable-length strings; UTF-8 unless a file's own type says otherwise
/// (reading with the file's character set avoids a conversion HDF5 refuses).
h5::Handle string_type(const Where& where, H5T_cset_t cset = H5T_CSET_UTF8);

/// The type resqunn stores elements of `type` as (UsageError for `other`).
h5::Handle file_type(h5::ElementType type, const Where& where);

/// What a stored datatype holds, by its class.
h5::ElementType element_type_of(hid_t type);

// ---------------------------------------------------------------- spaces --

std::vector<hsize_t> to_hsize(const h5::Dims& dims);

/// A simple dataspace of `dims`, or a scalar one for no dims.
h5::Handle make_space(const h5::Dims& dims, const Where& where);

/// The extents of dataspace `space`.
h5::Dims space_dims(hid_t space, const Where& where);

/// File- and memory-side dataspaces for one block of a dataset.
struct Selection {
  h5::Handle file_space;
  h5::Handle memory_space;
};

/// Selects the block [offset, offset + count) of `dataset` (checked by the
/// caller) and makes the memory space of its shape.
Selection select_block(hid_t dataset, const h5::Dims& offset, const h5::Dims& count,
                       const Where& where);

// ------------------------------------------------------- property lists --

/// File access properties: the default driver, with file locking on or
/// off (where HDF5 lets us choose; see h5::File on locking).
h5::Handle file_access(bool use_locking, const Where& where);

/// Dataset transfer properties for one read or write: HDF5's default, or,
/// in a file opened with MPI-IO, independent transfer. (Independent is also
/// HDF5's default there; spelled out because every raw-data call resqunn
/// makes may come from one rank alone.)
class Transfer {
public:
  Transfer(bool mpi_io, const Where& where);
  /// The list, kept for the process (not closed by this object).
  hid_t get() const noexcept { return list_; }

private:
  hid_t list_ = H5P_DEFAULT;
};

/// Object creation properties shared by groups and datasets. Modification
/// times are not recorded, so that identical arguments give identical files
/// (what collective creation under parallel HDF5 relies on).
void untimed(hid_t creation_properties, const Where& where);

}  // namespace resqunn::io::detail
