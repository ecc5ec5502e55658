// A second process for the results tests: opens a results file read-only,
// as `resqunn status` would while a run is writing it, and prints one
// point's summary and first epoch. Usage: results_probe FILE POINT
#include "resqunn/io/results.hpp"

#include <cstdio>
#include <cstdlib>
#include <exception>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s FILE POINT\n", argv[0]);
    return 2;
  }
  try {
    using namespace resqunn::io;
    const auto results = ResultsFile::open(argv[1], OpenMode::read_only);
    const int point = std::atoi(argv[2]);
    const auto summary = results.read_summary(point);
    const auto epoch = results.read_epoch(point, 0);
    std::printf("state=%s epochs_done=%d val_acc=%g id=%s\n", to_string(summary.state),
                summary.epochs_done, epoch.val_acc, results.read_point_info(point).id.c_str());
    return 0;
  } catch (const std::exception& e) {
    std::printf("error: %s\n", e.what());
    return 1;
  }
}
