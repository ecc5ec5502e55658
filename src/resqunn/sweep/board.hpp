// The sweep's shared notice board: one MPI-3 window on world rank 0 that
// group leaders update with one-sided atomics while they work —
//   * the claim counter: the next point (in scheduling order) to train;
//     dynamic claiming balances points of very different cost;
//   * a stop flag: a group that received a signal tells the others;
//   * per point: finished or stopped, best validation accuracy, wall time
//     (rank 0 prints progress from these without reading the file);
//   * the number of groups that have left their work loop.
// Passive-target RMA: no rank waits for another to answer.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <vector>

namespace resqunn::sweep {

enum class PointFate : std::int64_t { open = 0, done = 1, stopped = 2 };

struct PointNotice {
  PointFate fate = PointFate::open;
  double best_val_acc = 0.0;
  double wall_s = 0.0;
};

class Board {
public:
  /// Collective over `world`.
  Board(MPI_Comm world, int points);
  ~Board();
  Board(const Board&) = delete;
  Board& operator=(const Board&) = delete;

  /// The next unclaimed slot (0, 1, ...) — slots index the scheduling order.
  std::int64_t claim();
  void request_stop();
  bool stop_requested();
  void post(int point, const PointNotice& notice);
  void group_finished();

  /// Rank 0's view: every point's notice and the finished-group count.
  std::vector<PointNotice> notices(std::int64_t& groups_finished);

private:
  std::int64_t fetch_add(int slot, std::int64_t value);
  MPI_Win win_ = MPI_WIN_NULL;
  std::int64_t* base_ = nullptr;
  int points_;
};

}  // namespace resqunn::sweep
