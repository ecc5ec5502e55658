// /metrics, /traces and /weights/final: what training measured per epoch
// and per optimiser step, the validation confusion matrix and the final
// weights of each point.
#include "resqunn/core/error.hpp"
#include "resqunn/io/detail/results_impl.hpp"
#include "resqunn/io/detail/results_schema.hpp"
#include "resqunn/io/hdf5.hpp"
#include "resqunn/io/results.hpp"

#include <cstdint>
#include <iterator>
#include <string>
#include <vector>

namespace resqunn::io {

using namespace detail;

using h5::Dims;

std::size_t ResultsFile::Impl::weights_of(int point) const {
  const auto count =
      array(kPointWeightCount).read_block<std::int64_t>({std::uint64_t(point)}, {1}).front();
  return count >= 0 ? static_cast<std::size_t>(count)
                    : static_cast<std::size_t>(layout.max_weights);
}

void ResultsFile::write_epoch(int point, int epoch, const EpochMetrics& metrics) {
  auto& d = *impl_;
  d.require_writable("write epoch metrics");
  d.check_point(point);
  d.check_epoch(epoch);
  const auto K = d.layout.class_names.size();
  if (!metrics.val_class_acc.empty())
    d.check_size("val_class_acc", metrics.val_class_acc.size(), K);
  const Dims at{static_cast<std::uint64_t>(point), static_cast<std::uint64_t>(epoch)};
  for (const auto& column : kEpochColumns) {
    d.array(column.path).write_block(at, {1, 1}, std::vector<double>{metrics.*column.field});
  }
  if (!metrics.val_class_acc.empty()) {
    d.array(kValClassAcc).write_block({at[0], at[1], 0}, {1, 1, K}, metrics.val_class_acc);
  }
}

void ResultsFile::write_steps(int point, int first_step, const std::vector<StepTrace>& traces) {
  auto& d = *impl_;
  d.require_writable("write step traces");
  d.check_point(point);
  d.check_steps(first_step, traces.size());
  if (traces.empty()) return;
  const std::size_t n = traces.size();
  const std::size_t L = d.layout.trace_layers.size();
  const std::size_t full_width = traces.front().full.size();
  if (!d.layout.full_traces && full_width != 0) {
    throw UsageError(d.name() +
                     ": full gradient traces given, but the file was created without "
                     "full traces");
  }
  if (full_width > static_cast<std::size_t>(d.layout.max_weights)) {
    throw UsageError(d.name() + ": full gradient trace of " + std::to_string(full_width) +
                     " values, but the file holds at most " + std::to_string(d.layout.max_weights) +
                     " weights per point");
  }
  std::vector<std::vector<double>> columns(std::size(kStepColumns));
  std::vector<double> losses, full;
  for (const auto& trace : traces) {
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const auto& values = trace.*kStepColumns[c].field;
      d.check_size(kStepColumns[c].path, values.size(), L);
      columns[c].insert(columns[c].end(), values.begin(), values.end());
    }
    d.check_size("full gradient trace", trace.full.size(), full_width);
    full.insert(full.end(), trace.full.begin(), trace.full.end());
    losses.push_back(trace.loss);
  }
  const auto p = static_cast<std::uint64_t>(point);
  const auto s = static_cast<std::uint64_t>(first_step);
  for (std::size_t c = 0; c < columns.size(); ++c) {
    d.array(kStepColumns[c].path).write_block({p, s, 0}, {1, n, L}, columns[c]);
  }
  d.array(kStepLoss).write_block({p, s}, {1, n}, losses);
  if (full_width > 0) d.array(kGradFull).write_block({p, s, 0}, {1, n, full_width}, full);
}

void ResultsFile::write_confusion(int point, const std::vector<std::int64_t>& counts) {
  auto& d = *impl_;
  d.require_writable("write the confusion matrix");
  d.check_point(point);
  const auto K = d.layout.class_names.size();
  d.check_size("confusion matrix", counts.size(), K * K);
  d.array(kConfusion).write_block({static_cast<std::uint64_t>(point), 0, 0}, {1, K, K}, counts);
}

void ResultsFile::write_weights(int point, const std::vector<double>& weights) {
  auto& d = *impl_;
  d.require_writable("write weights");
  d.check_point(point);
  if (weights.size() > static_cast<std::size_t>(d.layout.max_weights)) {
    throw UsageError(d.name() + ": " + std::to_string(weights.size()) +
                     " weights, but the file holds at most " +
                     std::to_string(d.layout.max_weights) + " per point");
  }
  d.array(kFinalWeights)
      .write_block({static_cast<std::uint64_t>(point), 0}, {1, weights.size()}, weights);
}

EpochMetrics ResultsFile::read_epoch(int point, int epoch) const {
  const auto& d = *impl_;
  d.check_point(point);
  d.check_epoch(epoch);
  const Dims at{static_cast<std::uint64_t>(point), static_cast<std::uint64_t>(epoch)};
  EpochMetrics metrics;
  for (const auto& column : kEpochColumns) {
    metrics.*column.field = d.array(column.path).read_block<double>(at, {1, 1}).front();
  }
  const auto K = d.layout.class_names.size();
  metrics.val_class_acc = d.array(kValClassAcc).read_block<double>({at[0], at[1], 0}, {1, 1, K});
  return metrics;
}

std::vector<StepTrace> ResultsFile::read_steps(int point, int first_step, int count) const {
  const auto& d = *impl_;
  d.check_point(point);
  if (count < 0) throw UsageError(d.name() + ": negative step count " + std::to_string(count));
  d.check_steps(first_step, static_cast<std::size_t>(count));
  const auto n = static_cast<std::size_t>(count);
  const std::size_t L = d.layout.trace_layers.size();
  const auto p = static_cast<std::uint64_t>(point);
  const auto s = static_cast<std::uint64_t>(first_step);
  std::vector<StepTrace> traces(n);
  for (const auto& column : kStepColumns) {
    const auto values = d.array(column.path).read_block<double>({p, s, 0}, {1, n, L});
    for (std::size_t i = 0; i < n; ++i) {
      const auto row = values.begin() + static_cast<std::ptrdiff_t>(i * L);
      (traces[i].*column.field).assign(row, row + static_cast<std::ptrdiff_t>(L));
    }
  }
  const auto losses = d.array(kStepLoss).read_block<double>({p, s}, {1, n});
  for (std::size_t i = 0; i < n; ++i) traces[i].loss = losses[i];
  if (d.layout.full_traces) {
    const std::size_t w = d.weights_of(point);
    const auto values = d.array(kGradFull).read_block<double>({p, s, 0}, {1, n, w});
    for (std::size_t i = 0; i < n; ++i) {
      const auto row = values.begin() + static_cast<std::ptrdiff_t>(i * w);
      traces[i].full.assign(row, row + static_cast<std::ptrdiff_t>(w));
    }
  }
  return traces;
}

std::vector<std::int64_t> ResultsFile::read_confusion(int point) const {
  const auto& d = *impl_;
  d.check_point(point);
  const auto K = d.layout.class_names.size();
  return d.array(kConfusion)
      .read_block<std::int64_t>({static_cast<std::uint64_t>(point), 0, 0}, {1, K, K});
}

std::vector<double> ResultsFile::read_weights(int point) const {
  const auto& d = *impl_;
  d.check_point(point);
  return d.array(kFinalWeights)
      .read_block<double>({static_cast<std::uint64_t>(point), 0}, {1, d.weights_of(point)});
}

}  // namespace resqunn::io
