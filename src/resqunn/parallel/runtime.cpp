#include "resqunn/parallel/runtime.hpp"

#include "resqunn/core/error.hpp"
#include "resqunn/core/profiling.hpp"

#include <Kokkos_Core.hpp>

#include <spdlog/spdlog.h>
#if defined(KOKKOS_ENABLE_OPENMP)
#include <omp.h>
#endif

#include <cerrno>
#include <cstdlib>
#include <string>
#include <thread>

namespace resqunn::parallel {

ThreadChoice choose_threads(int requested, const char* omp_num_threads, int hardware) {
  const std::string machine = "this machine's " + std::to_string(hardware) + " hardware thread" +
                              (hardware == 1 ? "" : "s");
  ThreadChoice c;
  if (requested > 0) {
    check_usage(hardware <= 0 || requested <= hardware,
                "--threads " + std::to_string(requested) + " is more than " + machine,
                "use --threads 1.." + std::to_string(hardware) +
                    " (or leave it out: OMP_NUM_THREADS, else every core); under MPI, "
                    "ranks per node x threads should not exceed the cores");
    c.threads = requested;
    return c;
  }
  if (omp_num_threads == nullptr || hardware <= 0) return c;
  // OMP_NUM_THREADS is a list for nested levels ("8,2"): the first entry.
  errno = 0;
  char* end = nullptr;
  const long v = std::strtol(omp_num_threads, &end, 10);
  if (end == omp_num_threads || errno != 0 || v <= hardware) return c;
  c.threads = hardware;
  c.warning = "OMP_NUM_THREADS=" + std::string(omp_num_threads) + " is more than " + machine +
              ": using " + std::to_string(hardware) +
              " (set OMP_NUM_THREADS or --threads to at most " + std::to_string(hardware) + ")";
  return c;
}

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
  // Checked before MPI starts, so that a refused count leaves nothing to
  // finalise.
  const ThreadChoice threads =
      choose_threads(options.threads, std::getenv("OMP_NUM_THREADS"),
                     static_cast<int>(std::thread::hardware_concurrency()));
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
    if (!threads.warning.empty()) {
      if (rank_ == 0) spdlog::warn("{}", threads.warning);
#if defined(KOKKOS_ENABLE_OPENMP)
      // The OpenMP runtime read OMP_NUM_THREADS when it loaded, and Kokkos
      // opens parallel regions of that size before it applies its own count.
      omp_set_num_threads(threads.threads);
#endif
    }
    initialize_kokkos({threads.threads});
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
