// h5::Object: paths and attributes (strings, string lists, integers) of
// groups and datasets.
#include "resqunn/core/error.hpp"
#include "resqunn/io/detail/hdf5_errors.hpp"
#include "resqunn/io/detail/hdf5_handles.hpp"
#include "resqunn/io/detail/hdf5_strings.hpp"
#include "resqunn/io/hdf5.hpp"

#include <utility>

namespace resqunn::io::h5 {

using namespace detail;

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

std::string Object::child_path(const std::string& name) const {
  return path_ == "/" ? "/" + name : path_ + "/" + name;
}

bool Object::has_attribute(const std::string& name) const {
  return check(H5Aexists(id(), name.c_str()), file_, path_, "look up attribute '" + name + "' of") >
         0;
}

void Object::set_attribute(const std::string& name, const std::string& value) {
  const Where where{file_, path_};
  const Handle type = string_type(where);
  const char* text = value.c_str();
  write_attribute(id(), name, type.get(), type.get(), {}, &text, where);
}

void Object::set_attribute(const std::string& name, const std::vector<std::string>& values) {
  const Where where{file_, path_};
  const Handle type = string_type(where);
  const std::vector<const char*> texts = c_strings(values);
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

}  // namespace resqunn::io::h5
