// Results files written through MPI-IO, as a sweep writes them: rank 0
// creates and describes the file serially, every rank opens it with
// open_parallel, each rank writes its own points without waiting for the
// others, all close together; then the file holds exactly what every rank
// wrote, and only raw data changed. Open failures are agreed by all ranks.
// Runs at 2 and 3 ranks.
#include "resqunn/core/error.hpp"
#include "resqunn/io/hdf5.hpp"
#include "resqunn/io/results.hpp"
#include "resqunn/parallel/agreement.hpp"

#include "results_data.hpp"
#include "results_expect.hpp"
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace resqunn::io {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

using io::testing::bytes_of;
using io::testing::checkpoint_for;
using io::testing::expect_only_raw_data_changed;
using io::testing::expect_point_written;
using io::testing::fixed_provenance;
using io::testing::info_for;
using io::testing::kSpec;
using io::testing::small_layout;
using io::testing::weights_for;
using io::testing::write_point;

int rank() {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

int size() {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
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

// A fresh directory that every rank sees (the ranks of a test share a
// node), removed afterwards.
class ParallelResults : public ::testing::Test {
protected:
  void SetUp() override {
    std::string dir;
    if (rank() == 0) {
      std::string pattern =
          (std::filesystem::temp_directory_path() / "resqunn-io-parallel-XXXXXX").string();
      if (mkdtemp(pattern.data()) != nullptr) dir = pattern;
    }
    auto length = static_cast<int>(dir.size());
    MPI_Bcast(&length, 1, MPI_INT, 0, MPI_COMM_WORLD);
    dir.resize(static_cast<std::size_t>(length));
    MPI_Bcast(dir.data(), length, MPI_CHAR, 0, MPI_COMM_WORLD);
    ASSERT_FALSE(dir.empty());
    dir_ = dir;
  }

  void TearDown() override {
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank() == 0) std::filesystem::remove_all(dir_);
  }

  std::filesystem::path file() const { return dir_ / "results.h5"; }

  // Rank 0 creates the file and describes all its points, as a sweep does
  // before training; returns the file's bytes then (on rank 0).
  std::vector<char> create_and_describe(const ResultsLayout& layout) {
    if (rank() != 0) return {};
    auto results = ResultsFile::create(file(), layout, kSpec, fixed_provenance(), false);
    std::vector<PointInfo> infos;
    for (int p = 0; p < layout.points; ++p) infos.push_back(info_for(p));
    results.write_point_infos(0, infos);
    results.close();
    return bytes_of(file());
  }

  std::filesystem::path dir_;
};

TEST_F(ParallelResults, RanksWriteTheirOwnPointsIndependently) {
  const int points = 7;
  const auto layout = small_layout(points);
  const auto before = create_and_describe(layout);

  auto results = ResultsFile::open_parallel(file(), MPI_COMM_WORLD);  // right after rank 0's close
  EXPECT_TRUE(results.parallel());
  EXPECT_TRUE(results.writable());
  EXPECT_EQ(results.layout(), layout);
  // Reading works on every rank: strings too.
  EXPECT_EQ(results.read_point_ids().back(), "point-6");
  EXPECT_EQ(results.read_params().at(0).at(1), "true");

  // Metadata is for the serial open.
  EXPECT_THAT(error_of([&] { results.write_point_info(rank(), info_for(rank())); }),
              AllOf(HasSubstr(file().string()), HasSubstr("metadata writes need the serial open")));
  EXPECT_THROW(results.write_point_infos(0, {info_for(0)}), UsageError);
  EXPECT_THROW(results.set_end_time("2024-05-01T13:00:00Z"), UsageError);

  // Owners interleave, so the rows of every chunk belong to different
  // ranks, which write them at the same time. flush() is called a
  // different number of times on each rank: it must not be collective.
  for (int p = rank(); p < points; p += size()) {
    write_point(results, p);
    results.flush();
  }
  // Each rank reads its own points back through MPI-IO.
  for (int p = rank(); p < points; p += size()) {
    EXPECT_EQ(results.read_summary(p).state, PointState::done);
    EXPECT_EQ(results.read_weights(p), weights_for(p));
    const auto checkpoint = results.read_checkpoint(p);
    ASSERT_TRUE(checkpoint.has_value());
    EXPECT_TRUE(*checkpoint == checkpoint_for(p, 1));
  }
  results.close();  // collective

  if (rank() == 0) {
    expect_only_raw_data_changed(file(), before, bytes_of(file()));
    {
      const auto reopened = ResultsFile::open(file(), OpenMode::read_only);
      EXPECT_FALSE(reopened.parallel());
      for (int p = 0; p < points; ++p) expect_point_written(reopened, p);
    }
    // The end time is written serially after the parallel phase.
    ResultsFile::open(file(), OpenMode::read_write).set_end_time("2024-05-01T13:00:00Z");
    EXPECT_EQ(ResultsFile::open(file(), OpenMode::read_only).provenance().end_time_utc,
              "2024-05-01T13:00:00Z");
  }
}

TEST_F(ParallelResults, ALaterParallelOpenResumesFromTheCheckpoints) {
  const auto layout = small_layout(size());
  create_and_describe(layout);
  {
    auto results = ResultsFile::open_parallel(file(), MPI_COMM_WORLD);
    results.write_checkpoint(rank(), checkpoint_for(rank(), 0));
    results.write_checkpoint(rank(), checkpoint_for(rank(), 1));
    results.write_checkpoint(rank(), checkpoint_for(rank(), 2));
  }  // the destructor closes, collectively
  auto results = ResultsFile::open_parallel(file(), MPI_COMM_WORLD);
  const auto checkpoint = results.read_checkpoint(rank());
  ASSERT_TRUE(checkpoint.has_value());
  EXPECT_TRUE(*checkpoint == checkpoint_for(rank(), 2));
  results.write_checkpoint(rank(), checkpoint_for(rank(), 3));
  EXPECT_TRUE(*results.read_checkpoint(rank()) == checkpoint_for(rank(), 3));
  results.close();
}

TEST_F(ParallelResults, OpenFailuresAreAgreedByEveryRank) {
  create_and_describe(small_layout());
  const auto agreed_error = [](const std::filesystem::path& path) -> std::string {
    try {
      ResultsFile::open_parallel(path, MPI_COMM_WORLD);
    } catch (const DataError& e) {
      return parallel::is_agreed(e) ? e.what() : std::string("not agreed: ") + e.what();
    }
    return "no error";
  };

  // Missing on one rank only: every rank fails, before any collective
  // HDF5 call could leave the others waiting.
  const int last = size() - 1;
  const auto path = rank() == last ? dir_ / "missing.h5" : file();
  EXPECT_THAT(agreed_error(path), AllOf(HasSubstr("rank " + std::to_string(last) + ": "),
                                        HasSubstr("missing.h5"), HasSubstr("no such file")));

  // An HDF5 file, but not a results file: every rank has opened it when
  // the schema check fails, and all close it together.
  if (rank() == 0) h5::File::create(dir_ / "other.h5", false).create_group("data");
  EXPECT_THAT(agreed_error(dir_ / "other.h5"), HasSubstr("not a resqunn results file"));

  // Nothing was left open or waiting.
  auto results = ResultsFile::open_parallel(file(), MPI_COMM_WORLD);
  EXPECT_EQ(results.read_summary(0).state, PointState::pending);
  results.close();
}

}  // namespace
}  // namespace resqunn::io
