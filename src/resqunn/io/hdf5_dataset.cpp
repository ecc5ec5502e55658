// h5::Dataset: block checks, and numbers and strings read and written
// whole or as hyperslab blocks (independent transfer under MPI-IO).
#include "resqunn/core/error.hpp"
#include "resqunn/io/detail/hdf5_errors.hpp"
#include "resqunn/io/detail/hdf5_handles.hpp"
#include "resqunn/io/detail/hdf5_strings.hpp"
#include "resqunn/io/hdf5.hpp"

#include <utility>

namespace resqunn::io::h5 {

using namespace detail;

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

enum class Direction { write, read };

// One block between `buffer` and the file; the block has been checked
// against the extents. Writes only read `buffer` (H5Dwrite takes it const).
void transfer_block(Direction direction, hid_t dataset, const Dims& offset, const Dims& count,
                    hid_t memory_type, void* buffer, const Where& where, bool mpi_io) {
  if (element_count(count) == 0) return;
  const Selection selection = select_block(dataset, offset, count, where);
  const Transfer transfer(mpi_io, where);
  const hid_t memory = selection.memory_space.get();
  const hid_t file = selection.file_space.get();
  const bool write = direction == Direction::write;
  check(write ? H5Dwrite(dataset, memory_type, memory, file, transfer.get(), buffer)
              : H5Dread(dataset, memory_type, memory, file, transfer.get(), buffer),
        where.file, where.path, block_operation(write ? "write" : "read", offset, count));
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

void Dataset::write_numbers_block(const Dims& offset, const Dims& count, const void* data,
                                  std::size_t values, ElementType stored, std::int64_t memory_type,
                                  const char* wanted) {
  check_block(offset, count, values, "write");
  require_type(*this, type_ == stored, wanted);
  transfer_block(Direction::write, id(), offset, count, memory_type, const_cast<void*>(data),
                 Where{file_name(), path()}, mpi_io());
}

void Dataset::write_block(const Dims& offset, const Dims& count, const std::vector<double>& data) {
  // Doubles go into float64 datasets only: HDF5 would truncate them silently into integers.
  write_numbers_block(offset, count, data.data(), data.size(), ElementType::float64,
                      H5T_NATIVE_DOUBLE, "floating-point numbers");
}

void Dataset::write_block(const Dims& offset, const Dims& count,
                          const std::vector<std::int64_t>& data) {
  write_numbers_block(offset, count, data.data(), data.size(), ElementType::int64, H5T_NATIVE_INT64,
                      "integers");
}

void Dataset::write_block(const Dims& offset, const Dims& count,
                          const std::vector<std::string>& data) {
  check_block(offset, count, data.size(), "write");
  require_type(*this, type_ == ElementType::string, "strings");
  if (data.empty()) return;
  const Where where{file_name(), path()};
  const Handle type = string_type(where);
  std::vector<const char*> texts = c_strings(data);
  transfer_block(Direction::write, id(), offset, count, type.get(), texts.data(), where, mpi_io());
}

void Dataset::read_into(const Dims& offset, const Dims& count, std::vector<double>& out) const {
  check_block(offset, count, element_count(count), "read");
  require_type(*this, type_ == ElementType::float64 || type_ == ElementType::int64, "numbers");
  out.assign(element_count(count), 0.0);
  transfer_block(Direction::read, id(), offset, count, H5T_NATIVE_DOUBLE, out.data(),
                 Where{file_name(), path()}, mpi_io());
}

void Dataset::read_into(const Dims& offset, const Dims& count,
                        std::vector<std::int64_t>& out) const {
  check_block(offset, count, element_count(count), "read");
  require_type(*this, type_ == ElementType::int64, "integers");
  out.assign(element_count(count), 0);
  transfer_block(Direction::read, id(), offset, count, H5T_NATIVE_INT64, out.data(),
                 Where{file_name(), path()}, mpi_io());
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

}  // namespace resqunn::io::h5
