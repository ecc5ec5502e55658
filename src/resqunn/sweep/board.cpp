#include "resqunn/sweep/board.hpp"

#include <chrono>
#include <cstring>
#include <thread>

namespace resqunn::sweep {

namespace {

// Every message is four int64 values; the tag says what they mean.
constexpr int kWords = 4;
using Message = std::int64_t[kWords];

enum Tag : int {
  kClaim = 1,       // leader -> 0: {}
  kClaimReply = 2,  // 0 -> leader: {slot}
  kStop = 3,        // leader -> 0: {}
  kStopNotice = 4,  // 0 -> leader: {}
  kPost = 5,        // leader -> 0: {point, fate, accuracy bits, wall bits}
  kFinished = 6,    // leader -> 0: {}
  kDone = 7,        // 0 -> leader: {} (every group has finished)
};

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

// Small sends: eager on every transport, so they return without waiting
// for rank 0 to receive them.
void send(MPI_Comm comm, int to, int tag, const Message& m) {
  MPI_Send(m, kWords, MPI_INT64_T, to, tag, comm);
}

}  // namespace

Board::Board(MPI_Comm world, int points, int group_size)
    : group_size_(group_size), points_(points), notices_(static_cast<std::size_t>(points)) {
  // A communicator of its own: no message of the board can match anyone
  // else's receive, and no one else's can match the board's.
  MPI_Comm_dup(world, &comm_);
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &size_);
}

Board::~Board() {
  if (comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
}

void Board::serve() {
  if (rank_ != 0) return;
  while (true) {
    int pending = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, comm_, &pending, &status);
    if (!pending) return;
    Message m = {0, 0, 0, 0};
    MPI_Recv(m, kWords, MPI_INT64_T, status.MPI_SOURCE, status.MPI_TAG, comm_, MPI_STATUS_IGNORE);
    handle(status.MPI_SOURCE, status.MPI_TAG, m);
  }
}

void Board::handle(int source, int tag, const std::int64_t* m) {
  switch (tag) {
    case kClaim: {
      const Message reply = {next_claim_++, 0, 0, 0};
      send(comm_, source, kClaimReply, reply);
      break;
    }
    case kStop:
      if (!stop_) stop_everyone();
      break;
    case kPost:
      if (m[0] >= 0 && m[0] < points_) {
        notices_[static_cast<std::size_t>(m[0])] = {static_cast<PointFate>(m[1]), value(m[2]),
                                                    value(m[3])};
      }
      break;
    case kFinished:
      ++groups_finished_;
      finished_leaders_.push_back(source);
      break;
    default:
      break;
  }
}

// Rank 0: raise the flag and tell every other leader, once.
void Board::stop_everyone() {
  stop_ = true;
  const Message none = {0, 0, 0, 0};
  for (int leader = group_size_; leader < size_; leader += group_size_) {
    send(comm_, leader, kStopNotice, none);
  }
}

std::int64_t Board::claim() {
  ++claims_;
  if (rank_ == 0) {
    serve();  // claims that arrived first go first
    return next_claim_++;
  }
  const auto asked = std::chrono::steady_clock::now();
  const Message ask = {0, 0, 0, 0};
  send(comm_, 0, kClaim, ask);
  Message reply = {0, 0, 0, 0};
  MPI_Recv(reply, kWords, MPI_INT64_T, 0, kClaimReply, comm_, MPI_STATUS_IGNORE);
  const double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - asked).count();
  if (waited > longest_wait_s_) longest_wait_s_ = waited;
  return reply[0];
}

void Board::request_stop() {
  if (rank_ == 0) {
    if (!stop_) stop_everyone();
    return;
  }
  if (stop_) return;  // rank 0 knows already: it told us
  stop_ = true;
  const Message none = {0, 0, 0, 0};
  send(comm_, 0, kStop, none);
}

bool Board::stop_requested() {
  if (rank_ == 0) {
    serve();
    return stop_;
  }
  if (!stop_) {
    int arrived = 0;
    MPI_Iprobe(0, kStopNotice, comm_, &arrived, MPI_STATUS_IGNORE);
    if (arrived) {
      Message m = {0, 0, 0, 0};
      MPI_Recv(m, kWords, MPI_INT64_T, 0, kStopNotice, comm_, MPI_STATUS_IGNORE);
      stop_ = true;
    }
  }
  return stop_;
}

void Board::post(int point, const PointNotice& n) {
  if (rank_ == 0) {
    notices_[static_cast<std::size_t>(point)] = n;
    return;
  }
  const Message m = {point, static_cast<std::int64_t>(n.fate), bits(n.best_val_acc),
                     bits(n.wall_s)};
  send(comm_, 0, kPost, m);
}

void Board::begin_finish() {
  if (rank_ == 0) {
    ++groups_finished_;
    return;
  }
  const Message none = {0, 0, 0, 0};
  send(comm_, 0, kFinished, none);
}

bool Board::all_finished() {
  if (rank_ == 0) {
    serve();
    return groups_finished_ >= size_ / group_size_;
  }
  // Everything rank 0 still sends this leader arrives before its word that
  // all groups are done (messages between two ranks keep their order).
  // Polled with pauses rather than waited for in MPI_Recv, which spins:
  // with more ranks than cores, an idle leader would take CPU time from
  // the groups still training.
  int arrived = 0;
  MPI_Status status;
  MPI_Iprobe(0, MPI_ANY_TAG, comm_, &arrived, &status);
  if (!arrived) return false;
  Message m = {0, 0, 0, 0};
  MPI_Recv(m, kWords, MPI_INT64_T, 0, status.MPI_TAG, comm_, MPI_STATUS_IGNORE);
  if (status.MPI_TAG == kDone) done_ = true;
  if (status.MPI_TAG == kStopNotice) stop_ = true;
  return done_;
}

void Board::wait_a_little() const {
  // Rank 0 serves every 20 ms meanwhile; a leader looks for rank 0's word
  // more often, so that the end costs it at most a few milliseconds.
  std::this_thread::sleep_for(std::chrono::milliseconds(rank_ == 0 ? 20 : 2));
}

void Board::end_finish() {
  if (rank_ != 0) return;
  const Message none = {0, 0, 0, 0};
  for (int leader : finished_leaders_) send(comm_, leader, kDone, none);
}

std::vector<PointNotice> Board::notices(std::int64_t& groups_finished) {
  serve();
  groups_finished = groups_finished_;
  return notices_;
}

}  // namespace resqunn::sweep
