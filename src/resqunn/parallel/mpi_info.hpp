// Which MPI library this process runs on.
#pragma once

#include <string>

namespace resqunn::parallel {

struct MpiInfo {
  std::string library;  ///< first line of MPI_Get_library_version, e.g. "Open MPI v4.1.4, ..."
  int standard_major = 0;
  int standard_minor = 0;
};

/// Callable before MPI_Init and after MPI_Finalize.
MpiInfo mpi_info();

}  // namespace resqunn::parallel
