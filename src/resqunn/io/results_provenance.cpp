// /spec and /provenance: the spec the file was made for and where the run
// came from (/spec itself is made with the schema, results_schema.cpp).
#include "resqunn/io/detail/results_impl.hpp"
#include "resqunn/io/detail/results_schema.hpp"
#include "resqunn/io/hdf5.hpp"
#include "resqunn/io/results.hpp"

#include <cstdint>
#include <string>

namespace resqunn::io {

using namespace detail;

void ResultsFile::Impl::write_provenance(const Provenance& provenance) {
  auto group = file.create_group(kProvenance);
  for (const auto& text : kProvenanceTexts) group.set_attribute(text.path, provenance.*text.field);
  group.set_attribute(kGitDirty, std::int64_t{provenance.git_dirty ? 1 : 0});
  group.set_attribute(kMpiSize, std::int64_t{provenance.mpi_size});
  group.set_attribute(kDataManifests, provenance.data_manifests);
}

void ResultsFile::set_end_time(const std::string& utc) {
  auto& d = *impl_;
  d.require_serial("set the end time");
  // The attribute exists since create() and keeps its size, so this
  // rewrites it in place: the one metadata write after creation.
  d.file.open_group(kProvenance).set_attribute(kEndTime, utc);
  d.file.flush();
}

std::string ResultsFile::spec_toml() const {
  return impl_->file.open_dataset(kSpec).read<std::string>().front();
}

Provenance ResultsFile::provenance() const {
  const auto group = impl_->file.open_group(kProvenance);
  Provenance provenance;
  for (const auto& text : kProvenanceTexts) {
    provenance.*text.field = group.attribute<std::string>(text.path);
  }
  provenance.git_dirty = group.attribute<std::int64_t>(kGitDirty) != 0;
  provenance.mpi_size = static_cast<int>(group.attribute<std::int64_t>(kMpiSize));
  // Added after the first files were written: optional when reading.
  if (group.has_attribute(kDataManifests)) {
    provenance.data_manifests = group.attribute<std::string>(kDataManifests);
  }
  return provenance;
}

}  // namespace resqunn::io
