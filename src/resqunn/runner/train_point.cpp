#include "resqunn/runner/train_point.hpp"

#include "resqunn/core/profiling.hpp"
#include "resqunn/train/trainer.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

namespace resqunn::runner {

namespace {

// steps_done is stored as the run's total (the trainer's count); the
// epoch's wall time so far is not kept: a resumed epoch reports the time
// since the resume.
io::Checkpoint to_checkpoint(const train::TrainerState& s, double wall_s) {
  io::Checkpoint c;
  c.epochs_done = s.epochs_done;
  c.steps_done = s.steps_done;
  c.optimizer_steps = s.optimizer.steps;
  c.epoch_correct = s.epoch_correct;
  c.epoch_loss_sum = s.epoch_loss_sum;
  c.best_val_acc = s.best_val_acc;
  c.wall_s = wall_s;
  c.params = s.parameters;
  c.moment1 = s.optimizer.m;
  c.moment2 = s.optimizer.v;
  return c;
}

train::TrainerState from_checkpoint(const io::Checkpoint& c) {
  train::TrainerState s;
  s.epochs_done = static_cast<int>(c.epochs_done);
  s.steps_done = c.steps_done;
  s.optimizer.steps = c.optimizer_steps;
  s.epoch_correct = c.epoch_correct;
  s.epoch_loss_sum = c.epoch_loss_sum;
  s.best_val_acc = c.best_val_acc;
  s.parameters = c.params;
  s.optimizer.m = c.moment1;
  s.optimizer.v = c.moment2;
  return s;
}

// Adds the seconds of its scope to `total` (time spent writing results).
class IoTimer {
public:
  explicit IoTimer(double& total)
      : region_("resqunn::runner::write_results"),
        total_(total),
        start_(std::chrono::steady_clock::now()) {}
  ~IoTimer() {
    total_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  IoTimer(const IoTimer&) = delete;
  IoTimer& operator=(const IoTimer&) = delete;

private:
  ScopedRegion region_;  // a profiling region too
  double& total_;
  std::chrono::steady_clock::time_point start_;
};

// Collects a point's records and writes them (on the writing worker only):
// step traces in one block per epoch (fewer, larger raw writes), then the
// epoch's metrics and a checkpoint, then the summary — state last, as the
// schema's write protocol requires.
class Recorder final : public train::TrainingObserver {
public:
  Recorder(const PointContext& ctx, const Point& point, double wall_before)
      : ctx_(ctx),
        point_(point),
        wall_before_(wall_before),
        start_(std::chrono::steady_clock::now()) {}

  void on_step(const train::StepRecord& s) override {
    if (!writes()) return;
    if (pending_.empty()) first_step_ = static_cast<int>(s.step);
    const int columns = static_cast<int>(ctx_.file->layout().trace_layers.size());
    io::StepTrace t;
    t.norm.assign(columns, io::EpochMetrics::nan);
    t.mean_abs = t.norm;
    t.max_abs = t.norm;
    // Groups are QCL1..QCLn, head; the head is always the last column.
    const int groups = static_cast<int>(s.groups.size());
    for (int g = 0; g < groups; ++g) {
      const int col = g == groups - 1 ? columns - 1 : g;
      t.norm[col] = s.groups[g].norm;
      t.mean_abs[col] = s.groups[g].mean_abs;
      t.max_abs[col] = s.groups[g].max_abs;
    }
    if (ctx_.file->layout().full_traces) t.full = s.gradient;
    t.loss = s.loss;
    pending_.push_back(std::move(t));
  }

  void on_epoch(const train::EpochRecord& e, const train::TrainerState& state) override {
    saw_epoch_ = true;
    const bool last = state.epochs_done == point_.config.train.epochs;
    outcome.epochs_done = state.epochs_done;
    outcome.best_val_acc = state.best_val_acc;
    outcome.final_val_acc = e.val_acc;
    outcome.wall_s = wall();
    if (writes()) {
      const IoTimer timer(outcome.io_s);
      write_pending();
      io::EpochMetrics m;
      m.train_loss = e.train_loss;
      m.train_acc = e.train_acc;
      m.val_loss = e.val_loss;
      m.val_acc = e.val_acc;
      m.wall_s = e.wall_s;
      m.images_per_s = e.images_per_s;
      m.val_class_acc = e.val_class_acc;
      ctx_.file->write_epoch(ctx_.index, e.epoch, m);
      if (last) {
        ctx_.file->write_confusion(ctx_.index, e.confusion);
        ctx_.file->write_weights(ctx_.index, state.parameters);
      }
      ctx_.file->write_checkpoint(ctx_.index, to_checkpoint(state, outcome.wall_s));
      write_summary(state, last ? io::PointState::done : io::PointState::running);
    }
    spdlog::info(
        "{}epoch {}/{}: train loss {:.4f} acc {:.1f}% | val loss {:.4f} acc {:.1f}% | "
        "{:.1f} s, {:.0f} img/s",
        ctx_.label.empty() ? "" : ctx_.label + ": ", e.epoch + 1, point_.config.train.epochs,
        e.train_loss, 100.0 * e.train_acc, e.val_loss, 100.0 * e.val_acc, e.wall_s, e.images_per_s);
    // Device builds: what the circuits' host <-> device copies cost.
    if (e.circuit_bytes_moved + e.parameter_bytes_moved > 0) {
      spdlog::info(
          "{}epoch {}: {:.1f} MB of circuit data and {:.3f} MB of parameters copied "
          "between host and device",
          ctx_.label.empty() ? "" : ctx_.label + ": ", e.epoch + 1,
          1e-6 * static_cast<double>(e.circuit_bytes_moved),
          1e-6 * static_cast<double>(e.parameter_bytes_moved));
    }
  }

  bool stop_requested() override { return ctx_.stop_requested && ctx_.stop_requested(); }

  /// After a stop in the middle of an epoch: keep what was done.
  void checkpoint(const train::TrainerState& state) {
    outcome.epochs_done = state.epochs_done;
    outcome.wall_s = wall();
    if (!writes()) return;
    const IoTimer timer(outcome.io_s);
    write_pending();
    ctx_.file->write_checkpoint(ctx_.index, to_checkpoint(state, outcome.wall_s));
    write_summary(state, io::PointState::running);
  }

  bool saw_epoch() const { return saw_epoch_; }

  void finish(const train::TrainerState& state) {
    outcome.epochs_done = state.epochs_done;
    outcome.best_val_acc = state.best_val_acc;
    outcome.wall_s = wall_before_;
    if (writes()) write_summary(state, io::PointState::done);
  }

  PointOutcome outcome;

private:
  bool writes() const { return ctx_.writer && ctx_.file; }

  double wall() const {
    return wall_before_ +
           std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

  void write_pending() {
    if (!pending_.empty()) ctx_.file->write_steps(ctx_.index, first_step_, pending_);
    pending_.clear();
  }

  void write_summary(const train::TrainerState& state, io::PointState s) const {
    io::PointSummary summary;
    summary.state = s;
    summary.epochs_done = state.epochs_done;
    summary.best_val_acc = state.best_val_acc;
    summary.wall_s = outcome.wall_s;
    ctx_.file->write_summary(ctx_.index, summary);
  }

  const PointContext& ctx_;
  const Point& point_;
  double wall_before_;
  std::chrono::steady_clock::time_point start_;
  std::vector<io::StepTrace> pending_;
  int first_step_ = 0;
  bool saw_epoch_ = false;
};

}  // namespace

PointOutcome train_point(const Point& point, const train::TrainingData& data,
                         const PointContext& ctx) {
  model::Model model(point.config.model, data.train.images.shape, data.classes);
  train::Trainer trainer(model, data, point.config.train, point.config.trace, ctx.reducer);
  double wall_before = 0.0;
  bool resumed = false;
  if (ctx.file) {
    if (const auto c = ctx.file->read_checkpoint(ctx.index)) {
      trainer.restore(from_checkpoint(*c));
      wall_before = c->wall_s;
      resumed = true;
      spdlog::info("{}resuming from its checkpoint at epoch {}, step {}",
                   ctx.label.empty() ? "" : ctx.label + ": ", c->epochs_done + 1, c->steps_done);
    } else if (ctx.writer) {
      io::PointSummary running;
      running.state = io::PointState::running;
      running.epochs_done = 0;
      ctx.file->write_summary(ctx.index, running);
    }
  }
  Recorder recorder(ctx, point, wall_before);
  recorder.outcome.resumed = resumed;
  recorder.outcome.finished = trainer.run(&recorder);
  if (!recorder.outcome.finished) {
    recorder.checkpoint(trainer.state());
  } else if (!recorder.saw_epoch()) {
    // Killed after its last checkpoint but before its state said done:
    // everything else is on disk already.
    recorder.finish(trainer.state());
  }
  return recorder.outcome;
}

}  // namespace resqunn::runner
