#include "resqunn/core/writer_lock.hpp"

#include "resqunn/core/error.hpp"
#include "resqunn/core/process_info.hpp"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <sstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace resqunn {

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kTitle = "resqunn writer lock";
// The heartbeat is the file's last line, fixed width, rewritten in place.
constexpr const char* kBeatKey = "beat=";
constexpr int kBeatDigits = 20;

std::optional<std::string> read_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string text;
  char buf[4096];
  ssize_t got = 0;
  while ((got = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(got));
  ::close(fd);
  return text;
}

std::string first_line(const std::filesystem::path& path) {
  const auto text = read_file(path);
  if (!text) return "";
  return text->substr(0, text->find('\n'));
}

// What /proc/PID/stat says of a process: its state (field 3; 'Z' for a
// zombie, which kill(pid, 0) still finds) and its start time in clock
// ticks after boot (field 22). The command name (field 2) may hold spaces
// and ')'. Nothing (state '\0', start 0) if there is no such process.
struct ProcessStat {
  char state = '\0';
  long long start = 0;
};

ProcessStat process_stat(long pid) {
  const auto stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return {};
  const auto close = stat->rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream fields(stat->substr(close + 1));
  ProcessStat p;
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 3) p.state = field.empty() ? '\0' : field[0];
    if (i == 22) p.start = std::atoll(field.c_str());
  }
  return p;
}

std::string pid_namespace() {
  char link[128] = {};
  const ssize_t n = ::readlink("/proc/self/ns/pid", link, sizeof link - 1);
  return n > 0 ? std::string(link, static_cast<std::size_t>(n)) : "";
}

LockHolder this_process() {
  LockHolder h;
  h.host = host_name();
  h.pid = static_cast<long>(::getpid());
  h.since = utc_timestamp();
  h.slurm_job = env_or_empty("SLURM_JOB_ID");
  h.boot_id = first_line("/proc/sys/kernel/random/boot_id");
  h.pid_ns = pid_namespace();
  h.pid_start = process_stat(h.pid).start;
  return h;
}

std::string format(const LockHolder& h) {
  std::string s = std::string(kTitle) + "\n";
  s += "host=" + h.host + "\n";
  s += "pid=" + std::to_string(h.pid) + "\n";
  s += "since=" + h.since + "\n";
  s += "slurm_job=" + h.slurm_job + "\n";
  s += "boot_id=" + h.boot_id + "\n";
  s += "pid_ns=" + h.pid_ns + "\n";
  s += "pid_start=" + std::to_string(h.pid_start) + "\n";
  return s;
}

std::string beat_text(unsigned long long beat) {
  char digits[kBeatDigits + 2] = {};
  std::snprintf(digits, sizeof digits, "%0*llu\n", kBeatDigits, beat);
  return digits;
}

// Everything before the heartbeat: what identifies the holder.
std::string identity(const std::string& content) {
  const auto at = content.rfind(kBeatKey);
  return at == std::string::npos ? content : content.substr(0, at);
}

std::optional<LockHolder> parse(const std::string& content) {
  std::istringstream in(content);
  std::string line;
  if (!std::getline(in, line) || line != kTitle) return std::nullopt;
  LockHolder h;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "host") h.host = value;
    if (key == "pid") h.pid = std::atol(value.c_str());
    if (key == "since") h.since = value;
    if (key == "slurm_job") h.slurm_job = value;
    if (key == "boot_id") h.boot_id = value;
    if (key == "pid_ns") h.pid_ns = value;
    if (key == "pid_start") h.pid_start = std::atoll(value.c_str());
  }
  if (h.pid <= 0) return std::nullopt;
  return h;
}

bool same_kernel(const LockHolder& a, const LockHolder& b) {
  return !a.boot_id.empty() && a.boot_id == b.boot_id && !a.pid_ns.empty() && a.pid_ns == b.pid_ns;
}

// A holder on this kernel: its process exists, has not exited (a killed
// process stays a zombie until its parent reaps it), and is the one that
// wrote the lock (not a younger process that reuses the PID).
bool alive_here(const LockHolder& h) {
  if (::kill(static_cast<pid_t>(h.pid), 0) != 0 && errno != EPERM) return false;
  const ProcessStat p = process_stat(h.pid);
  if (p.state == 'Z' || p.state == 'X') return false;
  return h.pid_start == 0 || p.start == 0 || p.start == h.pid_start;
}

// A holder elsewhere: whether `content` stays as it is (no heartbeat) for
// options.stale_after. A lock file that disappears meanwhile is free.
bool silent_for(const std::filesystem::path& lock, const std::string& content,
                const WriterLockOptions& options) {
  const auto deadline = Clock::now() + options.stale_after;
  const auto poll = std::max(std::chrono::milliseconds(20), options.heartbeat / 4);
  while (Clock::now() < deadline) {
    std::this_thread::sleep_for(poll);
    const auto now = read_file(lock);
    if (!now) return true;
    if (*now != content) return false;
  }
  return true;
}

// The lock lives beside the file it protects: a lock that cannot be written
// means the file cannot be either, so the error names the file.
[[noreturn]] void fail_io(const std::filesystem::path& lock) {
  const std::string target = lock.string().substr(0, lock.string().size() - 5);  // ".lock"
  auto dir = lock.parent_path();
  if (dir.empty()) dir = ".";
  throw Error(target + ": cannot create: cannot write its lock file " + lock.string() + ": " +
                  std::strerror(errno),
              "check that the directory " + dir.string() + " exists and is writable");
}

void write_all(int fd, const std::string& text, const std::filesystem::path& lock) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail_io(lock);
    done += static_cast<std::size_t>(n);
  }
}

// Creates `lock` holding `content` unless it exists: the content goes to a
// file of this process's own name first and is linked into place, so that
// nobody ever reads a lock half written. File systems without hard links
// get an exclusive create instead.
bool try_create(const std::filesystem::path& lock, const std::string& content) {
  const std::filesystem::path own =
      lock.string() + "." + host_name() + "." + std::to_string(::getpid()) + ".tmp";
  const int fd = ::open(own.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail_io(lock);
  try {
    write_all(fd, content, lock);
  } catch (...) {
    ::close(fd);
    ::unlink(own.c_str());
    throw;
  }
  ::fsync(fd);
  ::close(fd);
  const int linked = ::link(own.c_str(), lock.c_str());
  const int link_errno = errno;
  ::unlink(own.c_str());
  if (linked == 0) return true;
  if (link_errno == EEXIST) return false;
  if (link_errno != EPERM && link_errno != ENOTSUP && link_errno != ENOSYS) {
    errno = link_errno;
    fail_io(lock);
  }
  const int ex = ::open(lock.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (ex < 0) {
    if (errno == EEXIST) return false;
    fail_io(lock);
  }
  try {
    write_all(ex, content, lock);
  } catch (...) {
    ::close(ex);
    throw;
  }
  ::fsync(ex);
  ::close(ex);
  return true;
}

}  // namespace

std::string describe(const LockHolder& h) {
  std::string s = "pid " + std::to_string(h.pid) + " on " + (h.host.empty() ? "?" : h.host);
  if (!h.slurm_job.empty()) s += " (SLURM job " + h.slurm_job + ")";
  if (!h.since.empty()) s += ", since " + h.since;
  return s;
}

// ------------------------------------------------------------ the holder --

struct WriterLock::State {
  std::filesystem::path path;
  std::string own_id;  // the lock's content before the heartbeat
  WriterLockOptions options;
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::thread beater;

  // Rewrites the counter in place while the lock file is still this run's.
  void beat_loop() {
    unsigned long long beat = 0;
    std::unique_lock<std::mutex> guard(mutex);
    while (!wake.wait_for(guard, options.heartbeat, [&] { return stopping; })) {
      const auto content = read_file(path);
      if (!content || identity(*content) != own_id) {
        spdlog::warn(
            "{} was removed or replaced while this run held it: another run may now "
            "write the same results file",
            path.string());
        return;
      }
      const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0) continue;
      const std::string text = beat_text(++beat);
      // Best effort: a missed beat only makes a watcher wait longer.
      const auto at = own_id.size() + std::strlen(kBeatKey);
      (void)!::pwrite(fd, text.data(), text.size(), static_cast<off_t>(at));
      ::close(fd);
    }
  }
};

WriterLock::WriterLock(std::unique_ptr<State> state) : state_(std::move(state)) {}
WriterLock::WriterLock(WriterLock&&) noexcept = default;
WriterLock& WriterLock::operator=(WriterLock&& other) noexcept {
  if (this != &other) {
    release();
    state_ = std::move(other.state_);
  }
  return *this;
}
WriterLock::~WriterLock() { release(); }

const std::filesystem::path& WriterLock::path() const noexcept { return state_->path; }

std::filesystem::path WriterLock::lock_path(const std::filesystem::path& target) {
  return target.string() + ".lock";
}

void WriterLock::release() noexcept {
  if (!state_) return;
  {
    const std::lock_guard<std::mutex> guard(state_->mutex);
    state_->stopping = true;
  }
  state_->wake.notify_all();
  if (state_->beater.joinable()) state_->beater.join();
  const auto content = read_file(state_->path);
  if (content && identity(*content) == state_->own_id) ::unlink(state_->path.c_str());
  state_.reset();
}

std::optional<LockHolder> WriterLock::holder(const std::filesystem::path& target) {
  const auto content = read_file(lock_path(target));
  return content ? parse(*content) : std::nullopt;
}

WriterLock WriterLock::acquire(const std::filesystem::path& target, WriterLockOptions options) {
  const auto lock = lock_path(target);
  const LockHolder me = this_process();
  const std::string id = format(me);
  // A few rounds: a lock that vanishes or is taken over between the steps
  // below sends us round again.
  for (int round = 0; round < 4; ++round) {
    if (try_create(lock, id + kBeatKey + beat_text(0))) {
      auto state = std::make_unique<State>();
      state->path = lock;
      state->own_id = id;
      state->options = options;
      State* s = state.get();
      state->beater = std::thread([s] { s->beat_loop(); });
      return WriterLock(std::move(state));
    }
    const auto seen = read_file(lock);
    if (!seen) continue;
    const auto holder = parse(*seen);
    const bool stale = holder && same_kernel(*holder, me) ? !alive_here(*holder)
                                                          : silent_for(lock, *seen, options);
    if (!stale) {
      throw UsageError(
          target.string() + " is being written by another run: " +
              (holder ? describe(*holder) : std::string("a process its lock file does not name")) +
              " (lock file " + lock.string() + ")",
          "wait for that run to end, or write elsewhere with -o. A run that is gone (killed, its "
          "node lost) leaves a lock without a heartbeat, which the next run takes over by "
          "itself; remove " +
              lock.string() + " by hand only once squeue/ps show that no run writes the file");
    }
    // Remove the lock judged stale, not one that replaced it meanwhile.
    const auto again = read_file(lock);
    if (again && identity(*again) == identity(*seen)) {
      ::unlink(lock.c_str());
      spdlog::warn("took over the stale lock of {}: {} (that run ended without releasing it)",
                   target.string(),
                   holder ? describe(*holder) : std::string("an unreadable lock file"));
    }
  }
  throw Error("cannot take the lock of " + target.string() +
                  ": other runs keep creating and removing " + lock.string(),
              "run one sweep per results file");
}

}  // namespace resqunn
