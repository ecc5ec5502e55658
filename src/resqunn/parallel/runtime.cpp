#include "resqunn/parallel/runtime.hpp"

#include "resqunn/core/error.hpp"
#include "resqunn/core/profiling.hpp"

#include <Kokkos_Core.hpp>

#include <cstdlib>

namespace resqunn::parallel {

namespace {
void initialize_kokkos(const RuntimeOptions& options) {
  // The OpenMP runtime read OMP_PROC_BIND when it was loaded, so unset means
  // "no binding" already; saying so explicitly only silences Kokkos 3.x's
  // start-up warning. Binding is a per-site choice (jobs/ sets it).
  ::setenv("OMP_PROC_BIND", "false", /*overwrite=*/0);
#if KOKKOS_VERSION >= 30700
  Kokkos::InitializationSettings settings;
  if (options.threads > 0) settings.set_num_threads(options.threads);
  Kokkos::initialize(settings);
#else
  Kokkos::InitArguments args;
  if (options.threads > 0) args.num_threads = options.threads;
  Kokkos::initialize(args);
#endif
}

void push_kokkos_region(const char* name) { Kokkos::Profiling::pushRegion(name); }
void pop_kokkos_region() { Kokkos::Profiling::popRegion(); }

}  // namespace

Runtime::Runtime(int& argc, char**& argv, const RuntimeOptions& options) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    // Only the main thread calls MPI; Kokkos threads never do.
    int provided = 0;
    if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
      throw Error("MPI_Init_thread failed",
                  "check the MPI installation with `mpirun -n 1 hostname`");
    }
    owns_mpi_ = true;
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  if (!Kokkos::is_initialized()) {
    initialize_kokkos(options);
    owns_kokkos_ = true;
  }
  // The run's regions (core/profiling.hpp) go to Kokkos Tools from now on.
  set_region_hooks({push_kokkos_region, pop_kokkos_region});
}

Runtime::~Runtime() {
  set_region_hooks({});
  if (owns_kokkos_) Kokkos::finalize();
  if (owns_mpi_) {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
  }
}

}  // namespace resqunn::parallel
