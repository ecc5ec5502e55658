// Collective error agreement: whichever ranks fail, every rank leaves the
// agreement point with the same error and nobody hangs.
#include "resqunn/core/error.hpp"
#include "resqunn/parallel/agreement.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <mpi.h>

using namespace resqunn;
using ::testing::HasSubstr;

namespace {
int rank() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}
int size() {
  int s = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &s);
  return s;
}
}  // namespace

TEST(Agreement, SuccessEverywhereReturnsTheValue) {
  const int v = parallel::collectively(MPI_COMM_WORLD, [] { return 10 + rank(); });
  EXPECT_EQ(v, 10 + rank());
}

TEST(Agreement, OneFailingRankMakesEveryRankThrowItsErrorWithTypeAndFix) {
  const int failing = size() - 1;
  try {
    parallel::collectively(MPI_COMM_WORLD, [&] {
      if (rank() == failing) throw DataError("file a.idx is truncated", "fetch again");
    });
    FAIL() << "no exception on rank " << rank();
  } catch (const DataError& e) {
    EXPECT_TRUE(parallel::is_agreed(e));
    EXPECT_EQ(e.fix(), "fetch again");
    if (size() > 1) {
      EXPECT_EQ(e.problem(), "on rank " + std::to_string(failing) + ": file a.idx is truncated");
    } else {
      EXPECT_EQ(e.problem(), "file a.idx is truncated");
    }
  }
}

// Rank 0 prints agreed errors under a `[rank 0/N]` log prefix: its own
// failure needs no second attribution, and a nested agreement none at all
// ("rank 1: rank 1: ..." was printed).
TEST(Agreement, AttributesAnotherRanksFailureOnce) {
  try {
    parallel::collectively(MPI_COMM_WORLD, [] {
      if (rank() == 0) throw DataError("rank zero's problem");
    });
    FAIL();
  } catch (const DataError& e) {
    EXPECT_EQ(e.problem(), "rank zero's problem");
  }
  const int failing = size() - 1;
  try {
    parallel::collectively(MPI_COMM_WORLD, [&] {
      parallel::collectively(MPI_COMM_WORLD, [&] {
        if (rank() == failing) throw UsageError("inner problem");
      });
    });
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_EQ(e.problem(), size() > 1 ? "on rank " + std::to_string(failing) + ": inner problem"
                                      : "inner problem");
  }
}

TEST(Agreement, SeveralFailuresReportTheLowestFailingRank) {
  try {
    parallel::collectively(MPI_COMM_WORLD, [] {
      if (rank() % 2 == 0) throw UsageError("bad option on rank " + std::to_string(rank()));
      if (rank() % 2 == 1) throw std::runtime_error("odd rank");
    });
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_THAT(e.problem(), HasSubstr("bad option on rank 0"));
  }
}

TEST(Agreement, NonResqunnExceptionsBecomeErrors) {
  try {
    parallel::collectively(MPI_COMM_WORLD, [] {
      if (rank() == 0) throw std::out_of_range("vector::at");
    });
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("vector::at"));
    EXPECT_TRUE(parallel::is_agreed(e));
  }
}

TEST(Agreement, RequireSameNamesTheFirstItemThatDiffers) {
  parallel::require_same(MPI_COMM_WORLD, {{"spec", "a"}, {"-o/--output", "r.h5"}});
  if (size() == 1) return;
  const int odd = size() - 1;
  try {
    parallel::require_same(MPI_COMM_WORLD, {{"spec", "a"},
                                            {"-g/--group-size", rank() == odd ? "2" : "1"},
                                            {"-o/--output", rank() == odd ? "b.h5" : "r.h5"}});
    FAIL() << "no exception on rank " << rank();
  } catch (const UsageError& e) {
    EXPECT_TRUE(parallel::is_agreed(e));
    EXPECT_THAT(e.what(), HasSubstr("rank " + std::to_string(odd) +
                                    " was started with another -g/--group-size than rank 0"));
  }
}

TEST(Agreement, AllTrue) {
  EXPECT_TRUE(parallel::all_true(MPI_COMM_WORLD, true));
  EXPECT_EQ(parallel::all_true(MPI_COMM_WORLD, rank() != 0), false);
  EXPECT_EQ(parallel::all_true(MPI_COMM_WORLD, rank() != size() - 1), false);
}

TEST(Agreement, PlainErrorsAreNotMarkedAgreed) {
  const Error e("local");
  EXPECT_FALSE(parallel::is_agreed(e));
}
