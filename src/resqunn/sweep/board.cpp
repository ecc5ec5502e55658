#include "resqunn/sweep/board.hpp"

#include <cstring>

namespace resqunn::sweep {

namespace {

// Window layout (int64 slots on world rank 0).
constexpr int kClaim = 0;
constexpr int kStop = 1;
constexpr int kGroupsFinished = 2;
constexpr int kPoints = 3;  // then 3 slots per point: fate, accuracy bits, wall bits

std::int64_t bits(double v) {
  std::int64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

double value(std::int64_t b) {
  double v;
  std::memcpy(&v, &b, sizeof v);
  return v;
}

}  // namespace

Board::Board(MPI_Comm world, int points) : points_(points) {
  int rank = 0;
  MPI_Comm_rank(world, &rank);
  const MPI_Aint slots = rank == 0 ? kPoints + 3 * static_cast<MPI_Aint>(points) : 0;
  MPI_Win_allocate(slots * static_cast<MPI_Aint>(sizeof(std::int64_t)), sizeof(std::int64_t),
                   MPI_INFO_NULL, world, &base_, &win_);
  if (rank == 0) {
    MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, win_);
    for (MPI_Aint i = 0; i < slots; ++i) base_[i] = 0;
    MPI_Win_unlock(0, win_);
  }
  MPI_Barrier(world);
  MPI_Win_lock_all(0, win_);
}

Board::~Board() {
  if (win_ != MPI_WIN_NULL) {
    MPI_Win_unlock_all(win_);
    MPI_Win_free(&win_);
  }
}

std::int64_t Board::fetch_add(int slot, std::int64_t v) {
  std::int64_t old = 0;
  MPI_Fetch_and_op(&v, &old, MPI_INT64_T, 0, slot, MPI_SUM, win_);
  MPI_Win_flush(0, win_);
  return old;
}

std::int64_t Board::claim() { return fetch_add(kClaim, 1); }

void Board::request_stop() {
  const std::int64_t one = 1;
  std::int64_t old = 0;
  MPI_Fetch_and_op(&one, &old, MPI_INT64_T, 0, kStop, MPI_REPLACE, win_);
  MPI_Win_flush(0, win_);
}

bool Board::stop_requested() { return fetch_add(kStop, 0) != 0; }

void Board::post(int point, const PointNotice& n) {
  const std::int64_t values[3] = {static_cast<std::int64_t>(n.fate), bits(n.best_val_acc),
                                  bits(n.wall_s)};
  // Accuracy and time first, the fate last: rank 0 trusts the numbers of a
  // point whose fate it sees.
  for (int i : {1, 2, 0}) {
    std::int64_t old = 0;
    MPI_Fetch_and_op(&values[i], &old, MPI_INT64_T, 0, kPoints + 3 * point + i, MPI_REPLACE, win_);
    MPI_Win_flush(0, win_);
  }
}

void Board::group_finished() { fetch_add(kGroupsFinished, 1); }

std::vector<PointNotice> Board::notices(std::int64_t& groups_finished) {
  std::vector<std::int64_t> raw(kPoints + 3 * static_cast<std::size_t>(points_));
  // Atomic reads of rank 0's own window through the same RMA path.
  const std::int64_t zero = 0;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    MPI_Fetch_and_op(&zero, &raw[i], MPI_INT64_T, 0, static_cast<MPI_Aint>(i), MPI_NO_OP, win_);
  }
  MPI_Win_flush(0, win_);
  groups_finished = raw[kGroupsFinished];
  std::vector<PointNotice> out(points_);
  for (int p = 0; p < points_; ++p) {
    out[p].fate = static_cast<PointFate>(raw[kPoints + 3 * p]);
    out[p].best_val_acc = value(raw[kPoints + 3 * p + 1]);
    out[p].wall_s = value(raw[kPoints + 3 * p + 2]);
  }
  return out;
}

}  // namespace resqunn::sweep
