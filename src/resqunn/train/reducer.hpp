// How the micro-batch results of one batch are combined. A batch is cut
// into fixed micro-batches (TrainOptions::micro_batch images); micro-batch m
// is computed by worker m % workers(); the combined result is the sum over
// micro-batches in ascending m, accumulated from zero, on every worker. That
// fixed order is what makes results bitwise identical for any number of
// workers (MPI ranks of a sweep group) and threads.
#pragma once

#include <vector>

namespace resqunn::train {

/// The result of one micro-batch: [loss sum, correct count, values...]
/// (values: the gradient in training, nothing in validation).
using Partial = std::vector<double>;

class BatchReducer {
public:
  virtual ~BatchReducer() = default;
  virtual int worker() const = 0;
  virtual int workers() const = 0;
  /// `mine` holds this worker's partials for micro-batches worker(),
  /// worker() + workers(), ... (ascending) out of `count`; each has `width`
  /// entries. Returns, on every worker, the ordered sum of all `count`.
  virtual Partial combine(int count, int width, const std::vector<Partial>& mine) = 0;
};

/// One worker: the ordered sum of its own partials.
class LocalReducer final : public BatchReducer {
public:
  int worker() const override { return 0; }
  int workers() const override { return 1; }
  Partial combine(int count, int width, const std::vector<Partial>& mine) override;
};

/// The ordered sum of `parts` (all `count` of them, in micro-batch order).
Partial ordered_sum(const std::vector<const Partial*>& parts, int width);

}  // namespace resqunn::train
