// The results file: every field round-trips; what nobody wrote reads as
// NaN / -1 / pending; another process reads what the writer flushed while
// the writer still has the file open; create() protects existing files and
// is deterministic; bad files and bad indices get errors that say what and
// where.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <hdf5.h>
#include <iterator>
#include <sys/wait.h>

#include "temp_dir.hpp"

#include "resqunn/core/error.hpp"
#include "resqunn/io/hdf5.hpp"
#include "resqunn/io/results.hpp"

namespace resqunn::io {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

ResultsLayout small_layout() {
  ResultsLayout layout;
  layout.points = 3;
  layout.epochs = 4;
  layout.steps = 5;
  layout.trace_layers = {"QCL1", "head"};
  layout.class_names = {"zero", "one", "two"};
  layout.max_weights = 10;
  layout.full_traces = true;
  layout.param_names = {"model.residual", "train.optimizer.lr"};
  return layout;
}

Provenance fixed_provenance() {
  Provenance p;
  p.resqunn_version = "0.1.0";
  p.git_sha = "0123456789abcdef0123456789abcdef01234567";
  p.git_dirty = true;
  p.compiler = "GNU 12.2.0";
  p.build_type = "Release";
  p.kokkos_version = "3.4.1";
  p.kokkos_backends = "OpenMP,Serial";
  p.mpi_version = "Open MPI v4.1.4";
  p.mpi_size = 3;
  p.hdf5_version = "1.10.8";
  p.host = "node01";
  p.slurm_job_id = "12345";
  p.slurm_array_job_id = "12340";
  p.slurm_array_task_id = "5";
  p.start_time_utc = "2024-05-01T12:00:00Z";
  return p;
}

const char* const kSpec = "[model]\nname = \"résumé\"\n[sweep]\nlr = [0.1, 0.01]\n";

// Point p has 4 + p weights over the two trace layers.
PointInfo info_for(int p) {
  PointInfo info;
  info.id = "point-" + std::to_string(p);
  info.config_toml = "[train]\nseed = " + std::to_string(p) + "\n";
  info.config_sha256 = std::string(64, static_cast<char>('a' + p));
  info.params = {p % 2 ? "true" : "false", std::to_string(0.1 / (p + 1))};
  info.weight_count = 4 + p;
  info.layer_weight_offsets = {0, 3, 4 + p};
  return info;
}

EpochMetrics epoch_for(int p, int e) {
  EpochMetrics m;
  m.train_loss = 2.0 - 0.1 * e - p;
  m.train_acc = 0.5 + 0.01 * e;
  m.val_loss = 2.5 - 0.1 * e;
  m.val_acc = 0.4 + 0.02 * e + 0.001 * p;
  m.wall_s = 10.0 + e;
  m.images_per_s = 1000.0 * (p + 1);
  m.val_class_acc = {0.1 * e, 0.2, 0.3 + p};
  return m;
}

StepTrace step_for(int p, int s) {
  StepTrace t;
  t.norm = {1.0 + s, 2.0 + p};
  t.mean_abs = {0.1 * s, 0.2};
  t.max_abs = {3.0, 4.0 * s};
  for (int w = 0; w < 4 + p; ++w) t.full.push_back(100.0 * s + w);
  t.loss = 1.0 / (s + 1);
  return t;
}

std::vector<char> bytes_of(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Byte ranges [address, address + size) of the raw data of every numeric
// dataset in a file, read through the C API.
using ByteRanges = std::vector<std::pair<haddr_t, hsize_t>>;

herr_t collect_raw_ranges(hid_t group, const char* name, const H5L_info_t*, void* ranges_ptr) {
  auto& ranges = *static_cast<ByteRanges*>(ranges_ptr);
  const hid_t object = H5Oopen(group, name, H5P_DEFAULT);
  if (H5Iget_type(object) == H5I_DATASET) {
    const hid_t type = H5Dget_type(object);
    const hid_t properties = H5Dget_create_plist(object);
    if (H5Tget_class(type) != H5T_STRING) {
      if (H5Pget_layout(properties) == H5D_CHUNKED) {
        const hid_t space = H5Dget_space(object);
        hsize_t chunks = 0;
        H5Dget_num_chunks(object, space, &chunks);
        for (hsize_t i = 0; i < chunks; ++i) {
          hsize_t origin[3] = {};
          unsigned filters = 0;
          haddr_t address = 0;
          hsize_t size = 0;
          H5Dget_chunk_info(object, space, i, origin, &filters, &address, &size);
          ranges.emplace_back(address, size);
        }
        H5Sclose(space);
      } else {
        ranges.emplace_back(H5Dget_offset(object), H5Dget_storage_size(object));
      }
    }
    H5Pclose(properties);
    H5Tclose(type);
  }
  H5Oclose(object);
  return 0;
}

ByteRanges raw_data_ranges(const std::filesystem::path& path) {
  ByteRanges ranges;
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  H5Lvisit(file, H5_INDEX_NAME, H5_ITER_NATIVE, collect_raw_ranges, &ranges);
  H5Fclose(file);
  return ranges;
}

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

  ResultsFile create_small() {
    return ResultsFile::create(file(), small_layout(), kSpec, fixed_provenance(), false);
  }

  // Fills points 0 and 2 completely and leaves point 1 untouched.
  void write_all(ResultsFile& results) {
    const auto layout = results.layout();
    results.write_point_infos(0, {info_for(0), info_for(1)});
    results.write_point_info(2, info_for(2));
    for (int p : {0, 2}) {
      for (int e = 0; e < layout.epochs; ++e) results.write_epoch(p, e, epoch_for(p, e));
      std::vector<StepTrace> steps;
      for (int s = 0; s < layout.steps; ++s) steps.push_back(step_for(p, s));
      results.write_steps(p, 0, {steps.begin(), steps.begin() + 2});
      results.write_steps(p, 2, {steps.begin() + 2, steps.end()});
      results.write_confusion(p, {5, 1, 0, 2, 6, 1, 0, 0, 9 + p});
      std::vector<double> weights;
      for (int w = 0; w < 4 + p; ++w) weights.push_back(0.5 * w - p);
      results.write_weights(p, weights);
      results.write_summary(p, {PointState::done, layout.epochs, 0.47 + p, 123.5});
    }
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
  for (int p : {0, 2}) {
    SCOPED_TRACE("point " + std::to_string(p));
    const auto info = results.read_point_info(p);
    const auto expected = info_for(p);
    EXPECT_EQ(info.id, expected.id);
    EXPECT_EQ(info.config_toml, expected.config_toml);
    EXPECT_EQ(info.config_sha256, expected.config_sha256);
    EXPECT_EQ(info.params, expected.params);
    EXPECT_EQ(info.weight_count, expected.weight_count);
    EXPECT_EQ(info.layer_weight_offsets, expected.layer_weight_offsets);

    for (int e = 0; e < 4; ++e) {
      const auto m = results.read_epoch(p, e);
      const auto x = epoch_for(p, e);
      EXPECT_EQ(m.train_loss, x.train_loss);
      EXPECT_EQ(m.train_acc, x.train_acc);
      EXPECT_EQ(m.val_loss, x.val_loss);
      EXPECT_EQ(m.val_acc, x.val_acc);
      EXPECT_EQ(m.wall_s, x.wall_s);
      EXPECT_EQ(m.images_per_s, x.images_per_s);
      EXPECT_EQ(m.val_class_acc, x.val_class_acc);
    }
    const auto steps = results.read_steps(p, 0, 5);
    ASSERT_EQ(steps.size(), 5u);
    for (int s = 0; s < 5; ++s) {
      const auto x = step_for(p, s);
      EXPECT_EQ(steps[s].norm, x.norm);
      EXPECT_EQ(steps[s].mean_abs, x.mean_abs);
      EXPECT_EQ(steps[s].max_abs, x.max_abs);
      EXPECT_EQ(steps[s].full, x.full);
      EXPECT_EQ(steps[s].loss, x.loss);
    }
    EXPECT_EQ(results.read_steps(p, 3, 2)[1].loss, step_for(p, 4).loss);
    EXPECT_EQ(results.read_confusion(p),
              (std::vector<std::int64_t>{5, 1, 0, 2, 6, 1, 0, 0, 9 + p}));
    std::vector<double> weights;
    for (int w = 0; w < 4 + p; ++w) weights.push_back(0.5 * w - p);
    EXPECT_EQ(results.read_weights(p), weights);

    const auto summary = results.read_summary(p);
    EXPECT_EQ(summary.state, PointState::done);
    EXPECT_EQ(summary.epochs_done, 4);
    EXPECT_EQ(summary.best_val_acc, 0.47 + p);
    EXPECT_EQ(summary.wall_s, 123.5);
  }
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
  write_all(results);
  results.write_steps(1, 0, {step_for(1, 0)});
  results.write_summary(1, {PointState::failed, 0, 0.1, 1});
  results.close();
  const auto after = bytes_of(file());
  ASSERT_EQ(after.size(), before.size()) << "results writes allocated file space";

  const auto ranges = raw_data_ranges(file());
  ASSERT_GE(ranges.size(), 20u);  // every numeric dataset of the small layout
  std::size_t changed = 0;
  for (std::size_t i = 0; i < after.size(); ++i) {
    if (after[i] == before[i]) continue;
    ++changed;
    const bool raw = std::any_of(ranges.begin(), ranges.end(), [&](const auto& range) {
      return i >= range.first && i < range.first + range.second;
    });
    ASSERT_TRUE(raw) << "byte " << i << " outside raw data changed";
  }
  EXPECT_GT(changed, 0u);
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

TEST_F(Results, ALargeSweepCreatesInSeconds) {
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
  // Minutes would mean per-point metadata; the budget is generous for a
  // loaded 2-core CI machine.
  EXPECT_LT(seconds.count(), 30.0);

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
