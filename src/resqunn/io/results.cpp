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
#include "resqunn/core/text.hpp"
#include "resqunn/io/detail/results_impl.hpp"
#include "resqunn/io/hdf5.hpp"
#include "resqunn/parallel/agreement.hpp"

#include <exception>
#include <memory>
#include <utility>

namespace resqunn::io {

namespace {

constexpr Named<PointState> kPointStates[] = {{PointState::pending, "pending"},
                                              {PointState::running, "running"},
                                              {PointState::done, "done"},
                                              {PointState::failed, "failed"}};

}  // namespace

const char* to_string(PointState state) noexcept {
  // A state read from a damaged or newer file may be none of these.
  const std::string_view name = name_of(state, kPointStates);
  return name == "?" ? "unknown" : name.data();  // the table's literals end in '\0'
}

// ----------------------------------------------------------- ResultsFile --

ResultsFile::ResultsFile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ResultsFile::ResultsFile(ResultsFile&&) noexcept = default;
ResultsFile& ResultsFile::operator=(ResultsFile&&) noexcept = default;
ResultsFile::~ResultsFile() = default;

ResultsFile ResultsFile::create(const std::filesystem::path& path, const ResultsLayout& layout,
                                const std::string& spec_toml, const Provenance& provenance,
                                bool overwrite) {
  layout.validate();
  std::error_code ignored;
  if (!overwrite && std::filesystem::exists(path, ignored)) {
    throw UsageError(path.string() + " already exists",
                     "pass --overwrite to replace it, or choose another output file");
  }
  auto impl = std::make_unique<Impl>(path, h5::File::create(path, overwrite), layout);
  try {
    impl->create_schema(spec_toml, provenance);
    impl->file.flush();
  } catch (...) {
    // Leave no half-made file behind: it would only be refused later.
    impl.reset();
    std::filesystem::remove(path, ignored);
    throw;
  }
  return ResultsFile(std::move(impl));
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
  impl_->arrays.clear();  // the file closes only once no dataset holds it
  impl_->file.close();
}

}  // namespace resqunn::io
