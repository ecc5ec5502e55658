// Which HDF5 library this process links, and whether it has MPI-IO
// (parallel HDF5 is what lets all ranks of a sweep write one file).
#pragma once

#include <string>

namespace resqunn::io {

struct Hdf5Info {
  std::string version;  ///< runtime library version, e.g. "1.10.8"
  bool parallel = false;
  bool thread_safe = false;
};

Hdf5Info hdf5_info();

}  // namespace resqunn::io
