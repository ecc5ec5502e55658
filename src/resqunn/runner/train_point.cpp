#include "resqunn/runner/train_point.hpp"

#include <chrono>
#include <spdlog/spdlog.h>

#include "resqunn/train/trainer.hpp"

namespace resqunn::runner {

namespace {

// Collects a point's records and writes them: step traces in one block per
// epoch (fewer, larger raw writes), then the epoch's metrics, then the
// summary — state last, as the schema's write protocol requires.
class Recorder final : public train::TrainingObserver {
public:
  Recorder(io::ResultsFile& file, int index, const Point& point, std::string label)
      : file_(file),
        index_(index),
        point_(point),
        label_(std::move(label)),
        start_(std::chrono::steady_clock::now()) {}

  void on_step(const train::StepRecord& s) override {
    if (pending_.empty()) first_step_ = static_cast<int>(s.step);
    const int columns = static_cast<int>(file_.layout().trace_layers.size());
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
    if (file_.layout().full_traces) t.full = s.gradient;
    t.loss = s.loss;
    pending_.push_back(std::move(t));
  }

  void on_epoch(const train::EpochRecord& e, const train::TrainerState& state) override {
    if (!pending_.empty()) file_.write_steps(index_, first_step_, pending_);
    pending_.clear();
    io::EpochMetrics m;
    m.train_loss = e.train_loss;
    m.train_acc = e.train_acc;
    m.val_loss = e.val_loss;
    m.val_acc = e.val_acc;
    m.wall_s = e.wall_s;
    m.images_per_s = e.images_per_s;
    m.val_class_acc = e.val_class_acc;
    file_.write_epoch(index_, e.epoch, m);
    const bool last = state.epochs_done == point_.config.train.epochs;
    if (last) {
      file_.write_confusion(index_, e.confusion);
      file_.write_weights(index_, state.parameters);
    }
    io::PointSummary s;
    s.state = last ? io::PointState::done : io::PointState::running;
    s.epochs_done = state.epochs_done;
    s.best_val_acc = state.best_val_acc;
    s.wall_s = elapsed();
    file_.write_summary(index_, s);
    outcome.epochs_done = state.epochs_done;
    outcome.best_val_acc = state.best_val_acc;
    outcome.final_val_acc = e.val_acc;
    outcome.wall_s = s.wall_s;
    spdlog::info("{}epoch {}/{}: train loss {:.4f} acc {:.1f}% | val loss {:.4f} acc {:.1f}% | "
                 "{:.1f} s, {:.0f} img/s",
                 label_.empty() ? "" : label_ + ": ", e.epoch + 1, point_.config.train.epochs,
                 e.train_loss, 100.0 * e.train_acc, e.val_loss, 100.0 * e.val_acc, e.wall_s,
                 e.images_per_s);
  }

  PointOutcome outcome;

private:
  double elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

  io::ResultsFile& file_;
  int index_;
  const Point& point_;
  std::string label_;
  std::chrono::steady_clock::time_point start_;
  std::vector<io::StepTrace> pending_;
  int first_step_ = 0;
};

}  // namespace

PointOutcome train_point(const Point& point, const std::filesystem::path& data_dir,
                         io::ResultsFile& file, int index, const std::string& label) {
  const auto data = train::load_training_data(point.config.data, data_dir);
  return train_point(point, data, file, index, label);
}

PointOutcome train_point(const Point& point, const train::TrainingData& data,
                         io::ResultsFile& file, int index, const std::string& label) {
  model::Model model(point.config.model, data.train.images.shape, data.classes);
  train::Trainer trainer(model, data, point.config.train, point.config.trace);
  io::PointSummary running;
  running.state = io::PointState::running;
  running.epochs_done = 0;
  file.write_summary(index, running);
  Recorder recorder(file, index, point, label);
  recorder.outcome.finished = trainer.run(&recorder);
  return recorder.outcome;
}

}  // namespace resqunn::runner
