// A helper process for the results tests: a sweep's writers killed with
// kill -9. Opens a results file with MPI-IO on MPI_COMM_WORLD
// (ResultsFile::open_parallel); rank r writes point r completely
// (results_data.hpp: epochs, steps, two checkpoints, summary last), all
// ranks meet, then each writes an epoch of point size + r without a
// summary and SIGKILLs itself: no flush, no close. Run it as a singleton or
// under mpiexec. Usage: results_parallel_writer FILE
#include "results_data.hpp"
#include <mpi.h>

#include <csignal>
#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  int size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (argc != 2) {
    if (rank == 0) std::fprintf(stderr, "usage: %s FILE\n", argv[0]);
    MPI_Finalize();
    return 2;
  }
  try {
    using namespace resqunn::io;
    auto results = ResultsFile::open_parallel(argv[1], MPI_COMM_WORLD);
    testing::write_point(results, rank);
    std::printf("rank %d wrote point %d\n", rank, rank);
    std::fflush(stdout);
    MPI_Barrier(MPI_COMM_WORLD);  // every rank's point is written
    const int unfinished = size + rank;
    if (unfinished < results.layout().points) {
      results.write_epoch(unfinished, 0, testing::epoch_for(unfinished, 0));
    }
    std::raise(SIGKILL);
  } catch (const std::exception& e) {
    std::printf("error: %s\n", e.what());
    std::fflush(stdout);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  return 1;  // not reached
}
