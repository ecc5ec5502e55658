// The results file: every field round-trips; what nobody wrote reads as
// NaN / -1 / pending; another process reads what the writer flushed while
// the writer still has the file open; create() protects existing files and
// is deterministic; bad files and bad indices get errors that say what and
// where.
#include "resqunn/core/error.hpp"
#include "resqunn/io/hdf5.hpp"
#include "resqunn/io/results.hpp"

#include "results_data.hpp"
#include "results_expect.hpp"
#include "temp_dir.hpp"
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <hdf5.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sys/wait.h>
#include <unistd.h>

namespace resqunn::io {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

using io::testing::bytes_of;
using io::testing::checkpoint_for;
using io::testing::epoch_for;
using io::testing::expect_only_raw_data_changed;
using io::testing::expect_point_written;
using io::testing::fixed_provenance;
using io::testing::info_for;
using io::testing::kSpec;
using io::testing::small_layout;
using io::testing::step_for;
using io::testing::write_point;

template <class Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

class Results : public io::testing::TempDir {
protected:
  std::filesystem::path file() const { return dir_ / "results.h5"; }

  // Published at once, so that the tests can read the file by its name
  // while writing it (as sweeps do once their points are described).
  ResultsFile create_small() {
    auto results = ResultsFile::create(file(), small_layout(), kSpec, fixed_provenance(), false);
    results.publish();
    return results;
  }

  // Describes points 0 to 2, fills points 0 and 2 completely and leaves
  // point 1 without results.
  void write_all(ResultsFile& results) {
    results.write_point_infos(0, {info_for(0), info_for(1)});
    results.write_point_info(2, info_for(2));
    write_results(results);
  }

  void write_results(ResultsFile& results) {
    for (int p : {0, 2}) write_point(results, p);
  }
};

TEST_F(Results, EveryFieldRoundTrips) {
  {
    auto results = create_small();
    write_all(results);
    results.set_end_time("2024-05-01T13:00:00Z");
    results.close();
  }
  const auto results = ResultsFile::open(file(), OpenMode::read_only);
  EXPECT_FALSE(results.writable());
  EXPECT_EQ(results.layout(), small_layout());
  EXPECT_EQ(results.spec_toml(), kSpec);

  auto expected_provenance = fixed_provenance();
  expected_provenance.end_time_utc = "2024-05-01T13:00:00Z";
  const auto provenance = results.provenance();
  for (auto field :
       {&Provenance::resqunn_version, &Provenance::git_sha, &Provenance::compiler,
        &Provenance::build_type, &Provenance::kokkos_version, &Provenance::kokkos_backends,
        &Provenance::mpi_version, &Provenance::hdf5_version, &Provenance::host,
        &Provenance::slurm_job_id, &Provenance::slurm_array_job_id,
        &Provenance::slurm_array_task_id, &Provenance::start_time_utc, &Provenance::end_time_utc}) {
    EXPECT_EQ(provenance.*field, expected_provenance.*field);
  }
  EXPECT_TRUE(provenance.git_dirty);
  EXPECT_EQ(provenance.mpi_size, 3);

  EXPECT_EQ(results.read_point_ids(), (std::vector<std::string>{"point-0", "point-1", "point-2"}));
  for (int p : {0, 2}) expect_point_written(results, p);
  EXPECT_FALSE(results.read_checkpoint(1).has_value());
  EXPECT_EQ(results.read_params(),
            (std::vector<std::vector<std::string>>{
                {"false", "true", "false"},
                {std::to_string(0.1), std::to_string(0.05), std::to_string(0.1 / 3)}}));
  const auto summaries = results.read_summaries();
  ASSERT_EQ(summaries.size(), 3u);
  EXPECT_DOUBLE_EQ(summaries[2].best_val_acc, 2.47);
  EXPECT_EQ(summaries[1].state, PointState::pending);
}

TEST_F(Results, WhatNobodyWroteIsNanMinusOneOrPending) {
  {
    auto results = create_small();
    // Point 1: info without weight layout, one epoch without class accuracies.
    auto info = info_for(1);
    info.weight_count = -1;
    info.layer_weight_offsets.clear();
    results.write_point_info(1, info);
    EpochMetrics partial;
    partial.val_acc = 0.5;
    results.write_epoch(1, 2, partial);
    results.write_weights(1, {1.0, 2.0});
    results.write_steps(1, 4, {StepTrace{{1, 2}, {3, 4}, {5, 6}, {7}, 0.25}});
    results.close();
  }
  const auto results = ResultsFile::open(file(), OpenMode::read_only);
  const auto untouched = results.read_point_info(0);
  EXPECT_EQ(untouched.id, "");
  EXPECT_EQ(untouched.params, (std::vector<std::string>{"", ""}));
  EXPECT_EQ(untouched.weight_count, -1);
  EXPECT_TRUE(untouched.layer_weight_offsets.empty());
  const auto summary = results.read_summary(0);
  EXPECT_EQ(summary.state, PointState::pending);
  EXPECT_EQ(summary.epochs_done, -1);
  EXPECT_TRUE(std::isnan(summary.best_val_acc));
  EXPECT_TRUE(std::isnan(summary.wall_s));
  EXPECT_EQ(results.read_confusion(0), std::vector<std::int64_t>(9, -1));
  EXPECT_FALSE(results.read_checkpoint(0).has_value());
  EXPECT_EQ(results.read_params(), (std::vector<std::vector<std::string>>{
                                       {"", "true", ""}, {"", std::to_string(0.05), ""}}));

  const auto epoch = results.read_epoch(1, 2);
  EXPECT_EQ(epoch.val_acc, 0.5);
  EXPECT_TRUE(std::isnan(epoch.train_loss));
  ASSERT_EQ(epoch.val_class_acc.size(), 3u);
  for (double v : epoch.val_class_acc) EXPECT_TRUE(std::isnan(v));
  EXPECT_TRUE(std::isnan(results.read_epoch(1, 0).val_acc));

  // Weight count unknown: all max_weights values, NaN past what was written.
  const auto weights = results.read_weights(1);
  ASSERT_EQ(weights.size(), 10u);
  EXPECT_EQ(weights[1], 2.0);
  EXPECT_TRUE(std::isnan(weights[2]));
  const auto steps = results.read_steps(1, 3, 2);
  EXPECT_TRUE(std::isnan(steps[0].loss));
  EXPECT_TRUE(std::isnan(steps[0].norm[0]));
  EXPECT_EQ(steps[1].loss, 0.25);
  EXPECT_EQ(steps[1].max_abs, (std::vector<double>{5, 6}));
  ASSERT_EQ(steps[1].full.size(), 10u);
  EXPECT_EQ(steps[1].full[0], 7.0);
  EXPECT_TRUE(std::isnan(steps[1].full[1]));
}

struct ProbeResult {
  int status;
  std::string output;
};

// Runs the probe in another process, without HDF5_USE_FILE_LOCKING unless
// `environment` sets it: the reader must cope on its own.
ProbeResult probe(const std::filesystem::path& file, int point,
                  const std::string& environment = "-u HDF5_USE_FILE_LOCKING") {
  const std::string command = "env " + environment + " '" RESQUNN_RESULTS_PROBE "' '" +
                              file.string() + "' " + std::to_string(point) + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed"};
  std::string output;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

TEST_F(Results, AnotherProcessReadsWhatTheOpenWriterFlushed) {
  auto writer = create_small();
  writer.write_point_info(0, info_for(0));
  auto seen = probe(file(), 0);
  EXPECT_EQ(seen.status, 0) << seen.output;
  EXPECT_EQ(seen.output, "state=pending epochs_done=-1 val_acc=nan id=point-0\n");

  writer.write_epoch(0, 0, epoch_for(0, 0));
  writer.write_summary(0, {PointState::running, 1, 0.4, 10.0});
  seen = probe(file(), 0);
  EXPECT_EQ(seen.output, "state=running epochs_done=1 val_acc=0.4 id=point-0\n");

  writer.write_summary(0, {PointState::done, 4, 0.46, 40.0});
  seen = probe(file(), 0);
  EXPECT_EQ(seen.output, "state=done epochs_done=4 val_acc=0.4 id=point-0\n");

  // Forcing locks on shows why readers switch them off, and what the
  // message then tells the user.
  seen = probe(file(), 0, "HDF5_USE_FILE_LOCKING=TRUE");
  EXPECT_EQ(seen.status, 1);
  EXPECT_THAT(seen.output, AllOf(StartsWith("error: " + file().string()), HasSubstr("locked"),
                                 HasSubstr("HDF5_USE_FILE_LOCKING=FALSE")));

  // A reader in the writing process works too.
  const auto reader = ResultsFile::open(file(), OpenMode::read_only);
  EXPECT_EQ(reader.read_summary(0).state, PointState::done);
  writer.close();
}

TEST_F(Results, AfterThePointsAreDescribedOnlyRawDataChanges) {
  // The write protocol's promise: once created and described, a file is
  // changed by results only inside the storage of numeric datasets, never
  // in HDF5 metadata, so a kill cannot corrupt it and readers never see
  // metadata change under them.
  auto results = create_small();
  results.write_point_infos(0, {info_for(0), info_for(1), info_for(2)});
  const auto before = bytes_of(file());
  write_results(results);
  results.write_steps(1, 0, {step_for(1, 0)});
  results.write_summary(1, {PointState::failed, 0, 0.1, 1});  // flushes
  // What a reader, or the disk after a kill, sees. (Closing then clears
  // the superblock's "open for writing" flag, the one metadata change.)
  const auto after = bytes_of(file());
  results.close();
  expect_only_raw_data_changed(file(), before, after);
}

TEST_F(Results, AWriterKilledMidRunLeavesAFileThatReadsAndResumes) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The writer; it must never return into the test runner.
    try {
      auto results = create_small();
      results.write_point_info(0, info_for(0));
      results.write_epoch(0, 0, epoch_for(0, 0));
      results.write_summary(0, {PointState::done, 1, 0.4, 10});
      results.write_epoch(1, 0, epoch_for(1, 0));  // not vouched for by a flushed state
      raise(SIGKILL);
    } catch (...) {
    }
    _exit(1);
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));

  {
    const auto results = ResultsFile::open(file(), OpenMode::read_only);
    EXPECT_EQ(results.read_summary(0).state, PointState::done);
    EXPECT_EQ(results.read_epoch(0, 0).val_acc, epoch_for(0, 0).val_acc);
    EXPECT_EQ(results.read_summary(1).state, PointState::pending);
  }
  auto resumed = ResultsFile::open(file(), OpenMode::read_write);
  resumed.write_epoch(1, 0, epoch_for(1, 0));
  resumed.write_summary(1, {PointState::done, 1, 0.5, 11});
  resumed.close();
  EXPECT_EQ(ResultsFile::open(file(), OpenMode::read_only).read_summary(1).state, PointState::done);
}

// A sweep's writers: every rank opened the file with MPI-IO (open_parallel)
// and wrote its point; then all were killed with kill -9, without a flush
// or a close (results_parallel_writer.cpp). What their raw writes put in
// the file must be there, and the file must read and resume serially.
class KilledParallelWriters : public Results {
protected:
  static constexpr int kPoints = 4;

  void run(int ranks) {
    auto layout = small_layout(kPoints);
    {
      auto results = ResultsFile::create(file(), layout, kSpec, fixed_provenance(), false);
      std::vector<PointInfo> infos;
      for (int p = 0; p < kPoints; ++p) infos.push_back(info_for(p));
      results.write_point_infos(0, infos);
    }
    // As ctest runs MPI tests (ResqunnTesting.cmake): as root, no network.
    const std::string environment =
        "env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "
        "OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_mpi_yield_when_idle=1 "
        "OMPI_MCA_btl=self,vader,tcp OMPI_MCA_btl_tcp_if_include=lo "
        "OMPI_MCA_oob_tcp_if_include=lo ";
    // One rank runs as an MPI singleton (no mpiexec), more under mpiexec.
    const std::string launcher =
        ranks == 1 ? std::string() : "'" RESQUNN_MPIEXEC "' -n " + std::to_string(ranks) + " ";
    const auto seen =
        run_command(environment + launcher + "'" RESQUNN_RESULTS_PARALLEL_WRITER "' '" +
                    file().string() + "' 2>&1");
    for (int r = 0; r < ranks; ++r) {
      EXPECT_THAT(seen.output, HasSubstr("rank " + std::to_string(r) + " wrote point " +
                                         std::to_string(r) + "\n"));
    }
    ASSERT_THAT(seen.output, ::testing::Not(HasSubstr("error:")));
    EXPECT_FALSE(seen.exited_normally && seen.status == 0) << seen.output;

    {
      const auto results = ResultsFile::open(file(), OpenMode::read_only);
      for (int p = 0; p < ranks; ++p) expect_point_written(results, p);
      if (ranks == 1) {
        // Written after the summary and never flushed, then killed: there
        // all the same, as writes through MPI-IO are not buffered by HDF5.
        // (A serial writer's chunk cache would have lost it.)
        EXPECT_EQ(results.read_epoch(1, 0).val_acc, epoch_for(1, 0).val_acc);
      }
      for (int p = ranks; p < kPoints; ++p) {
        EXPECT_EQ(results.read_summary(p).state, PointState::pending);
        EXPECT_FALSE(results.read_checkpoint(p).has_value());
      }
    }
    // A requeued job carries on serially (or in parallel) where it stands.
    auto resumed = ResultsFile::open(file(), OpenMode::read_write);
    for (int p = ranks; p < kPoints; ++p) write_point(resumed, p);
    resumed.set_end_time("2024-05-01T13:00:00Z");
    resumed.close();
    const auto results = ResultsFile::open(file(), OpenMode::read_only);
    for (int p = 0; p < kPoints; ++p) expect_point_written(results, p);
  }

  struct Outcome {
    bool exited_normally;
    int status;
    std::string output;
  };

  static Outcome run_command(const std::string& command) {
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return {false, -1, "popen failed"};
    std::string output;
    char buffer[512];
    while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
    const int status = pclose(pipe);
    return {WIFEXITED(status), WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
  }
};

TEST_F(KilledParallelWriters, OneRankLeavesWhatItWrote) { run(1); }

TEST_F(KilledParallelWriters, TwoRanksLeaveWhatTheyWrote) { run(2); }

// The slot /checkpoint/current names, through the h5 layer.
std::int64_t current_slot(const std::filesystem::path& file, int point) {
  return h5::File::open(file, h5::Access::read_only)
      .open_dataset("checkpoint/current")
      .read_block<std::int64_t>({static_cast<std::uint64_t>(point)}, {1})
      .front();
}

TEST_F(Results, ANewFileAppearsUnderItsNameOnlyWhenPublished) {
  const auto staging = ResultsFile::staging_path(file());
  EXPECT_EQ(staging.string(), file().string() + ".creating");
  {
    auto results = ResultsFile::create(file(), small_layout(), kSpec, fixed_provenance(), false);
    EXPECT_FALSE(std::filesystem::exists(file()));
    EXPECT_TRUE(std::filesystem::exists(staging));
    results.write_point_infos(0, {info_for(0), info_for(1)});
    results.publish();
    EXPECT_TRUE(std::filesystem::exists(file()));
    EXPECT_FALSE(std::filesystem::exists(staging));
    results.write_point_info(2, info_for(2));  // still open after publishing
  }
  EXPECT_EQ(ResultsFile::open(file(), OpenMode::read_only).read_point_info(2).id, info_for(2).id);
}

TEST_F(Results, ACreatedFileIsPublishedByCloseOrScopeButNotByAnException) {
  const auto staging = ResultsFile::staging_path(file());
  {
    auto results = ResultsFile::create(file(), small_layout(), kSpec, fixed_provenance(), false);
  }  // out of scope normally: published
  EXPECT_TRUE(std::filesystem::exists(file()));
  std::filesystem::remove(file());
  try {
    auto results = ResultsFile::create(file(), small_layout(), kSpec, fixed_provenance(), false);
    results.write_point_info(0, info_for(0));
    throw std::runtime_error("describing the points failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_FALSE(std::filesystem::exists(file()));
  EXPECT_FALSE(std::filesystem::exists(staging));
}

TEST_F(Results, OverwriteKeepsTheOldFileUntilTheNewOneIsPublished) {
  {
    auto results = create_small();
    write_all(results);
    results.close();
  }
  const auto old_id = ResultsFile::open(file(), OpenMode::read_only).read_point_info(0).id;
  ASSERT_FALSE(old_id.empty());
  auto fresh = ResultsFile::create(file(), small_layout(), kSpec, fixed_provenance(), true);
  EXPECT_EQ(ResultsFile::open(file(), OpenMode::read_only).read_point_info(0).id, old_id);
  fresh.close();
  EXPECT_TRUE(ResultsFile::open(file(), OpenMode::read_only).read_point_info(0).id.empty());
}

TEST_F(Results, AStagingFileLeftByAKilledRunIsReplaced) {
  const auto staging = ResultsFile::staging_path(file());
  { std::ofstream(staging) << "half a file"; }
  auto results = create_small();
  results.close();
  EXPECT_FALSE(std::filesystem::exists(staging));
  EXPECT_EQ(ResultsFile::open(file(), OpenMode::read_only).layout(), small_layout());
}

TEST_F(Results, AFileThatCannotFitIsRefusedBeforeItIsBegun) {
  ResultsLayout huge = small_layout();
  huge.points = 1 << 20;
  huge.max_weights = 1 << 20;  // about 2^40 doubles per checkpoint vector
  EXPECT_GT(huge.estimated_bytes(0), std::uint64_t{1} << 45);
  try {
    (void)ResultsFile::create(file(), huge, kSpec, fixed_provenance(), false);
    FAIL() << "created";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no space left on the device"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("MiB free"), std::string::npos);
  }
  EXPECT_FALSE(std::filesystem::exists(file()));
  EXPECT_FALSE(std::filesystem::exists(ResultsFile::staging_path(file())));
}

TEST_F(Results, TheSizeEstimateBoundsTheFileFromAbove) {
  {
    auto results = create_small();
    write_all(results);
    results.close();
  }
  const auto size = std::filesystem::file_size(file());
  const auto estimate = small_layout().estimated_bytes(std::string(kSpec).size());
  EXPECT_GE(estimate, size);
  EXPECT_LT(estimate, size + (std::uint64_t{1} << 20));
}

TEST_F(Results, CheckpointsRoundTripBitForBitInAlternatingSlots) {
  auto results = create_small();
  EXPECT_FALSE(results.read_checkpoint(0).has_value());
  for (int k = 0; k < 3; ++k) {
    SCOPED_TRACE("checkpoint " + std::to_string(k));
    results.write_checkpoint(0, checkpoint_for(0, k));
    EXPECT_EQ(current_slot(file(), 0), k % 2);
    const auto read = results.read_checkpoint(0);
    ASSERT_TRUE(read.has_value());
    EXPECT_TRUE(*read == checkpoint_for(0, k));
    EXPECT_EQ(read->params, checkpoint_for(0, k).params);
  }
  EXPECT_TRUE(std::isnan(checkpoint_for(0, 0).best_val_acc));  // NaN round-tripped above
  EXPECT_FALSE(results.read_checkpoint(1).has_value());

  // SGD keeps no second moment; and a slot that held more values before
  // gives back only the new ones.
  Checkpoint sgd = checkpoint_for(1, 4);
  EXPECT_TRUE(sgd.moment2.empty());
  results.write_checkpoint(0, sgd);
  EXPECT_TRUE(*results.read_checkpoint(0) == sgd);
  Checkpoint bare;
  bare.params = {1.0, -2.0};
  results.write_checkpoint(0, bare);
  results.close();

  const auto reopened = ResultsFile::open(file(), OpenMode::read_only);
  const auto read = reopened.read_checkpoint(0);
  ASSERT_TRUE(read.has_value());
  EXPECT_TRUE(*read == bare);
  EXPECT_TRUE(read->moment1.empty());
  EXPECT_TRUE(read->moment2.empty());
  EXPECT_TRUE(std::isnan(read->best_val_acc));
}

TEST_F(Results, ATornCheckpointWriteLeavesThePreviousOne) {
  {
    auto results = create_small();
    results.write_checkpoint(2, checkpoint_for(2, 0));
    results.write_checkpoint(2, checkpoint_for(2, 1));  // slot 1
  }
  // A writer killed while writing the next checkpoint: the slot not in use
  // (0) is partly rewritten, /checkpoint/current still names slot 1.
  {
    auto raw = h5::File::open(file(), h5::Access::read_write);
    raw.open_dataset("checkpoint/params")
        .write_block({2, 0, 0}, {1, 1, 3}, std::vector<double>{9, 9, 9});
    raw.open_dataset("checkpoint/counters")
        .write_block({2, 0, 0}, {1, 1, 2}, std::vector<std::int64_t>{99, 99});
    raw.open_dataset("checkpoint/sizes")
        .write_block({2, 0, 0}, {1, 1, 1}, std::vector<std::int64_t>{10});
  }
  {
    auto results = ResultsFile::open(file(), OpenMode::read_write);
    auto read = results.read_checkpoint(2);
    ASSERT_TRUE(read.has_value());
    EXPECT_TRUE(*read == checkpoint_for(2, 1));
    // The resumed writer's next checkpoint goes to the torn slot again.
    results.write_checkpoint(2, checkpoint_for(2, 2));
    EXPECT_EQ(current_slot(file(), 2), 0);
    read = results.read_checkpoint(2);
    ASSERT_TRUE(read.has_value());
    EXPECT_TRUE(*read == checkpoint_for(2, 2));
  }
  // Damage is reported, not read as a checkpoint.
  h5::File::open(file(), h5::Access::read_write)
      .open_dataset("checkpoint/current")
      .write_block({2}, {1}, std::vector<std::int64_t>{7});
  const auto results = ResultsFile::open(file(), OpenMode::read_only);
  EXPECT_THAT(error_of([&] { results.read_checkpoint(2); }),
              AllOf(HasSubstr("damaged"), HasSubstr("/checkpoint/current[2] is 7")));
}

TEST_F(Results, CheckpointsThatDoNotFitAreUsageErrors) {
  auto results = create_small();
  Checkpoint c;
  c.params.assign(11, 0.5);
  EXPECT_THAT(error_of([&] { results.write_checkpoint(0, c); }),
              AllOf(HasSubstr("checkpoint params has 11 values"), HasSubstr("at most 10")));
  c.params.assign(10, 0.5);
  c.moment2.assign(11, 0.5);
  EXPECT_THROW(results.write_checkpoint(0, c), UsageError);
  EXPECT_THROW(results.write_checkpoint(3, Checkpoint{}), UsageError);
  EXPECT_THROW(results.read_checkpoint(-1), UsageError);
  EXPECT_FALSE(results.read_checkpoint(0).has_value());  // nothing was written
}

TEST_F(Results, CreateRefusesAnExistingFileAndLeavesItAlone) {
  create_small().close();
  const auto before = bytes_of(file());
  const auto message = error_of([&] { create_small(); });
  EXPECT_THAT(message, AllOf(HasSubstr(file().string()), HasSubstr("already exists"),
                             HasSubstr("--overwrite")));
  EXPECT_THROW(create_small(), UsageError);
  EXPECT_EQ(bytes_of(file()), before);

  std::ofstream(dir_ / "notes.txt") << "precious\n";
  EXPECT_THROW(
      ResultsFile::create(dir_ / "notes.txt", small_layout(), kSpec, fixed_provenance(), false),
      UsageError);
  EXPECT_EQ(bytes_of(dir_ / "notes.txt"),
            (std::vector<char>{'p', 'r', 'e', 'c', 'i', 'o', 'u', 's', '\n'}));
}

TEST_F(Results, CreateWithOverwriteReplacesTheFile) {
  {
    auto results = create_small();
    write_all(results);
  }
  auto layout = small_layout();
  layout.points = 1;
  auto results = ResultsFile::create(file(), layout, "", fixed_provenance(), true);
  results.close();
  const auto reopened = ResultsFile::open(file(), OpenMode::read_only);
  EXPECT_EQ(reopened.layout().points, 1);
  EXPECT_EQ(reopened.read_summary(0).state, PointState::pending);
}

TEST_F(Results, CreateIsDeterministic) {
  // Identical arguments give identical bytes: what collective creation
  // under parallel HDF5 needs (every rank creates the same metadata).
  ResultsFile::create(dir_ / "a.h5", small_layout(), kSpec, fixed_provenance(), false).close();
  ResultsFile::create(dir_ / "b.h5", small_layout(), kSpec, fixed_provenance(), false).close();
  EXPECT_EQ(bytes_of(dir_ / "a.h5"), bytes_of(dir_ / "b.h5"));
}

TEST_F(Results, OpeningSomethingElseSaysWhatItIs) {
  const auto open = [&](const std::filesystem::path& path) {
    return error_of([&] { ResultsFile::open(path, OpenMode::read_only); });
  };
  EXPECT_THAT(open(dir_ / "missing.h5"),
              AllOf(HasSubstr(dir_ / "missing.h5"), HasSubstr("no such file")));

  std::ofstream(dir_ / "text.h5") << "[model]\nname = 'not hdf5'\n";
  EXPECT_THAT(open(dir_ / "text.h5"),
              AllOf(HasSubstr(dir_ / "text.h5"), HasSubstr("not an HDF5 file")));

  create_small().close();
  auto bytes = bytes_of(file());
  bytes.resize(bytes.size() / 2);
  std::ofstream(dir_ / "truncated.h5", std::ios::binary).write(bytes.data(), bytes.size());
  EXPECT_THAT(open(dir_ / "truncated.h5"),
              AllOf(HasSubstr(dir_ / "truncated.h5"), HasSubstr("truncated"),
                    HasSubstr("fix: the file was cut short")));

  h5::File::create(dir_ / "other.h5", false).create_group("data");
  EXPECT_THAT(open(dir_ / "other.h5"),
              AllOf(HasSubstr(dir_ / "other.h5"), HasSubstr("not a resqunn results file"),
                    HasSubstr("'schema'")));
}

TEST_F(Results, OpenRefusesOtherSchemasNewerVersionsAndDamage) {
  const auto open = [&] {
    return error_of([&] { ResultsFile::open(file(), OpenMode::read_only); });
  };
  const auto fresh = [&] {
    std::filesystem::remove(file());
    create_small().close();
  };
  fresh();
  h5::File::open(file(), h5::Access::read_write).set_attribute("schema", std::string("other"));
  EXPECT_THAT(open(), AllOf(HasSubstr("not a resqunn results file"), HasSubstr("'other'")));

  fresh();
  h5::File::open(file(), h5::Access::read_write)
      .set_attribute("schema_version", std::int64_t{results_schema_version + 1});
  EXPECT_THAT(open(), AllOf(HasSubstr("schema version 2"), HasSubstr("reads up to version 1")));

  fresh();
  {
    const hid_t raw = H5Fopen(file().c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(raw, 0);
    H5Ldelete(raw, "metrics/val_acc", H5P_DEFAULT);
    H5Fclose(raw);
  }
  EXPECT_THAT(open(), AllOf(HasSubstr(file().string()), HasSubstr("damaged"),
                            HasSubstr("/metrics/val_acc is missing")));
}

TEST_F(Results, IndicesOutOfRangeAreUsageErrors) {
  auto results = create_small();
  const EpochMetrics m;
  EXPECT_THAT(error_of([&] { results.write_epoch(3, 0, m); }),
              AllOf(HasSubstr(file().string()), HasSubstr("point 3 is out of range"),
                    HasSubstr("3 points (0..2)")));
  EXPECT_THROW(results.write_epoch(-1, 0, m), UsageError);
  EXPECT_THAT(error_of([&] { results.write_epoch(0, 4, m); }),
              HasSubstr("epoch 4 is out of range"));
  EXPECT_THAT(error_of([&] {
                results.write_steps(0, 4, {step_for(0, 0), step_for(0, 1)});
              }),
              HasSubstr("steps 4..5 are out of range"));
  EXPECT_THROW(results.write_steps(0, -1, {step_for(0, 0)}), UsageError);
  EXPECT_THROW(results.read_steps(0, 0, 6), UsageError);
  EXPECT_THROW(results.read_steps(0, 0, -1), UsageError);
  EXPECT_THROW(results.read_summary(3), UsageError);
  EXPECT_THROW(results.read_epoch(0, -1), UsageError);
  EXPECT_THROW(results.read_weights(7), UsageError);
  EXPECT_THROW(results.write_point_infos(2, {info_for(0), info_for(1)}), UsageError);
  EXPECT_THROW(results.write_summary(0, {PointState::done, 5, 0, 0}), UsageError);
}

TEST_F(Results, WrongSizesAreUsageErrors) {
  auto results = create_small();
  EpochMetrics m;
  m.val_class_acc = {1, 2};
  EXPECT_THAT(error_of([&] { results.write_epoch(0, 0, m); }),
              HasSubstr("val_class_acc has 2 values, expected 3"));
  auto step = step_for(0, 0);
  step.norm.push_back(1);
  EXPECT_THROW(results.write_steps(0, 0, {step}), UsageError);
  EXPECT_THROW(results.write_steps(0, 0, {step_for(0, 0), step_for(1, 1)}), UsageError);
  EXPECT_THROW(results.write_confusion(0, std::vector<std::int64_t>(8)), UsageError);
  EXPECT_THROW(results.write_weights(0, std::vector<double>(11)), UsageError);
  auto info = info_for(0);
  info.params.pop_back();
  EXPECT_THAT(error_of([&] { results.write_point_info(0, info); }),
              HasSubstr("1 parameter values for 2 parameter columns"));
  info = info_for(0);
  info.layer_weight_offsets = {0, 5, 3};
  EXPECT_THROW(results.write_point_info(0, info), UsageError);
  info = info_for(0);
  info.weight_count = 11;
  EXPECT_THROW(results.write_point_info(0, info), UsageError);

  auto layout = small_layout();
  layout.full_traces = false;
  auto no_full = ResultsFile::create(dir_ / "no-full.h5", layout, "", fixed_provenance(), false);
  EXPECT_THAT(error_of([&] { no_full.write_steps(0, 0, {step_for(0, 0)}); }),
              HasSubstr("without full traces"));
  EXPECT_TRUE(no_full.read_steps(0, 0, 1)[0].full.empty());
}

TEST_F(Results, BadLayoutsAreRefusedBeforeAnyFileExists) {
  auto layout = small_layout();
  layout.param_names = {"model/residual"};
  EXPECT_THAT(error_of([&] { ResultsFile::create(file(), layout, "", fixed_provenance(), false); }),
              HasSubstr("'model/residual'"));
  layout = small_layout();
  layout.param_names = {"a", "a"};
  EXPECT_THROW(ResultsFile::create(file(), layout, "", fixed_provenance(), false), UsageError);
  layout = small_layout();
  layout.epochs = 0;
  EXPECT_THROW(ResultsFile::create(file(), layout, "", fixed_provenance(), false), UsageError);
  EXPECT_FALSE(std::filesystem::exists(file()));
}

TEST_F(Results, AFileOpenedReadOnlyRefusesWrites) {
  create_small().close();
  auto results = ResultsFile::open(file(), OpenMode::read_only);
  EXPECT_THAT(error_of([&] { results.write_summary(0, {}); }), HasSubstr("opened read-only"));
  EXPECT_THROW(results.write_point_info(0, info_for(0)), UsageError);
  EXPECT_THROW(results.set_end_time("now"), UsageError);
  EXPECT_THROW(results.write_checkpoint(0, checkpoint_for(0, 0)), UsageError);
}

TEST_F(Results, AReopenedWriterContinuesWhereTheFileStands) {
  {
    auto results = create_small();
    results.write_point_info(0, info_for(0));
    results.write_summary(0, {PointState::running, 1, 0.3, 5});
  }  // closed by the destructor
  {
    auto results = ResultsFile::open(file(), OpenMode::read_write);
    EXPECT_EQ(results.read_summary(0).epochs_done, 1);
    results.write_epoch(0, 1, epoch_for(0, 1));
    results.write_summary(0, {PointState::done, 2, 0.42, 9});
  }
  const auto results = ResultsFile::open(file(), OpenMode::read_only);
  EXPECT_EQ(results.read_summary(0).state, PointState::done);
  EXPECT_EQ(results.read_epoch(0, 1).val_acc, epoch_for(0, 1).val_acc);
  EXPECT_EQ(results.read_point_info(0).id, "point-0");
}

// Per-point metadata would make this take minutes; its time is a benchmark
// matter, so it is only recorded here, never asserted.
TEST_F(Results, AHundredThousandPointSweepFitsOneFile) {
  ResultsLayout layout;
  layout.points = 100000;
  layout.epochs = 3;
  layout.steps = 4;
  layout.trace_layers = {"QCL1", "head"};
  layout.class_names = {"a", "b"};
  layout.max_weights = 8;
  layout.param_names = {"model.residual", "train.optimizer.lr"};
  const auto start = std::chrono::steady_clock::now();
  ResultsFile::create(file(), layout, kSpec, fixed_provenance(), false).close();
  const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
  RecordProperty("create_seconds", std::to_string(seconds.count()));

  const auto results = ResultsFile::open(file(), OpenMode::read_only);
  EXPECT_EQ(results.layout(), layout);
  const auto summaries = results.read_summaries();
  ASSERT_EQ(summaries.size(), 100000u);
  EXPECT_EQ(summaries.back().state, PointState::pending);
}

TEST(PointStateNames, AreTheDocumentedOnes) {
  EXPECT_STREQ(to_string(PointState::pending), "pending");
  EXPECT_STREQ(to_string(PointState::running), "running");
  EXPECT_STREQ(to_string(PointState::done), "done");
  EXPECT_STREQ(to_string(PointState::failed), "failed");
  EXPECT_STREQ(to_string(static_cast<PointState>(7)), "unknown");
}

TEST(Provenance, CollectsWhatIoKnows) {
  const auto p = collect_provenance();
  EXPECT_FALSE(p.resqunn_version.empty());
  EXPECT_FALSE(p.hdf5_version.empty());
  EXPECT_FALSE(p.host.empty());
  EXPECT_EQ(p.start_time_utc.size(), 20u);
  EXPECT_EQ(p.start_time_utc.back(), 'Z');
  EXPECT_TRUE(p.kokkos_version.empty());  // the caller's to fill
}

}  // namespace
}  // namespace resqunn::io
