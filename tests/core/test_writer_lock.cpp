// WriterLock (core/writer_lock.hpp): the lock file names its holder and
// beats; a live holder is refused with its PID and host; a holder on this
// kernel whose process is gone (or whose PID was reused) is stale at once;
// a holder elsewhere is stale only once its heartbeat stops; release
// removes only the lock this run holds.
#include "resqunn/core/error.hpp"
#include "resqunn/core/process_info.hpp"
#include "resqunn/core/writer_lock.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace resqunn {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The value of `key=` in a lock file's text.
std::string field(const std::string& text, const std::string& key) {
  const auto at = text.find("\n" + key + "=");
  if (at == std::string::npos) return "";
  const auto from = at + key.size() + 2;
  return text.substr(from, text.find('\n', from) - from);
}

class WriterLockTest : public ::testing::Test {
protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("resqunn-writer-lock-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    target_ = dir_ / "results.h5";
    lock_ = WriterLock::lock_path(target_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A lock file as another run would have written it.
  void write_lock(long pid, const std::string& boot, const std::string& ns, long long start,
                  const std::string& beat = "00000000000000000000") const {
    std::ofstream out(lock_);
    out << "resqunn writer lock\nhost=elsewhere\npid=" << pid
        << "\nsince=2026-12-03T00:00:00Z\nslurm_job=77\nboot_id=" << boot << "\npid_ns=" << ns
        << "\npid_start=" << start << "\nbeat=" << beat << "\n";
  }
  // This kernel's boot id and PID namespace, as the lock records them.
  std::pair<std::string, std::string> here() const {
    const auto lock = WriterLock::acquire(dir_ / "probe.h5");
    const auto text = slurp(lock.path());
    return {field(text, "boot_id"), field(text, "pid_ns")};
  }

  fs::path dir_, target_, lock_;
};

TEST_F(WriterLockTest, NamesItsHolderAndIsRemovedOnRelease) {
  {
    const auto lock = WriterLock::acquire(target_);
    EXPECT_EQ(lock.path(), lock_);
    ASSERT_TRUE(fs::exists(lock_));
    const auto holder = WriterLock::holder(target_);
    ASSERT_TRUE(holder.has_value());
    EXPECT_EQ(holder->pid, static_cast<long>(::getpid()));
    EXPECT_EQ(holder->host, host_name());
    EXPECT_GT(holder->pid_start, 0);
    EXPECT_FALSE(holder->boot_id.empty());
    EXPECT_EQ(holder->since.size(), std::string("2026-12-03T00:00:00Z").size());
    // No temporary of the link-into-place creation is left.
    EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
  }
  EXPECT_FALSE(fs::exists(lock_));
  EXPECT_FALSE(WriterLock::holder(target_).has_value());
}

TEST_F(WriterLockTest, ASecondWriterIsRefusedNamingTheFirst) {
  const auto lock = WriterLock::acquire(target_);
  try {
    (void)WriterLock::acquire(target_);
    FAIL() << "a second lock was granted";
  } catch (const UsageError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("is being written by another run"), std::string::npos) << what;
    EXPECT_NE(what.find("pid " + std::to_string(::getpid()) + " on " + host_name()),
              std::string::npos)
        << what;
    EXPECT_NE(what.find(lock_.string()), std::string::npos) << what;
    EXPECT_NE(what.find("fix:"), std::string::npos) << what;
  }
  EXPECT_TRUE(fs::exists(lock_));
}

TEST_F(WriterLockTest, TheHeartbeatAdvances) {
  WriterLockOptions fast;
  fast.heartbeat = 20ms;
  const auto lock = WriterLock::acquire(target_, fast);
  const auto before = field(slurp(lock_), "beat");
  std::string after = before;
  for (int i = 0; i < 200 && after == before; ++i) {
    std::this_thread::sleep_for(10ms);
    after = field(slurp(lock_), "beat");
  }
  EXPECT_NE(after, before);
  EXPECT_EQ(after.size(), before.size());  // rewritten in place, fixed width
}

TEST_F(WriterLockTest, ALockOfAProcessThatIsGoneIsTakenOverAtOnce) {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  int status = 0;
  ::waitpid(child, &status, 0);  // reaped: the PID names no process now
  const auto [boot, ns] = here();
  write_lock(child, boot, ns, 12345);
  const auto start = std::chrono::steady_clock::now();
  const auto lock = WriterLock::acquire(target_);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);  // no heartbeat watch on this kernel
  EXPECT_EQ(WriterLock::holder(target_)->pid, static_cast<long>(::getpid()));
}

TEST_F(WriterLockTest, APidReusedByAnotherProcessIsStale) {
  // This process's PID, but a start time that is not this process's.
  const auto [boot, ns] = here();
  write_lock(::getpid(), boot, ns, 1);
  const auto lock = WriterLock::acquire(target_);
  const auto holder = WriterLock::holder(target_);
  EXPECT_EQ(holder->pid, static_cast<long>(::getpid()));
  EXPECT_NE(holder->pid_start, 1);  // this process's own record now
}

TEST_F(WriterLockTest, AHolderElsewhereIsStaleOnlyOnceItsHeartbeatStops) {
  WriterLockOptions quick;
  quick.heartbeat = 20ms;
  quick.stale_after = 300ms;
  // Alive elsewhere: its beat keeps changing while we watch.
  write_lock(1, "another-kernel", "pid:[1]", 1);
  std::atomic<bool> beating{true};
  std::thread beater([&] {
    for (int beat = 1; beating; ++beat) {
      char digits[24];
      std::snprintf(digits, sizeof digits, "%020d", beat);
      write_lock(1, "another-kernel", "pid:[1]", 1, digits);
      std::this_thread::sleep_for(10ms);
    }
  });
  EXPECT_THROW((void)WriterLock::acquire(target_, quick), UsageError);
  beating = false;
  beater.join();
  EXPECT_EQ(WriterLock::holder(target_)->host, "elsewhere");
  // Silent: taken over after watching it for stale_after.
  const auto start = std::chrono::steady_clock::now();
  const auto lock = WriterLock::acquire(target_, quick);
  EXPECT_GE(std::chrono::steady_clock::now() - start, quick.stale_after);
  EXPECT_EQ(WriterLock::holder(target_)->host, host_name());
}

TEST_F(WriterLockTest, AnUnreadableLockFileIsWatchedLikeOneFromElsewhere) {
  { std::ofstream(lock_) << "not a lock"; }
  WriterLockOptions quick;
  quick.heartbeat = 20ms;
  quick.stale_after = 100ms;
  const auto lock = WriterLock::acquire(target_, quick);
  EXPECT_EQ(WriterLock::holder(target_)->pid, static_cast<long>(::getpid()));
}

TEST_F(WriterLockTest, ReleaseLeavesALockThatReplacedThisOne) {
  auto lock = WriterLock::acquire(target_);
  write_lock(1, "another-kernel", "pid:[1]", 1);  // broken by hand and retaken elsewhere
  lock.release();
  ASSERT_TRUE(fs::exists(lock_));
  EXPECT_EQ(WriterLock::holder(target_)->host, "elsewhere");
}

TEST_F(WriterLockTest, AnUnwritableDirectoryIsAnError) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes anywhere";
  fs::permissions(dir_, fs::perms::owner_read | fs::perms::owner_exec);
  EXPECT_THROW((void)WriterLock::acquire(target_), Error);
  fs::permissions(dir_, fs::perms::owner_all);
}

TEST(WriterLockDescribe, NamesPidHostJobAndTime) {
  LockHolder h;
  h.host = "node03";
  h.pid = 42;
  h.slurm_job = "77";
  h.since = "2026-12-03T00:00:00Z";
  EXPECT_EQ(describe(h), "pid 42 on node03 (SLURM job 77), since 2026-12-03T00:00:00Z");
  h.slurm_job.clear();
  EXPECT_EQ(describe(h), "pid 42 on node03, since 2026-12-03T00:00:00Z");
}

}  // namespace
}  // namespace resqunn
