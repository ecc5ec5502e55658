// ResultsFile's state, shared by the results*.cpp sources: the open HDF5
// file, its layout, every dataset of the schema (opened once, up front), and
// the checks every writer and reader makes. Internal: included by the
// results*.cpp sources only.
#pragma once

#include "resqunn/core/error.hpp"
#include "resqunn/io/hdf5.hpp"
#include "resqunn/io/provenance.hpp"
#include "resqunn/io/results.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>

namespace resqunn::io {

struct ResultsFile::Impl {
  std::filesystem::path path;
  h5::File file;
  ResultsLayout layout;
  std::map<std::string, h5::Dataset> arrays;  // every ArraySpec, by path
  bool parallel = false;                      // opened with open_parallel
  // A created file until publish(): it lives at its staging name.
  std::filesystem::path staging;
  int uncaught_at_create = 0;  // std::uncaught_exceptions() when created

  Impl(std::filesystem::path p, h5::File f, ResultsLayout l)
      : path(std::move(p)), file(std::move(f)), layout(std::move(l)) {}

  h5::Dataset& array(const std::string& name) { return arrays.at(name); }
  const h5::Dataset& array(const std::string& name) const { return arrays.at(name); }

  std::string name() const { return path.string(); }

  void require_writable(const char* operation) const {
    if (!file.writable()) {
      throw UsageError(name() + ": cannot " + operation +
                       ": the results file was opened read-only");
    }
  }

  // Strings and attributes are HDF5 metadata: parallel HDF5 1.10 cannot
  // write strings through MPI-IO, and metadata changes would have to be
  // collective, which ranks writing their own points are not.
  void require_serial(const char* operation) const {
    require_writable(operation);
    if (parallel) {
      throw UsageError(name() + ": cannot " + operation +
                           ": metadata writes need the serial open (this file was opened "
                           "with open_parallel)",
                       "write point descriptions and the end time from one rank with "
                       "ResultsFile::open or create, before or after the parallel phase");
    }
  }

  // Serial mode: hands what HDF5 buffers (the chunk caches) to the OS, so
  // that what was written before reaches the file before what comes after.
  // Parallel mode: nothing is buffered (see ResultsFile::flush).
  void flush_serial() {
    if (!parallel) file.flush();
  }

  void check_index(const char* what, int index, int size, const char* size_name) const {
    if (index < 0 || index >= size) {
      throw UsageError(name() + ": " + what + " " + std::to_string(index) +
                       " is out of range: the file has " + std::to_string(size) + " " + size_name +
                       (size > 0 ? " (0.." + std::to_string(size - 1) + ")" : ""));
    }
  }
  void check_point(int point) const { check_index("point", point, layout.points, "points"); }
  void check_epoch(int epoch) const {
    check_index("epoch", epoch, layout.epochs, "epochs per point");
  }
  void check_steps(int first, std::size_t count) const {
    if (first < 0 || count > static_cast<std::size_t>(layout.steps) ||
        static_cast<std::size_t>(first) > static_cast<std::size_t>(layout.steps) - count) {
      throw UsageError(
          name() + ": steps " + std::to_string(first) + ".." +
          std::to_string(static_cast<long long>(first) + static_cast<long long>(count) - 1) +
          " are out of range: the file has " + std::to_string(layout.steps) + " steps per point");
    }
  }
  void check_size(const char* what, std::size_t size, std::size_t expected) const {
    if (size != expected) {
      throw UsageError(name() + ": " + what + " has " + std::to_string(size) +
                       " values, expected " + std::to_string(expected));
    }
  }

  // results_points.cpp: throws UsageError if `info` does not fit the layout.
  void validate(const PointInfo& info, int point) const;
  // results_metrics.cpp: the point's weight count when known, else the
  // padded width.
  std::size_t weights_of(int point) const;
  // results_checkpoint.cpp: the slot of the point's latest complete
  // checkpoint, -1 if none.
  std::int64_t current_checkpoint_slot(int point) const;

  // results_schema.cpp: every group and dataset of the layout, at full size.
  void create_schema(const std::string& spec_toml, const Provenance& provenance);
  // results_schema.cpp: checks the file against the schema, reads its
  // layout and opens every dataset.
  void open_schema();
  // results_provenance.cpp: the /provenance group and its attributes.
  void write_provenance(const Provenance& provenance);
};

}  // namespace resqunn::io
