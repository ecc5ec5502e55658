#include "resqunn/sweep/engine.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <numeric>
#include <set>
#include <spdlog/spdlog.h>
#include <thread>

#include "resqunn/core/error.hpp"
#include "resqunn/io/results.hpp"
#include "resqunn/parallel/agreement.hpp"
#include "resqunn/runner/train_point.hpp"
#include "resqunn/sweep/board.hpp"
#include "resqunn/sweep/cost.hpp"
#include "resqunn/sweep/group_reducer.hpp"
#include "resqunn/sweep/signals.hpp"

namespace resqunn::sweep {

namespace {

using Clock = std::chrono::steady_clock;

std::string duration(double s) {
  const long t = static_cast<long>(s + 0.5);
  if (t < 60) return std::to_string(t) + "s";
  if (t < 3600) return std::to_string(t / 60) + "m" + std::to_string(t % 60) + "s";
  return std::to_string(t / 3600) + "h" + std::to_string((t % 3600) / 60) + "m";
}

// The key of a point's data options: points with equal keys share data.
std::string data_key(const config::RunConfig& c) {
  std::string k = c.data.dataset + "/" + std::to_string(c.data.image_size) + "/" +
                  std::to_string(c.data.train) + "/" + std::to_string(c.data.validation) + "/" +
                  std::to_string(c.data.seed) + "/";
  for (int cl : c.data.classes) k += std::to_string(cl) + ",";
  return k;
}

// Rank 0, before any work: create the file (or check that an existing one
// holds this sweep). Returns each point's done flag.
std::vector<int> prepare(const SweepSpec& spec, const RunOptions& o, const io::Provenance& prov) {
  const auto layout = runner::layout_for(spec.points, param_columns(spec));
  const std::size_t n = spec.points.size();
  std::vector<int> done(n, 0);
  if (std::filesystem::exists(o.output) && !o.overwrite) {
    auto file = io::ResultsFile::open(o.output, io::OpenMode::read_only);
    std::vector<std::string> ids;
    for (const auto& p : spec.points) ids.push_back(p.id);
    if (file.read_point_ids() != ids || file.layout() != layout) {
      throw UsageError(o.output.string() +
                           " holds the results of a different sweep (its points "
                           "or their sizes differ from " +
                           spec.source + ")",
                       "use another -o, or --overwrite to replace it");
    }
    const auto summaries = file.read_summaries();
    for (std::size_t i = 0; i < n; ++i) done[i] = summaries[i].state == io::PointState::done;
    return done;
  }
  auto file = io::ResultsFile::create(o.output, layout, spec.text, prov, o.overwrite);
  std::vector<io::PointInfo> infos;
  for (std::size_t i = 0; i < spec.points.size(); ++i) {
    infos.push_back(runner::point_info(spec.points[i], layout));
    if (!layout.param_names.empty() && layout.param_names.front() == kGridColumn) {
      infos.back().params.front() = spec.grids[i];
    }
  }
  file.write_point_infos(0, infos);
  file.close();
  return done;
}

// Prints a line per finished point and the overall progress (rank 0).
class Progress {
public:
  Progress(const SweepSpec& spec, const std::vector<double>& cost, const std::vector<int>& done)
      : spec_(spec),
        cost_(cost),
        reported_(done),
        done_(static_cast<int>(std::count(done.begin(), done.end(), 1))),
        start_(Clock::now()) {}

  void update(Board& board, std::int64_t& groups_finished, bool force = false) {
    const auto now = Clock::now();
    if (!force && now - last_ < std::chrono::seconds(2)) return;
    last_ = now;
    const auto notices = board.notices(groups_finished);
    for (std::size_t i = 0; i < notices.size(); ++i) {
      if (reported_[i] || notices[i].fate != PointFate::done) continue;
      reported_[i] = 1;
      ++done_;
      cost_done_ += cost_[i];
      const double elapsed = std::chrono::duration<double>(now - start_).count();
      const double eta = cost_done_ > 0 ? elapsed * (remaining_cost() / cost_done_) : 0.0;
      spdlog::info("point {} ({}) done: best val acc {:.1f}%, {} — {}/{} points done, ETA {}", i,
                   spec_.points[i].id, 100.0 * notices[i].best_val_acc, duration(notices[i].wall_s),
                   done_, cost_.size(), duration(eta));
    }
  }

private:
  double remaining_cost() const {
    double r = 0;
    for (std::size_t i = 0; i < cost_.size(); ++i) r += reported_[i] ? 0.0 : cost_[i];
    return r;
  }

  const SweepSpec& spec_;
  const std::vector<double>& cost_;
  std::vector<int> reported_;
  int done_;
  double cost_done_ = 0.0;
  Clock::time_point start_, last_{};
};

}  // namespace

std::vector<std::string> param_columns(const SweepSpec& spec) {
  std::vector<std::string> columns;
  // Which [[grids]] entry a point comes from: a label, not a config key.
  const bool labelled = std::any_of(spec.grids.begin(), spec.grids.end(),
                                    [](const std::string& g) { return !g.empty(); });
  if (labelled) columns.push_back(kGridColumn);
  std::set<std::string> seen;
  for (const auto& p : spec.points) {
    for (const auto& kv : config::flatten(p.config)) {
      if (seen.insert(kv.first).second) columns.push_back(kv.first);
    }
  }
  return columns;
}

RunResult run_sweep(const SweepSpec& spec, const RunOptions& o, MPI_Comm world) {
  int rank = 0, size = 1;
  MPI_Comm_rank(world, &rank);
  MPI_Comm_size(world, &size);
  const int n = static_cast<int>(spec.points.size());
  parallel::collectively(world, [&] {
    if (o.group_size < 1 || size % o.group_size != 0) {
      throw UsageError("--group-size " + std::to_string(o.group_size) + " does not divide the " +
                           std::to_string(size) + " MPI ranks",
                       "use a group size that divides the rank count (1 is always valid)");
    }
  });

  // Costs and the scheduling order: largest first, ties by point index.
  std::vector<double> cost(n);
  for (int i = 0; i < n; ++i) cost[i] = estimated_cost(spec.points[i]);

  // Every rank loads every distinct dataset once before any work: a missing
  // or damaged one fails here, on all ranks alike; and every rank pays its
  // first load's page faults now, rather than one group member arriving
  // late at the group's first step.
  std::string data_loaded;
  train::TrainingData data;
  parallel::collectively(world, [&] {
    std::set<std::string> seen;
    for (const auto& p : spec.points) {
      if (seen.insert(data_key(p.config)).second) {
        data = train::load_training_data(p.config.data, o.data_dir);
        data_loaded = data_key(p.config);
      }
    }
  });
  std::vector<int> done = parallel::collectively(
      world, [&] { return rank == 0 ? prepare(spec, o, o.provenance) : std::vector<int>{}; });
  done.resize(n);
  MPI_Bcast(done.data(), n, MPI_INT, 0, world);
  std::vector<int> order;
  for (int i = 0; i < n; ++i) {
    if (!done[i]) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return cost[a] > cost[b]; });

  RunResult result;
  result.points = n;
  result.done_before = static_cast<int>(std::count(done.begin(), done.end(), 1));
  if (rank == 0) {
    spdlog::info(
        "sweep {}: {} points, {} already done, {} to train on {} group(s) of {} rank(s) -> {}",
        spec.name, n, result.done_before, order.size(), size / o.group_size, o.group_size,
        o.output.string());
  }

  MPI_Comm group = MPI_COMM_NULL;
  MPI_Comm_split(world, rank / o.group_size, rank, &group);
  int group_rank = 0;
  MPI_Comm_rank(group, &group_rank);
  const bool leader = group_rank == 0;
  const int groups = size / o.group_size;

  StopSignals signals;
  Board board(world, n);
  auto file = parallel::collectively(world, [&] {
    return std::make_shared<io::ResultsFile>(io::ResultsFile::open_parallel(o.output, world));
  });
  GroupReducer reducer(group);
  Progress progress(spec, cost, done);
  std::int64_t groups_finished = 0;

  // Asked after every step: the same answer on every rank of the group.
  auto stop = [&] {
    int flag = StopSignals::received() != 0;
    if (leader && !flag) flag = board.stop_requested();
    if (o.group_size > 1) MPI_Allreduce(MPI_IN_PLACE, &flag, 1, MPI_INT, MPI_MAX, group);
    if (flag && leader) board.request_stop();
    if (rank == 0) progress.update(board, groups_finished);
    return flag != 0;
  };

  bool stopped = false;
  double io_s = 0.0;
  const auto started = Clock::now();
  while (!stopped) {
    std::int64_t slot = -1;
    const bool halt = stop();  // collective over the group
    if (leader) slot = halt ? -1 : board.claim();
    MPI_Bcast(&slot, 1, MPI_INT64_T, 0, group);
    if (slot < 0 || slot >= static_cast<std::int64_t>(order.size())) {
      stopped = slot < 0;
      break;
    }
    const int index = order[static_cast<std::size_t>(slot)];
    const auto& point = spec.points[index];
    const std::string label = "point " + std::to_string(index) + " (" + point.id + ")";
    try {
      if (data_key(point.config) != data_loaded) {
        data = train::load_training_data(point.config.data, o.data_dir);
        data_loaded = data_key(point.config);
      }
      runner::PointContext ctx;
      ctx.index = index;
      ctx.file = file.get();
      ctx.writer = leader;
      ctx.label = label;
      ctx.reducer = &reducer;
      ctx.stop_requested = stop;
      if (leader) spdlog::debug("{}: {}", label, describe_overrides(spec.overrides[index]));
      const auto outcome = runner::train_point(point, data, ctx);
      if (leader) {
        board.post(index, {outcome.finished ? PointFate::done : PointFate::stopped,
                           outcome.best_val_acc, outcome.wall_s});
      }
      stopped = !outcome.finished;
      io_s += outcome.io_s;
    } catch (const std::exception& e) {
      // The other ranks wait in collectives this rank will never reach, and
      // unwinding would run collective destructors (file, window) alone:
      // report the point and end the job. Finished points stay in the file.
      spdlog::critical("{} ({}) failed: {}", label, describe_overrides(spec.overrides[index]),
                       e.what());
      // Mark it failed for `resqunn status` (a rerun retries it from its
      // last checkpoint); best effort, the job ends either way.
      if (leader) {
        try {
          auto summary = file->read_summary(index);
          summary.state = io::PointState::failed;
          file->write_summary(index, summary);
        } catch (const std::exception&) {
        }
      }
      spdlog::default_logger()->flush();
      MPI_Abort(world, 1);
    }
  }
  if (leader) board.group_finished();
  if (rank == 0) {
    // Report the others' points as they finish, until every group is out.
    while (true) {
      progress.update(board, groups_finished, true);
      if (groups_finished >= groups) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  {
    const auto t = Clock::now();
    file->close();  // collective
    io_s += std::chrono::duration<double>(Clock::now() - t).count() / size;
  }
  MPI_Allreduce(MPI_IN_PLACE, &io_s, 1, MPI_DOUBLE, MPI_SUM, world);
  result.io_s = io_s;
  result.wall_s = std::chrono::duration<double>(Clock::now() - started).count();
  int any_stopped = stopped;
  MPI_Allreduce(MPI_IN_PLACE, &any_stopped, 1, MPI_INT, MPI_MAX, world);
  result.stopped = any_stopped != 0;
  MPI_Comm_free(&group);

  // Count what is done now, and stamp the end of a complete run.
  int now_done = 0;
  parallel::collectively(world, [&] {
    if (rank != 0) return;
    auto f = io::ResultsFile::open(o.output, io::OpenMode::read_write);
    for (const auto& s : f.read_summaries()) now_done += s.state == io::PointState::done;
    if (now_done == n) f.set_end_time(io::utc_timestamp());
    f.close();
  });
  MPI_Bcast(&now_done, 1, MPI_INT, 0, world);
  result.done = now_done;
  if (result.done == n) result.stopped = false;
  return result;
}

}  // namespace resqunn::sweep
