#include "resqunn/io/hdf5_info.hpp"

#include <hdf5.h>

namespace resqunn::io {

Hdf5Info hdf5_info() {
  Hdf5Info info;
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  info.version =
      std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
#if defined(H5_HAVE_PARALLEL)
  info.parallel = true;
#endif
  hbool_t threadsafe = 0;
  H5is_library_threadsafe(&threadsafe);
  info.thread_safe = threadsafe != 0;
  return info;
}

}  // namespace resqunn::io
