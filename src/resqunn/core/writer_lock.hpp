// One writer per results file: an exclusive lock file beside it
// (`results.h5.lock`) that names its holder and is kept alive by a
// heartbeat, so that a second run on the same file is refused with who
// holds it, and a run that was killed (kill -9, a lost node) leaves a lock
// the next run recognises as stale and takes over.
//
// Why a file of our own: HDF5's own locking (flock, HDF5 >= 1.10.7) is not
// taken by the MPI-IO driver, is a no-op on many parallel file systems, and
// is released by a crash as well as by the end of the run, which is right,
// but it says nothing about who holds the file.
//
// Creation is atomic on local and network file systems: the content is
// written to a file of a unique name, which is then hard-linked to the lock
// name (link() fails if the name exists, on NFS too). A lock is stale when
//   * its holder ran on this kernel (same boot id and PID namespace) and
//     that process is gone (or its PID now belongs to a younger process);
//   * else (another node, another container), when its heartbeat counter
//     does not change for `stale_after` of watching. The watch reads the
//     file's content, which NFS' close-to-open consistency keeps fresh,
//     not its mtime, which attribute caches and clock skew make unreliable.
// Readers (`resqunn status`, the analysis package) never take the lock.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace resqunn {

/// Who holds a lock, as its file says.
struct LockHolder {
  std::string host;
  long pid = 0;
  std::string since;        // ISO 8601 UTC
  std::string slurm_job;    // "" outside SLURM
  std::string boot_id;      // identifies the kernel the holder ran on
  std::string pid_ns;       // its PID namespace
  long long pid_start = 0;  // its start time (clock ticks after boot)
};

struct WriterLockOptions {
  /// How often the holder rewrites its heartbeat counter.
  std::chrono::milliseconds heartbeat{2000};
  /// How long a holder on another kernel may show no heartbeat before its
  /// lock counts as stale (and how long acquire() may watch it).
  std::chrono::milliseconds stale_after{10000};
};

class WriterLock {
public:
  /// The lock file of `target`: target + ".lock".
  static std::filesystem::path lock_path(const std::filesystem::path& target);

  /// Takes the lock of `target` (waiting up to options.stale_after for a
  /// holder on another node to show it is alive), taking a stale lock over
  /// with a warning. Throws UsageError naming the holder (host, PID, SLURM
  /// job, since when) and how to break a lock known to be stale when a live
  /// run holds it, and Error when the lock file cannot be written.
  static WriterLock acquire(const std::filesystem::path& target, WriterLockOptions options = {});

  /// The holder of `target`'s lock, if a lock file exists and reads as one.
  static std::optional<LockHolder> holder(const std::filesystem::path& target);

  WriterLock(WriterLock&&) noexcept;
  WriterLock& operator=(WriterLock&&) noexcept;
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;
  /// Stops the heartbeat and removes the lock file if it is still this one.
  ~WriterLock();
  void release() noexcept;

  const std::filesystem::path& path() const noexcept;

private:
  struct State;
  explicit WriterLock(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

/// "pid 123 on node03 (SLURM job 45), since 2026-12-03T15:00:00Z"
std::string describe(const LockHolder& holder);

}  // namespace resqunn
