// A small RAII layer over the HDF5 C API, in the spirit of HighFive: files,
// groups and datasets are move-only handle objects; datasets read and write
// std::vector<double>, std::vector<std::int64_t> and UTF-8 strings, whole or
// as hyperslab blocks; every HDF5 failure becomes a resqunn::DataError whose
// message names the file, the object path and the operation (HDF5's own
// error-stack printing is switched off and folded into that message).
//
// HDF5's headers stay out of this one: identifiers are held as std::int64_t
// (hid_t is int64_t since HDF5 1.10) and extents as std::uint64_t. MPI's is
// in: a file can be opened with the MPI-IO driver on a communicator.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace resqunn::io::h5 {

/// Extents of a dataspace, outermost first. Empty means a scalar.
using Dims = std::vector<std::uint64_t>;

/// What a dataset holds, as resqunn stores it: little-endian IEEE doubles,
/// little-endian 64-bit signed integers, or variable-length UTF-8 strings.
/// `other` is anything else found in a file (readable only if HDF5 can
/// convert it to what the caller asks for).
enum class ElementType { float64, int64, string, other };

/// Whether a file is opened for reading only or for reading and writing.
enum class Access { read_only, read_write };

/// Owns one HDF5 identifier of any kind (file, group, dataset, attribute,
/// dataspace, datatype, property list) and closes it on destruction.
class Handle {
public:
  Handle() noexcept = default;
  explicit Handle(std::int64_t id) noexcept : id_(id) {}
  Handle(Handle&& other) noexcept;
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle();

  std::int64_t get() const noexcept { return id_; }
  bool valid() const noexcept { return id_ >= 0; }
  /// Closes the identifier now; false if HDF5 reported an error (the error
  /// stack is then left for the caller to turn into an exception).
  bool close() noexcept;

private:
  std::int64_t id_ = -1;
};

/// How a dataset is stored. The defaults are what resqunn's results files
/// need: everything allocated and filled at creation, so that all later
/// writes change raw data only and never HDF5 metadata (see
/// docs/hdf5-schema.md, "Write protocol").
struct Storage {
  /// Chunk extents, same rank as the dataset and each in [1, extent];
  /// empty for a contiguous dataset. Datasets with a zero extent cannot be
  /// chunked: pass an empty chunk for them.
  Dims chunk;
  /// Allocate all storage and write the fill value when the dataset is
  /// created rather than on first write.
  bool allocate_at_creation = true;
  /// Value of never-written elements of float64 datasets.
  double fill_float64 = std::numeric_limits<double>::quiet_NaN();
  /// Value of never-written elements of int64 datasets.
  std::int64_t fill_int64 = -1;
  // String datasets read "" where nothing was written.
};

/// Chunk extents for a dataset of `dims` with `element_bytes`-byte elements
/// whose chunks should hold about `target_bytes`: whole trailing dimensions
/// as far as they fit, then as many rows of the next one as fit (at least
/// one), then 1. Empty (contiguous) for a scalar or when any extent is 0.
Dims chunk_shape(const Dims& dims, std::size_t element_bytes, std::size_t target_bytes);

/// Product of the extents (1 for a scalar).
std::uint64_t element_count(const Dims& dims) noexcept;

/// Whether this build's HDF5 has the MPI-IO driver (File::open_parallel).
bool parallel_available() noexcept;

/// Shuts the HDF5 library down (H5close): every object still open is
/// closed now, while MPI is alive, rather than inside MPI_Finalize (where
/// parallel HDF5 otherwise does it). Call it after every File is closed and
/// before MPI_Finalize; HDF5 starts again on its next use.
void close_library() noexcept;

/// A group or a dataset: something with a path in a file and attributes.
class Object {
public:
  /// The file's name as it was opened, for messages.
  const std::string& file_name() const noexcept { return file_; }
  /// Absolute path inside the file, e.g. "/metrics/val_acc".
  const std::string& path() const noexcept { return path_; }
  /// Whether the file was opened with the MPI-IO driver (File::open_parallel).
  bool mpi_io() const noexcept { return mpi_io_; }

  bool has_attribute(const std::string& name) const;
  /// Creates the attribute, or overwrites it in place when one of the same
  /// kind and size exists (else replaces it).
  void set_attribute(const std::string& name, const std::string& value);
  void set_attribute(const std::string& name, const std::vector<std::string>& values);
  void set_attribute(const std::string& name, std::int64_t value);
  /// T is std::string, std::vector<std::string> or std::int64_t. Throws
  /// DataError if the attribute is missing or cannot be converted to T.
  template <class T>
  T attribute(const std::string& name) const {
    T value{};
    read_attribute(name, value);
    return value;
  }

protected:
  Object(Handle id, std::string file, std::string path, bool mpi_io)
      : id_(std::move(id)), file_(std::move(file)), path_(std::move(path)), mpi_io_(mpi_io) {}
  std::int64_t id() const noexcept { return id_.get(); }
  Handle& handle() noexcept { return id_; }
  /// Path of the child `name` of this object.
  std::string child_path(const std::string& name) const;

private:
  void read_attribute(const std::string& name, std::string& out) const;
  void read_attribute(const std::string& name, std::vector<std::string>& out) const;
  void read_attribute(const std::string& name, std::int64_t& out) const;

  Handle id_;
  std::string file_;
  std::string path_;
  bool mpi_io_ = false;
};

/// An n-dimensional array in a file. Data are row-major (last index
/// fastest). Blocks are hyperslabs [offset, offset + count) with one entry
/// per dimension; an out-of-range block is a UsageError.
///
/// In a file opened with MPI-IO every read and write uses independent
/// transfer (H5FD_MPIO_INDEPENDENT): one rank may call it alone. Parallel
/// HDF5 1.10 cannot write variable-length strings at all.
class Dataset : public Object {
public:
  const Dims& dims() const noexcept { return dims_; }
  ElementType element_type() const noexcept { return type_; }

  /// Writes the whole dataset: `data.size()` must equal element_count(dims()).
  void write(const std::vector<double>& data);
  void write(const std::vector<std::int64_t>& data);
  void write(const std::vector<std::string>& data);

  /// Writes one block; `data.size()` must equal element_count(count).
  void write_block(const Dims& offset, const Dims& count, const std::vector<double>& data);
  void write_block(const Dims& offset, const Dims& count, const std::vector<std::int64_t>& data);
  void write_block(const Dims& offset, const Dims& count, const std::vector<std::string>& data);

  /// T is double, std::int64_t or std::string.
  template <class T>
  std::vector<T> read() const {
    return read_block<T>(Dims(dims_.size(), 0), dims_);
  }
  template <class T>
  std::vector<T> read_block(const Dims& offset, const Dims& count) const {
    std::vector<T> out;
    read_into(offset, count, out);
    return out;
  }

private:
  friend class Group;
  Dataset(Handle id, std::string file, std::string path, bool mpi_io);

  void check_block(const Dims& offset, const Dims& count, std::size_t values,
                   const char* operation) const;
  /// Writes `values` numbers at `data` (HDF5 memory type `memory_type`) into
  /// a dataset of element type `stored`; `wanted` names them in the error.
  void write_numbers_block(const Dims& offset, const Dims& count, const void* data,
                           std::size_t values, ElementType stored, std::int64_t memory_type,
                           const char* wanted);
  void read_into(const Dims& offset, const Dims& count, std::vector<double>& out) const;
  void read_into(const Dims& offset, const Dims& count, std::vector<std::int64_t>& out) const;
  void read_into(const Dims& offset, const Dims& count, std::vector<std::string>& out) const;

  Dims dims_;
  ElementType type_ = ElementType::other;
};

/// A group: creates and opens groups and datasets by name relative to it
/// ("a/b" works when "a" exists).
class Group : public Object {
public:
  Group create_group(const std::string& name);
  Group open_group(const std::string& name) const;
  /// Creates a dataset of `type` (not ElementType::other) and extents `dims`.
  Dataset create_dataset(const std::string& name, ElementType type, const Dims& dims,
                         const Storage& storage = {});
  Dataset open_dataset(const std::string& name) const;
  /// Whether a link `name` (relative; every component checked) exists.
  bool contains(const std::string& name) const;

protected:
  using Object::Object;

private:
  /// `opened` (owned), found at `path`, as a Group or Dataset of this file.
  template <class Child>
  Child adopt(Handle opened, std::string path) const {
    return Child(std::move(opened), file_name(), std::move(path), mpi_io());
  }
};

/// An HDF5 file; also its root group "/". The file stays open until this
/// object and every Group or Dataset taken from it are gone or closed.
///
/// Locking: HDF5 >= 1.10 locks files it opens (flock), exclusively for
/// writers, and a reader then fails with "unable to lock file" while a
/// writer has the file open. Read-only opens therefore switch locking off,
/// so that `resqunn status` and analysis can read a file during a run (see
/// docs/hdf5-schema.md on what a reader may trust). Writers keep it, but
/// carry on where the file system does not support locks (Lustre mounted
/// without flock). The environment variable HDF5_USE_FILE_LOCKING, when
/// set, overrides both.
class File : public Group {
public:
  /// Creates a new file. Throws if it exists, unless `overwrite`, which
  /// truncates it.
  static File create(const std::filesystem::path& path, bool overwrite);
  /// Opens an existing file. Throws DataError naming the problem (missing,
  /// not HDF5, truncated, locked, ...).
  static File open(const std::filesystem::path& path, Access access);
  /// Opens an existing file with the MPI-IO driver on `comm`; collective
  /// over `comm` (every rank calls it with the same arguments). Throws
  /// UsageError when HDF5 is not parallel. The caller must make sure the
  /// file exists on every rank first: a rank that throws before the
  /// collective open leaves the others waiting in it.
  ///
  /// Under MPI-IO, HDF5 requires every call that changes metadata
  /// (creating objects, writing attributes or strings), H5Fflush (flush())
  /// and the last close of every object (close(), destruction) to be made
  /// by all ranks together; raw-data reads and writes of datasets are
  /// independent. The ROMIO hint romio_ds_write=disable is set, so that an
  /// independent write never reads and rewrites bytes around it (data
  /// sieving) that another rank may be writing.
  static File open_parallel(const std::filesystem::path& path, Access access, MPI_Comm comm);
  /// Throws the DataError File::open would throw if `path` is missing or a
  /// directory; does nothing otherwise.
  static void require_existing(const std::filesystem::path& path);

  bool writable() const noexcept { return access_ == Access::read_write; }
  /// Writes everything HDF5 buffers (metadata cache, chunk caches) to the
  /// operating system, so that another process reading the file sees it.
  /// Collective under MPI-IO.
  void flush();
  /// Flushes and closes; throws if HDF5 reports an error. Idempotent.
  /// Collective under MPI-IO.
  void close();

private:
  File(Handle id, std::string file, Access access, bool mpi_io);
  Access access_;
};

}  // namespace resqunn::io::h5
