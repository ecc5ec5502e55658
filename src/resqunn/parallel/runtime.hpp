// Process runtime: initialises MPI (if nobody has yet) and Kokkos, in that
// order, and finalises them in reverse. One per process, owned by main().
#pragma once

#include <mpi.h>

#include <string>

namespace resqunn::parallel {

struct RuntimeOptions {
  /// Kokkos host threads; 0 = Kokkos' default (OMP_NUM_THREADS, else all cores).
  int threads = 0;
};

/// The host thread count a run asks Kokkos for, and what to warn about.
struct ThreadChoice {
  int threads = 0;      // 0: Kokkos' default (all cores)
  std::string warning;  // non-empty: OMP_NUM_THREADS was capped
};

/// `requested` (--threads; 0 = not given), else `omp_num_threads` (the
/// environment's OMP_NUM_THREADS, may be null; its first entry), checked
/// against `hardware` threads (0 = unknown: no check). More threads than
/// the machine has never make a run faster, and Kokkos 3.x's OpenMP pool
/// crashes when asked for several hundred, so a --threads above `hardware`
/// is a UsageError, and an OMP_NUM_THREADS above it is capped to `hardware`
/// with a warning (site scripts set it for other programs too).
ThreadChoice choose_threads(int requested, const char* omp_num_threads, int hardware);

class Runtime {
public:
  /// Throws UsageError for a thread count choose_threads refuses.
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
