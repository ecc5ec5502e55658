// The sweep's notice board, kept by world rank 0 and reached by the other
// group leaders through point-to-point messages on a communicator of its
// own:
//   * the claim counter: the next point (in scheduling order) to train;
//     dynamic claiming balances points of very different cost;
//   * a stop flag: a group that received a signal tells the others;
//   * per point: finished or stopped, best validation accuracy, wall time
//     (rank 0 prints progress from these without reading the file);
//   * the groups that have left their work loop.
//
// Why messages and not one-sided atomics on a window (the first design):
// with software one-sided transports (Open MPI's osc pt2pt and ucx over
// TCP, as between nodes without hardware atomics) an MPI_Fetch_and_op
// completes only when the target rank enters MPI, and rank 0 trains too:
// claims waited for seconds, and the stop broadcast hung. Here nothing
// depends on asynchronous progress: rank 0 answers in serve(), which the
// engine calls after each of rank 0's training steps and while it waits at
// the end, so a leader waits for work at most about one step of rank 0;
// stop notices and results go out as small eager sends that need no
// answer; leaders look for a stop notice with MPI_Iprobe, locally.
// docs/sweeps.md, "Groups and scheduling", has the measurements.
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
  /// Collective over `world`. The group leaders are the world ranks
  /// 0, group_size, 2 group_size, ...; only they (and rank 0) call the
  /// members below.
  Board(MPI_Comm world, int points, int group_size);
  ~Board();
  Board(const Board&) = delete;
  Board& operator=(const Board&) = delete;

  /// The next unclaimed slot (0, 1, ...) — slots index the scheduling order.
  std::int64_t claim();
  void request_stop();
  bool stop_requested();
  void post(int point, const PointNotice& notice);
  /// This leader's group has left its work loop. Returns once every group
  /// has: rank 0 serves the others meanwhile, calling `on_wait` between
  /// rounds (progress lines); the other leaders wait for rank 0's word,
  /// sleeping between looks.
  template <class F>
  void finish_group(F&& on_wait) {
    begin_finish();
    while (!all_finished()) {
      if (rank_ == 0) on_wait();
      wait_a_little();
    }
    end_finish();
  }

  /// Rank 0: answers every request that has arrived (claims, stops, notices,
  /// finished groups). Returns at once when there is none; no-op elsewhere.
  void serve();

  /// Rank 0's view: every point's notice and the finished-group count.
  std::vector<PointNotice> notices(std::int64_t& groups_finished);

  /// This leader's claims so far: how many, and the longest wait for an
  /// answer (0 on rank 0, which answers itself).
  int claims() const noexcept { return claims_; }
  double longest_claim_wait_s() const noexcept { return longest_wait_s_; }

private:
  void begin_finish();
  bool all_finished();
  void wait_a_little() const;
  void end_finish();
  void stop_everyone();
  void handle(int source, int tag, const std::int64_t* message);

  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0;
  int size_ = 1;
  int group_size_ = 1;
  int points_ = 0;
  // Rank 0's state.
  std::int64_t next_claim_ = 0;
  bool stop_ = false;  // rank 0: raised; a leader: rank 0's notice received
  std::int64_t groups_finished_ = 0;
  std::vector<PointNotice> notices_;
  std::vector<int> finished_leaders_;
  bool done_ = false;  // a leader: rank 0 said every group has finished
  int claims_ = 0;
  double longest_wait_s_ = 0.0;
};

}  // namespace resqunn::sweep
