// train::BatchReducer over the MPI ranks of one sweep group: each rank
// computes its share of a batch's micro-batches, an Allgatherv collects all
// of them, and every rank sums them in micro-batch order — the same order
// and so the same bits as one rank alone.
#pragma once

#include "resqunn/train/reducer.hpp"

#include <mpi.h>

namespace resqunn::sweep {

class GroupReducer final : public train::BatchReducer {
public:
  explicit GroupReducer(MPI_Comm group);
  int worker() const override { return rank_; }
  int workers() const override { return size_; }
  train::Partial combine(int count, int width, const std::vector<train::Partial>& mine) override;

private:
  MPI_Comm comm_;
  int rank_ = 0;
  int size_ = 1;
  std::vector<double> send_, recv_;
};

}  // namespace resqunn::sweep
