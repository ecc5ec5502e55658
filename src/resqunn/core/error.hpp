// Exception types thrown at resqunn's boundaries (config, data, files, MPI).
// Every error names the thing that is wrong and, where one exists, the fix.
#pragma once

#include <stdexcept>
#include <string>

namespace resqunn {

/// Base class of every exception resqunn throws on purpose. `what()` is the
/// full message: the problem, then "\n  fix: ..." when a fix is known.
class Error : public std::runtime_error {
public:
  explicit Error(const std::string& problem, const std::string& fix = {});
  const std::string& problem() const noexcept { return problem_; }
  const std::string& fix() const noexcept { return fix_; }

private:
  std::string problem_;
  std::string fix_;
};

/// Invalid user input: command-line arguments, config values. The CLI maps
/// it to exit code 2.
class UsageError : public Error {
public:
  using Error::Error;
};

/// A data file is missing, unreadable, or malformed.
class DataError : public Error {
public:
  using Error::Error;
};

/// Throws UsageError(problem, fix) unless `ok`: the validators' one-liner.
inline void check_usage(bool ok, const std::string& problem, const std::string& fix) {
  if (!ok) throw UsageError(problem, fix);
}

}  // namespace resqunn
