// ResultsFile's life: create, open (serially or with MPI-IO), flush and
// close. The rest of results.hpp lives beside this file:
//   results_schema.cpp      layouts; every group and dataset, made or checked
//   results_points.cpp      /points: what identifies each point, its summary
//   results_metrics.cpp     /metrics, /traces, /weights/final
//   results_checkpoint.cpp  /checkpoint: the two slots per point
//   results_provenance.cpp  /spec and /provenance
// detail/results_schema.hpp names every path of the schema;
// detail/results_impl.hpp is the state and checks they share.
#include "resqunn/io/results.hpp"

#include "resqunn/core/error.hpp"
#include "resqunn/core/fault_points.hpp"
#include "resqunn/core/text.hpp"
#include "resqunn/io/detail/results_impl.hpp"
#include "resqunn/io/hdf5.hpp"
#include "resqunn/parallel/agreement.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <exception>
#include <memory>
#include <utility>

namespace resqunn::io {

namespace {

constexpr Named<PointState> kPointStates[] = {{PointState::pending, "pending"},
                                              {PointState::running, "running"},
                                              {PointState::done, "done"},
                                              {PointState::failed, "failed"}};

// HDF5 1.10 cannot recover from a failed metadata write ("no space left"):
// the file can no longer be closed, and the library crashes when it shuts
// down. So a file that would not fit is refused before it is begun. (A
// disk that fills up while the file is being created, by someone else, can
// still meet that HDF5 defect: docs/sweeps.md, "One writer, atomic
// creation".)
void require_space_for(const std::filesystem::path& path, std::uint64_t bytes) {
  std::error_code error;
  auto dir = path.parent_path();
  if (dir.empty()) dir = ".";
  const auto space = std::filesystem::space(dir, error);
  if (error || space.available == static_cast<std::uintmax_t>(-1)) return;  // unknown: try
  spdlog::debug("{}: about {} bytes, {} bytes free", path.string(), bytes, space.available);
  if (space.available >= bytes) return;
  const auto mib = [](std::uint64_t b) {
    return fmt::format("{:.1f}", static_cast<double>(b) / (1 << 20));
  };
  throw Error("cannot create " + path.string() + ": a results file of this size needs about " +
                  mib(bytes) + " MiB, and its file system has " + mib(space.available) +
                  " MiB free: no space left on the device",
              "free some space or write somewhere else");
}

}  // namespace

const char* to_string(PointState state) noexcept {
  // A state read from a damaged or newer file may be none of these.
  const std::string_view name = name_of(state, kPointStates);
  return name == "?" ? "unknown" : name.data();  // the table's literals end in '\0'
}

// ----------------------------------------------------------- ResultsFile --

ResultsFile::ResultsFile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ResultsFile::ResultsFile(ResultsFile&&) noexcept = default;
ResultsFile& ResultsFile::operator=(ResultsFile&& other) noexcept {
  if (this != &other) {
    finish_unpublished(impl_);
    impl_ = std::move(other.impl_);
  }
  return *this;
}
ResultsFile::~ResultsFile() { finish_unpublished(impl_); }

// A created file that goes out of scope unpublished: discarded while an
// exception unwinds (whatever made it failed), else published (the
// caller is done with it, as with close()).
void ResultsFile::finish_unpublished(std::unique_ptr<Impl>& impl) noexcept {
  if (!impl || impl->staging.empty()) return;
  if (std::uncaught_exceptions() > impl->uncaught_at_create) {
    discard_unpublished(impl);
    return;
  }
  try {
    ResultsFile file(std::move(impl));
    file.publish();
  } catch (const std::exception&) {
    // The destructor of `file` discarded it.
  }
}

// Never throws: it runs on error paths and in destructors. The file is
// emptied before HDF5 closes it: after "no space left on the device" the
// close would fail writing the metadata it still holds, and HDF5 1.10
// leaves a failed file close half done, to crash when the library shuts
// down (in MPI_Finalize). Emptied, the file's blocks are free for that last
// write, which then succeeds.
void ResultsFile::discard_unpublished(std::unique_ptr<Impl>& impl) noexcept {
  if (!impl || impl->staging.empty()) return;
  const auto staging = impl->staging;
  std::error_code ignored;
  std::filesystem::resize_file(staging, 0, ignored);
  impl.reset();
  std::filesystem::remove(staging, ignored);
}

std::filesystem::path ResultsFile::staging_path(const std::filesystem::path& path) {
  return path.string() + ".creating";
}

ResultsFile ResultsFile::create(const std::filesystem::path& path, const ResultsLayout& layout,
                                const std::string& spec_toml, const Provenance& provenance,
                                bool overwrite) {
  layout.validate();
  std::error_code ignored;
  if (!overwrite && std::filesystem::exists(path, ignored)) {
    throw UsageError(path.string() + " already exists",
                     "pass --overwrite to replace it, or choose another output file");
  }
  require_space_for(path, layout.estimated_bytes(spec_toml.size()));
  // A staging file is one a killed run left (the caller holds the lock).
  const auto staging = staging_path(path);
  auto impl = std::make_unique<Impl>(path, h5::File::create(staging, true), layout);
  impl->staging = staging;
  impl->uncaught_at_create = std::uncaught_exceptions();
  fault_point("create:empty");
  try {
    impl->create_schema(spec_toml, provenance);
    impl->file.flush();
  } catch (...) {
    // Leave no half-made file behind: it would only be refused later.
    discard_unpublished(impl);
    throw;
  }
  return ResultsFile(std::move(impl));
}

void ResultsFile::publish() {
  if (!impl_ || impl_->staging.empty()) return;
  impl_->file.flush();
  std::error_code error;
  std::filesystem::rename(impl_->staging, impl_->path, error);
  if (error) {
    throw Error("cannot move the new results file " + impl_->staging.string() + " to " +
                    impl_->path.string() + ": " + error.message(),
                "check that the directory is writable and that " + impl_->path.string() +
                    " is not a directory");
  }
  impl_->staging.clear();
}

ResultsFile ResultsFile::open(const std::filesystem::path& path, OpenMode mode) {
  auto file = h5::File::open(
      path, mode == OpenMode::read_write ? h5::Access::read_write : h5::Access::read_only);
  auto impl = std::make_unique<Impl>(path, std::move(file), ResultsLayout{});
  impl->open_schema();
  return ResultsFile(std::move(impl));
}

ResultsFile ResultsFile::open_parallel(const std::filesystem::path& path, MPI_Comm comm) {
  // Every step ends in an agreement, so that no rank waits in a collective
  // call (H5Fopen, H5Fclose) that a failed rank never makes.
  MPI_Barrier(comm);  // a rank that just closed the file serially is done with it
  std::exception_ptr failure;
  try {
    if (!h5::parallel_available()) {
      throw UsageError(
          path.string() + ": cannot open with MPI-IO: this resqunn was built with a serial HDF5",
          "rebuild resqunn against a parallel HDF5 (libhdf5-openmpi-dev; "
          "scripts/setup.sh installs it)");
    }
    h5::File::require_existing(path);
  } catch (...) {
    failure = std::current_exception();
  }
  parallel::agree_or_rethrow(comm, failure);

  std::unique_ptr<Impl> impl;  // outlives a failure, to be closed by every rank together
  try {
    impl = std::make_unique<Impl>(path, h5::File::open_parallel(path, h5::Access::read_write, comm),
                                  ResultsLayout{});
    impl->parallel = true;
    impl->open_schema();  // every dataset, on every rank, in the same order
  } catch (...) {
    failure = std::current_exception();
  }
  try {
    parallel::agree_or_rethrow(comm, failure);
  } catch (...) {
    impl.reset();
    throw;
  }
  return ResultsFile(std::move(impl));
}

const std::filesystem::path& ResultsFile::path() const noexcept { return impl_->path; }
const ResultsLayout& ResultsFile::layout() const noexcept { return impl_->layout; }
bool ResultsFile::writable() const noexcept { return impl_->file.writable(); }
bool ResultsFile::parallel() const noexcept { return impl_->parallel; }

void ResultsFile::flush() {
  if (impl_->file.writable()) impl_->flush_serial();
}

void ResultsFile::close() {
  if (!impl_) return;
  publish();
  impl_->arrays.clear();  // the file closes only once no dataset holds it
  impl_->file.close();
}

}  // namespace resqunn::io
