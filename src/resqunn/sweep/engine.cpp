#include "resqunn/sweep/engine.hpp"

#include "resqunn/core/error.hpp"
#include "resqunn/core/fault_points.hpp"
#include "resqunn/core/process_info.hpp"
#include "resqunn/core/profiling.hpp"
#include "resqunn/core/writer_lock.hpp"
#include "resqunn/data/catalog.hpp"
#include "resqunn/io/results.hpp"
#include "resqunn/parallel/agreement.hpp"
#include "resqunn/runner/train_point.hpp"
#include "resqunn/sweep/board.hpp"
#include "resqunn/sweep/cost.hpp"
#include "resqunn/sweep/group_reducer.hpp"
#include "resqunn/sweep/signals.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

namespace resqunn::sweep {

namespace {

using Clock = std::chrono::steady_clock;

std::string duration(double s) {
  const long t = std::lround(s);
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

// The identity of the data the points train on: each dataset's manifest
// digest (io::Provenance::data_manifests).
std::string data_manifests(const SweepSpec& spec, const std::filesystem::path& dir) {
  std::set<std::string> names;
  for (const auto& p : spec.points) names.insert(p.config.data.dataset);
  std::string out;
  for (const auto& name : names) {
    out += (out.empty() ? "" : ";") + name + "=" + data::manifest_sha256(name, dir);
  }
  return out;
}

// What a resume needs of an existing results file.
struct Existing {
  std::vector<std::string> ids;
  io::ResultsLayout layout;
  std::string data_manifests;
  std::vector<io::PointSummary> summaries;
};

Existing read_existing(const std::filesystem::path& path) {
  try {
    const auto file = io::ResultsFile::open(path, io::OpenMode::read_only);
    return {file.read_point_ids(), file.layout(), file.provenance().data_manifests,
            file.read_summaries()};
  } catch (const DataError& e) {
    // A file that cannot be read back (damaged, cut short, not ours) cannot
    // be resumed; starting over is the way on, and loses nothing more: the
    // old file is replaced only once the new one is complete.
    throw DataError(e.problem(), (e.fix().empty() ? "" : e.fix() + "; ") +
                                     "to start the run over instead of resuming it, run the "
                                     "same command with --overwrite (the file is replaced "
                                     "only once the new one is complete)");
  }
}

// Rank 0, before any work: create the file (or check that an existing one
// holds this sweep, trained on this data). Returns each point's done flag.
std::vector<int> prepare(const SweepSpec& spec, const RunOptions& o, const io::Provenance& prov) {
  const auto layout = runner::layout_for(spec.points, param_columns(spec));
  const std::size_t n = spec.points.size();
  std::vector<int> done(n, 0);
  if (std::filesystem::exists(o.output) && !o.overwrite) {
    const Existing file = read_existing(o.output);
    std::vector<std::string> ids;
    for (const auto& p : spec.points) ids.push_back(p.id);
    if (file.ids != ids || file.layout != layout) {
      throw UsageError(o.output.string() +
                           " holds the results of a different sweep (its points "
                           "or their sizes differ from " +
                           spec.source + ")",
                       "use another -o, or --overwrite to replace it");
    }
    // Same ids, same configs; but points trained on other data must not be
    // continued or counted as done (files from before the digest was
    // recorded have none to compare).
    const auto& recorded = file.data_manifests;
    const auto now = data_manifests(spec, o.data_dir);
    if (!recorded.empty() && recorded != now) {
      throw UsageError(o.output.string() + " holds results trained on other data than " +
                           o.data_dir.string() + " holds now (the file records " + recorded +
                           "; the data directory has " + now + ")",
                       "resume with the data the sweep started with (--data-dir), or start "
                       "afresh: another -o, or --overwrite");
    }
    const auto& summaries = file.summaries;
    for (std::size_t i = 0; i < n; ++i) done[i] = summaries[i].state == io::PointState::done;
    return done;
  }
  io::Provenance provenance = prov;
  provenance.data_manifests = data_manifests(spec, o.data_dir);
  auto file = io::ResultsFile::create(o.output, layout, spec.text, provenance, o.overwrite);
  fault_point("create:staged");
  std::vector<io::PointInfo> infos;
  for (std::size_t i = 0; i < spec.points.size(); ++i) {
    infos.push_back(runner::point_info(spec.points[i], layout));
    if (!layout.param_names.empty() && layout.param_names.front() == kGridColumn) {
      infos.back().params.front() = spec.grids[i];
    }
  }
  file.write_point_infos(0, infos);
  fault_point("create:described");
  file.publish();
  fault_point("create:published");
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

// The training data of the point being trained: loaded again only when a
// point's data options differ from the last one's.
class DataCache {
public:
  explicit DataCache(std::filesystem::path dir) : dir_(std::move(dir)) {}

  void load(const config::RunConfig& c) {
    data_ = train::load_training_data(c.data, dir_);
    key_ = data_key(c);
  }
  const train::TrainingData& get(const config::RunConfig& c) {
    if (data_key(c) != key_) load(c);
    return data_;
  }

private:
  std::filesystem::path dir_;
  std::string key_;
  train::TrainingData data_;
};

// Every rank loads every distinct dataset once before any work: a missing
// or damaged one fails here, on all ranks alike; and every rank pays its
// first load's page faults now, rather than one group member arriving late
// at the group's first step.
void preload_data(const SweepSpec& spec, DataCache& data, MPI_Comm world) {
  parallel::collectively(world, [&] {
    std::set<std::string> seen;
    for (const auto& p : spec.points) {
      if (seen.insert(data_key(p.config)).second) data.load(p.config);
    }
  });
}

// Each point's done flag, as rank 0's prepare() found them, on every rank.
std::vector<int> prepare_file(const SweepSpec& spec, const RunOptions& o, MPI_Comm world) {
  int rank = 0;
  MPI_Comm_rank(world, &rank);
  std::vector<int> done = parallel::collectively(
      world, [&] { return rank == 0 ? prepare(spec, o, o.provenance) : std::vector<int>{}; });
  done.resize(spec.points.size());
  MPI_Bcast(done.data(), static_cast<int>(done.size()), MPI_INT, 0, world);
  return done;
}

// The points still to train, largest estimated cost first, ties by index.
std::vector<int> schedule(const std::vector<double>& cost, const std::vector<int>& done) {
  std::vector<int> order;
  for (int i = 0; i < static_cast<int>(cost.size()); ++i) {
    if (!done[i]) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return cost[a] > cost[b]; });
  return order;
}

// One rank's part of the run: its group, the shared board and results file,
// and the loop that claims and trains points until none is left or a stop.
class WorkLoop {
public:
  WorkLoop(const SweepSpec& spec, const RunOptions& o, MPI_Comm world,
           const std::vector<double>& cost, const std::vector<int>& done)
      : spec_(spec),
        o_(o),
        world_(world),
        rank_(rank_of(world)),
        size_(size_of(world)),
        group_(split_groups(world, o.group_size)),
        leader_(rank_of(group_) == 0),
        board_(world, static_cast<int>(spec.points.size()), o.group_size),
        file_(parallel::collectively(world,
                                     [&] {
                                       return std::make_shared<io::ResultsFile>(
                                           io::ResultsFile::open_parallel(o.output, world));
                                     })),
        reducer_(group_),
        progress_(spec, cost, done) {}
  ~WorkLoop() { MPI_Comm_free(&group_); }
  WorkLoop(const WorkLoop&) = delete;
  WorkLoop& operator=(const WorkLoop&) = delete;

  /// Trains claimed slots of `order`; returns whether a stop ended it.
  bool run(const std::vector<int>& order, DataCache& data) {
    while (true) {
      std::int64_t slot = -1;
      const bool halt = stop();  // collective over the group
      if (leader_) slot = halt ? -1 : board_.claim();
      MPI_Bcast(&slot, 1, MPI_INT64_T, 0, group_);
      if (slot < 0) return true;
      if (slot >= static_cast<std::int64_t>(order.size())) return false;
      if (!train(order[static_cast<std::size_t>(slot)], data)) return true;
    }
  }

  /// After run(): rank 0 reports the other groups' points as they finish,
  /// until every group is out; then the file closes (collective). Returns
  /// the I/O seconds summed over the ranks.
  double finish() {
    if (leader_) {
      spdlog::debug("claimed {} slot(s); longest wait for rank 0's answer {:.1f} ms",
                    board_.claims(), 1e3 * board_.longest_claim_wait_s());
      board_.finish_group([this] { progress_.update(board_, groups_finished_, true); });
    }
    if (rank_ == 0) progress_.update(board_, groups_finished_, true);
    const auto t = Clock::now();
    file_->close();  // collective
    io_s_ += std::chrono::duration<double>(Clock::now() - t).count() / size_;
    MPI_Allreduce(MPI_IN_PLACE, &io_s_, 1, MPI_DOUBLE, MPI_SUM, world_);
    return io_s_;
  }

private:
  static int rank_of(MPI_Comm c) {
    int r = 0;
    MPI_Comm_rank(c, &r);
    return r;
  }
  static int size_of(MPI_Comm c) {
    int s = 1;
    MPI_Comm_size(c, &s);
    return s;
  }
  static MPI_Comm split_groups(MPI_Comm world, int group_size) {
    MPI_Comm group = MPI_COMM_NULL;
    MPI_Comm_split(world, rank_of(world) / group_size, rank_of(world), &group);
    return group;
  }

  // Asked after every step: the same answer on every rank of the group.
  // Rank 0 answers the other leaders' claims and notices here too (the
  // board needs no asynchronous progress: board.hpp).
  bool stop() {
    if (rank_ == 0) board_.serve();
    int flag = StopSignals::received() != 0;
    if (leader_ && !flag) flag = board_.stop_requested();
    if (o_.group_size > 1) MPI_Allreduce(MPI_IN_PLACE, &flag, 1, MPI_INT, MPI_MAX, group_);
    if (flag && leader_) board_.request_stop();
    if (rank_ == 0) progress_.update(board_, groups_finished_);
    return flag != 0;
  }

  // Trains one point with the group; false if a stop interrupted it.
  bool train(int index, DataCache& data) {
    const auto& point = spec_.points[index];
    const std::string label = "point " + std::to_string(index) + " (" + point.id + ")";
    try {
      const train::TrainingData& d = data.get(point.config);
      runner::PointContext ctx;
      ctx.index = index;
      ctx.file = file_.get();
      ctx.writer = leader_;
      ctx.label = label;
      ctx.reducer = &reducer_;
      ctx.stop_requested = [this] { return stop(); };
      if (leader_) spdlog::debug("{}: {}", label, describe_overrides(spec_.overrides[index]));
      const auto outcome = runner::train_point(point, d, ctx);
      if (leader_) {
        board_.post(index, {outcome.finished ? PointFate::done : PointFate::stopped,
                            outcome.best_val_acc, outcome.wall_s});
      }
      io_s_ += outcome.io_s;
      return outcome.finished;
    } catch (const std::exception& e) {
      abort_on(index, label, e);
    }
  }

  // The other ranks wait in collectives this rank will never reach, and
  // unwinding would run collective destructors (file, window) alone: report
  // the point and end the job. Finished points stay in the file.
  [[noreturn]] void abort_on(int index, const std::string& label, const std::exception& e) {
    spdlog::critical("{} ({}) failed: {}", label, describe_overrides(spec_.overrides[index]),
                     e.what());
    // Mark it failed for `resqunn status` (a rerun retries it from its last
    // checkpoint); best effort, the job ends either way.
    if (leader_) {
      try {
        auto summary = file_->read_summary(index);
        summary.state = io::PointState::failed;
        file_->write_summary(index, summary);
      } catch (const std::exception&) {
      }
    }
    spdlog::default_logger()->flush();
    MPI_Abort(world_, 1);
    std::abort();  // MPI_Abort does not return
  }

  const SweepSpec& spec_;
  const RunOptions& o_;
  MPI_Comm world_;
  int rank_, size_;
  MPI_Comm group_;
  bool leader_;
  StopSignals signals_;
  Board board_;
  std::shared_ptr<io::ResultsFile> file_;
  GroupReducer reducer_;
  Progress progress_;
  std::int64_t groups_finished_ = 0;
  double io_s_ = 0.0;
};

// Rank 0 counts what is done now and stamps the end of a complete run.
int count_done(const RunOptions& o, int points, MPI_Comm world) {
  int rank = 0;
  MPI_Comm_rank(world, &rank);
  int now_done = 0;
  parallel::collectively(world, [&] {
    if (rank != 0) return;
    auto f = io::ResultsFile::open(o.output, io::OpenMode::read_write);
    for (const auto& s : f.read_summaries()) now_done += s.state == io::PointState::done;
    if (now_done == points) f.set_end_time(utc_timestamp());
    f.close();
  });
  MPI_Bcast(&now_done, 1, MPI_INT, 0, world);
  return now_done;
}

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

std::uint64_t estimated_results_bytes(const SweepSpec& spec) {
  return runner::layout_for(spec.points, param_columns(spec)).estimated_bytes(spec.text.size());
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

  // One run per results file, for the whole run (rank 0 holds the lock):
  // a second one is refused before it loads data or touches the file.
  std::optional<WriterLock> lock;
  parallel::collectively(world, [&] {
    if (rank == 0) lock.emplace(WriterLock::acquire(o.output));
  });
  fault_point("create:locked");

  const ScopedRegion region("resqunn::sweep::run");
  std::vector<double> cost(n);
  for (int i = 0; i < n; ++i) cost[i] = estimated_cost(spec.points[i]);
  DataCache data(o.data_dir);
  {
    const ScopedRegion load("resqunn::sweep::preload_data");
    preload_data(spec, data, world);
  }
  std::vector<int> done;
  {
    const ScopedRegion prepare("resqunn::sweep::prepare_file");
    done = prepare_file(spec, o, world);
  }
  const std::vector<int> order = schedule(cost, done);

  RunResult result;
  result.points = n;
  result.done_before = static_cast<int>(std::count(done.begin(), done.end(), 1));
  if (rank == 0) {
    spdlog::info(
        "sweep {}: {} points, {} already done, {} to train on {} group(s) of {} rank(s) -> {}",
        spec.name, n, result.done_before, order.size(), size / o.group_size, o.group_size,
        o.output.string());
  }

  WorkLoop loop(spec, o, world, cost, done);
  const auto started = Clock::now();
  int any_stopped = 0;
  {
    const ScopedRegion work("resqunn::sweep::work");
    any_stopped = loop.run(order, data);
  }
  {
    const ScopedRegion finish("resqunn::sweep::finish");
    result.io_s = loop.finish();
  }
  result.wall_s = std::chrono::duration<double>(Clock::now() - started).count();
  MPI_Allreduce(MPI_IN_PLACE, &any_stopped, 1, MPI_INT, MPI_MAX, world);
  result.stopped = any_stopped != 0;
  result.done = count_done(o, n, world);
  if (result.done == n) result.stopped = false;
  return result;
}

}  // namespace resqunn::sweep
