#include "resqunn/data/detail/process.hpp"

#include "resqunn/core/error.hpp"

#include <cerrno>
#include <cstring>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

// POSIX leaves declaring environ to the program (glibc declares it only
// under _GNU_SOURCE, which g++ happens to define).
// NOLINTNEXTLINE(readability-redundant-declaration)
extern char** environ;

namespace resqunn::data::detail {

int run_program(const std::vector<std::string>& argv, const std::string& fix) {
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, STDIN_FILENO);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    throw Error("cannot run " + argv[0] + ": " + std::strerror(rc), fix);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw Error("waiting for " + argv[0] + " failed: " + std::strerror(errno));
  }
  if (WIFSIGNALED(status)) {
    throw Error(argv[0] + " was killed by signal " + std::to_string(WTERMSIG(status)), fix);
  }
  return WEXITSTATUS(status);
}

}  // namespace resqunn::data::detail
