// /checkpoint: two slots per point, written alternately, and
// /checkpoint/current naming the one that holds the latest complete
// checkpoint (results.hpp, write_checkpoint).
#include "resqunn/core/error.hpp"
#include "resqunn/io/detail/results_impl.hpp"
#include "resqunn/io/detail/results_schema.hpp"
#include "resqunn/io/hdf5.hpp"
#include "resqunn/io/results.hpp"

#include <cstdint>
#include <cstring>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

namespace resqunn::io {

using namespace detail;

namespace {

// Bit patterns, not values: a checkpoint must restore -0.0 and NaNs as saved.
bool same_bits(double a, double b) {
  std::uint64_t x = 0, y = 0;
  std::memcpy(&x, &a, sizeof a);
  std::memcpy(&y, &b, sizeof b);
  return x == y;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!same_bits(a[i], b[i])) return false;
  }
  return true;
}

}  // namespace

// Bit for bit: what a resume must reproduce (NaN equals the same NaN).
bool Checkpoint::operator==(const Checkpoint& o) const {
  return epochs_done == o.epochs_done && steps_done == o.steps_done &&
         optimizer_steps == o.optimizer_steps && epoch_correct == o.epoch_correct &&
         same_bits(epoch_loss_sum, o.epoch_loss_sum) && same_bits(best_val_acc, o.best_val_acc) &&
         same_bits(wall_s, o.wall_s) && same_bits(params, o.params) &&
         same_bits(moment1, o.moment1) && same_bits(moment2, o.moment2);
}

std::int64_t ResultsFile::Impl::current_checkpoint_slot(int point) const {
  const auto slot = array(kCheckpointCurrent)
                        .read_block<std::int64_t>({static_cast<std::uint64_t>(point)}, {1})
                        .front();
  if (slot < -1 || slot >= static_cast<std::int64_t>(kCheckpointSlots)) {
    throw DataError(name() + ": damaged resqunn results file: /" + kCheckpointCurrent + "[" +
                        std::to_string(point) + "] is " + std::to_string(slot) +
                        " (-1, 0 or 1 expected)",
                    damaged_fix());
  }
  return slot;
}

void ResultsFile::write_checkpoint(int point, const Checkpoint& checkpoint) {
  auto& d = *impl_;
  d.require_writable("write a checkpoint");
  d.check_point(point);
  const auto W = static_cast<std::size_t>(d.layout.max_weights);
  for (const auto& vector : kCheckpointVectors) {
    const auto size = (checkpoint.*vector.field).size();
    if (size > W) {
      throw UsageError(d.name() + ": checkpoint " + vector.name + " has " + std::to_string(size) +
                       " values, but the file holds at most " + std::to_string(W) +
                       " weights per point");
    }
  }
  const auto p = static_cast<std::uint64_t>(point);
  // The slot not in use: a kill before `current` changes leaves the
  // checkpoint it names untouched.
  const auto current = d.current_checkpoint_slot(point);
  const std::uint64_t slot = current == 0 ? 1 : 0;
  std::vector<std::int64_t> sizes;
  for (const auto& vector : kCheckpointVectors) {
    const auto& values = checkpoint.*vector.field;
    sizes.push_back(static_cast<std::int64_t>(values.size()));
    d.array(vector.path).write_block({p, slot, 0}, {1, 1, values.size()}, values);
  }
  std::vector<std::int64_t> counters;
  for (const auto field : kCheckpointCounterFields) counters.push_back(checkpoint.*field);
  std::vector<double> values;
  for (const auto field : kCheckpointValueFields) values.push_back(checkpoint.*field);
  d.array(kCheckpointCounters).write_block({p, slot, 0}, {1, 1, counters.size()}, counters);
  d.array(kCheckpointValues).write_block({p, slot, 0}, {1, 1, values.size()}, values);
  d.array(kCheckpointSizes).write_block({p, slot, 0}, {1, 1, sizes.size()}, sizes);
  // The slot is complete on disk before `current` names it.
  d.flush_serial();
  d.array(kCheckpointCurrent)
      .write_block({p}, {1}, std::vector<std::int64_t>{static_cast<std::int64_t>(slot)});
  d.flush_serial();
}

std::optional<Checkpoint> ResultsFile::read_checkpoint(int point) const {
  const auto& d = *impl_;
  d.check_point(point);
  const auto current = d.current_checkpoint_slot(point);
  if (current < 0) return std::nullopt;
  const auto p = static_cast<std::uint64_t>(point);
  const auto slot = static_cast<std::uint64_t>(current);
  const auto damaged = [&](const std::string& what) {
    return DataError(d.name() + ": damaged resqunn results file: point " + std::to_string(point) +
                         ": checkpoint slot " + std::to_string(slot) + " " + what,
                     damaged_fix());
  };
  Checkpoint checkpoint;
  const auto counters =
      d.array(kCheckpointCounters)
          .read_block<std::int64_t>({p, slot, 0}, {1, 1, std::size(kCheckpointCounterFields)});
  for (std::size_t i = 0; i < counters.size(); ++i)
    checkpoint.*kCheckpointCounterFields[i] = counters[i];
  const auto values =
      d.array(kCheckpointValues)
          .read_block<double>({p, slot, 0}, {1, 1, std::size(kCheckpointValueFields)});
  for (std::size_t i = 0; i < values.size(); ++i) checkpoint.*kCheckpointValueFields[i] = values[i];
  const auto sizes =
      d.array(kCheckpointSizes)
          .read_block<std::int64_t>({p, slot, 0}, {1, 1, std::size(kCheckpointVectors)});
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    const auto& vector = kCheckpointVectors[i];
    if (sizes[i] < 0 || sizes[i] > d.layout.max_weights) {
      throw damaged("says " + std::string(vector.name) + " holds " + std::to_string(sizes[i]) +
                    " values (0.." + std::to_string(d.layout.max_weights) + " possible)");
    }
    const auto n = static_cast<std::uint64_t>(sizes[i]);
    checkpoint.*vector.field = d.array(vector.path).read_block<double>({p, slot, 0}, {1, 1, n});
  }
  return checkpoint;
}

}  // namespace resqunn::io
