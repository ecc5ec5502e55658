#include "resqunn/cli/provenance.hpp"

#include "resqunn/parallel/kokkos_info.hpp"
#include "resqunn/parallel/mpi_info.hpp"

namespace resqunn::cli {

io::Provenance run_provenance(const Context& ctx) {
  auto p = io::collect_provenance();
  const auto k = parallel::kokkos_info();
  for (const auto& b : k.backends) p.kokkos_backends += (p.kokkos_backends.empty() ? "" : ",") + b;
  p.kokkos_version = k.version;
  p.mpi_version = parallel::mpi_info().library;
  p.mpi_size = ctx.size;
  return p;
}

}  // namespace resqunn::cli
