// Process runtime: initialises MPI (if nobody has yet) and Kokkos, in that
// order, and finalises them in reverse. One per process, owned by main().
#pragma once

#include <mpi.h>

namespace resqunn::parallel {

struct RuntimeOptions {
  /// Kokkos host threads; 0 = Kokkos' default (OMP_NUM_THREADS, else all cores).
  int threads = 0;
};

class Runtime {
public:
  Runtime(int& argc, char**& argv, const RuntimeOptions& options = {});
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  int rank() const noexcept { return rank_; }
  int size() const noexcept { return size_; }

private:
  bool owns_mpi_ = false;
  bool owns_kokkos_ = false;
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace resqunn::parallel
