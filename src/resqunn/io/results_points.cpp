// /points: what identifies each point (written once, right after create)
// and its summary (state and headline numbers).
#include "resqunn/core/error.hpp"
#include "resqunn/io/detail/results_impl.hpp"
#include "resqunn/io/detail/results_schema.hpp"
#include "resqunn/io/hdf5.hpp"
#include "resqunn/io/results.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace resqunn::io {

using namespace detail;

using h5::Dims;

void ResultsFile::Impl::validate(const PointInfo& info, int point) const {
  const std::string where = name() + ": point " + std::to_string(point) + ": ";
  if (info.params.size() != layout.param_names.size()) {
    throw UsageError(where + std::to_string(info.params.size()) + " parameter values for " +
                     std::to_string(layout.param_names.size()) + " parameter columns");
  }
  if (info.weight_count < -1 || info.weight_count > layout.max_weights) {
    throw UsageError(where + "weight_count " + std::to_string(info.weight_count) +
                     " is out of range: the file holds at most " +
                     std::to_string(layout.max_weights) + " weights per point");
  }
  const auto& offsets = info.layer_weight_offsets;
  if (offsets.empty()) return;
  const bool valid = offsets.size() == layout.trace_layers.size() + 1 && offsets.front() == 0 &&
                     offsets.back() == info.weight_count &&
                     std::is_sorted(offsets.begin(), offsets.end());
  if (!valid) {
    throw UsageError(where + "layer_weight_offsets must be " +
                     std::to_string(layout.trace_layers.size() + 1) +
                     " non-decreasing values from 0 to weight_count (" +
                     std::to_string(info.weight_count) + ")");
  }
}

void ResultsFile::write_point_info(int point, const PointInfo& info) {
  write_point_infos(point, {info});
}

void ResultsFile::write_point_infos(int first_point, const std::vector<PointInfo>& infos) {
  auto& d = *impl_;
  d.require_serial("write point info");
  if (infos.empty()) return;
  d.check_point(first_point);
  d.check_point(first_point + static_cast<int>(infos.size()) - 1);
  const std::size_t n = infos.size();
  const std::size_t edges = d.layout.trace_layers.size() + 1;
  std::vector<std::string> ids, configs, shas;
  std::vector<std::vector<std::string>> params(d.layout.param_names.size());
  std::vector<std::int64_t> weight_counts, offsets;
  for (std::size_t i = 0; i < n; ++i) {
    const auto& info = infos[i];
    d.validate(info, first_point + static_cast<int>(i));
    ids.push_back(info.id);
    configs.push_back(info.config_toml);
    shas.push_back(info.config_sha256);
    for (std::size_t j = 0; j < params.size(); ++j) params[j].push_back(info.params[j]);
    weight_counts.push_back(info.weight_count);
    if (info.layer_weight_offsets.empty()) {
      offsets.insert(offsets.end(), edges, -1);
    } else {
      offsets.insert(offsets.end(), info.layer_weight_offsets.begin(),
                     info.layer_weight_offsets.end());
    }
  }
  const Dims first{static_cast<std::uint64_t>(first_point)};
  const Dims count{n};
  d.array(kPointId).write_block(first, count, ids);
  d.array(kPointConfig).write_block(first, count, configs);
  d.array(kPointConfigSha).write_block(first, count, shas);
  for (std::size_t j = 0; j < params.size(); ++j) {
    d.array(param_path(d.layout.param_names[j])).write_block(first, count, params[j]);
  }
  d.array(kPointWeightCount).write_block(first, count, weight_counts);
  d.array(kLayerOffsets).write_block({first[0], 0}, {n, edges}, offsets);
  d.file.flush();
}

void ResultsFile::write_summary(int point, const PointSummary& summary) {
  auto& d = *impl_;
  d.require_writable("write a point summary");
  d.check_point(point);
  if (summary.epochs_done < -1 || summary.epochs_done > d.layout.epochs) {
    throw UsageError(d.name() + ": epochs_done " + std::to_string(summary.epochs_done) +
                     " is out of range: the file has " + std::to_string(d.layout.epochs) +
                     " epochs per point");
  }
  const Dims at{static_cast<std::uint64_t>(point)};
  d.array(kPointEpochsDone).write_block(at, {1}, std::vector<std::int64_t>{summary.epochs_done});
  d.array(kPointBestValAcc).write_block(at, {1}, std::vector<double>{summary.best_val_acc});
  d.array(kPointWall).write_block(at, {1}, std::vector<double>{summary.wall_s});
  // Everything before the state reaches the disk before the state does.
  // (Parallel: each write above was a pwrite() that returned already.)
  d.flush_serial();
  d.array(kPointState)
      .write_block(at, {1}, std::vector<std::int64_t>{static_cast<std::int64_t>(summary.state)});
  d.flush_serial();
}

PointInfo ResultsFile::read_point_info(int point) const {
  const auto& d = *impl_;
  d.check_point(point);
  const Dims at{static_cast<std::uint64_t>(point)};
  const auto text = [&](const std::string& path) {
    return d.array(path).read_block<std::string>(at, {1}).front();
  };
  PointInfo info;
  info.id = text(kPointId);
  info.config_toml = text(kPointConfig);
  info.config_sha256 = text(kPointConfigSha);
  for (const auto& name : d.layout.param_names) info.params.push_back(text(param_path(name)));
  info.weight_count =
      static_cast<int>(d.array(kPointWeightCount).read_block<std::int64_t>(at, {1}).front());
  const auto edges = d.layout.trace_layers.size() + 1;
  auto offsets = d.array(kLayerOffsets).read_block<std::int64_t>({at[0], 0}, {1, edges});
  if (offsets.front() >= 0) info.layer_weight_offsets = std::move(offsets);  // -1: never written
  return info;
}

std::vector<std::string> ResultsFile::read_point_ids() const {
  return impl_->array(kPointId).read<std::string>();
}

std::vector<std::vector<std::string>> ResultsFile::read_params() const {
  const auto& d = *impl_;
  std::vector<std::vector<std::string>> columns;
  columns.reserve(d.layout.param_names.size());
  for (const auto& name : d.layout.param_names) {
    columns.push_back(d.array(param_path(name)).read<std::string>());
  }
  return columns;
}

PointSummary ResultsFile::read_summary(int point) const {
  const auto& d = *impl_;
  d.check_point(point);
  const Dims at{static_cast<std::uint64_t>(point)};
  PointSummary summary;
  summary.state =
      static_cast<PointState>(d.array(kPointState).read_block<std::int64_t>(at, {1}).front());
  summary.epochs_done =
      static_cast<int>(d.array(kPointEpochsDone).read_block<std::int64_t>(at, {1}).front());
  summary.best_val_acc = d.array(kPointBestValAcc).read_block<double>(at, {1}).front();
  summary.wall_s = d.array(kPointWall).read_block<double>(at, {1}).front();
  return summary;
}

std::vector<PointSummary> ResultsFile::read_summaries() const {
  const auto& d = *impl_;
  const auto states = d.array(kPointState).read<std::int64_t>();
  const auto epochs_done = d.array(kPointEpochsDone).read<std::int64_t>();
  const auto best = d.array(kPointBestValAcc).read<double>();
  const auto wall = d.array(kPointWall).read<double>();
  std::vector<PointSummary> summaries(states.size());
  for (std::size_t i = 0; i < summaries.size(); ++i) {
    summaries[i] = {static_cast<PointState>(states[i]), static_cast<int>(epochs_done[i]), best[i],
                    wall[i]};
  }
  return summaries;
}

}  // namespace resqunn::io
