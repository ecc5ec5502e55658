#include "resqunn/sweep/group_reducer.hpp"

#include "resqunn/core/error.hpp"

#include <string>

namespace resqunn::sweep {

namespace {

// Micro-batches rank r computes out of `count`: r, r + size, ...
int share(int count, int r, int size) { return count > r ? (count - r + size - 1) / size : 0; }

}  // namespace

GroupReducer::GroupReducer(MPI_Comm group) : comm_(group) {
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &size_);
}

train::Partial GroupReducer::combine(int count, int width,
                                     const std::vector<train::Partial>& mine) {
  if (static_cast<int>(mine.size()) != share(count, rank_, size_)) {
    throw Error("group reducer: rank " + std::to_string(rank_) + " brought " +
                std::to_string(mine.size()) + " micro-batches, expected " +
                std::to_string(share(count, rank_, size_)));
  }
  std::vector<int> counts(size_), displs(size_);
  int total = 0;
  for (int r = 0; r < size_; ++r) {
    counts[r] = share(count, r, size_) * width;
    displs[r] = total;
    total += counts[r];
  }
  send_.clear();
  for (const auto& p : mine) send_.insert(send_.end(), p.begin(), p.end());
  recv_.resize(static_cast<std::size_t>(total));
  MPI_Allgatherv(send_.data(), counts[rank_], MPI_DOUBLE, recv_.data(), counts.data(),
                 displs.data(), MPI_DOUBLE, comm_);
  // Micro-batch m came from rank m % size as its (m / size)-th partial.
  train::Partial sum(static_cast<std::size_t>(width), 0.0);
  for (int m = 0; m < count; ++m) {
    const double* p =
        recv_.data() + displs[m % size_] + static_cast<std::size_t>(m / size_) * width;
    for (int i = 0; i < width; ++i) sum[i] += p[i];
  }
  return sum;
}

}  // namespace resqunn::sweep
