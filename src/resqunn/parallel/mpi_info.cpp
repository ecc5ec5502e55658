#include "resqunn/parallel/mpi_info.hpp"

#include <mpi.h>

namespace resqunn::parallel {

MpiInfo mpi_info() {
  MpiInfo info;
  char buffer[MPI_MAX_LIBRARY_VERSION_STRING];
  int length = 0;
  MPI_Get_library_version(buffer, &length);
  std::string text(buffer, static_cast<std::size_t>(length));
  info.library = text.substr(0, text.find('\n'));
  while (!info.library.empty() && (info.library.back() == '\0' || info.library.back() == ' ')) {
    info.library.pop_back();
  }
  MPI_Get_version(&info.standard_major, &info.standard_minor);
  return info;
}

}  // namespace resqunn::parallel
