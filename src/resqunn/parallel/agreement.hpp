// Collective error agreement. A rank that throws while its peers wait in a
// collective deadlocks the job; instead, every rank reaches the same
// agreement point, the failure of the lowest failing rank is broadcast, and
// all ranks throw it. "Agree, then fail."
#pragma once

#include <mpi.h>

#include <exception>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace resqunn::parallel {

/// Marks an error that every rank of a communicator threw together (see
/// agree_or_rethrow). Such an error may unwind normally to main(); any other
/// error on a multi-rank run must end in MPI_Abort, or peers hang.
class AgreedFailure {
public:
  virtual ~AgreedFailure() = default;
};

template <class E>
class Agreed final : public E, public AgreedFailure {
public:
  using E::E;
};

inline bool is_agreed(const std::exception& e) {
  return dynamic_cast<const AgreedFailure*>(&e) != nullptr;
}

/// True on every rank iff `local` is true on every rank of `comm`. Collective.
bool all_true(MPI_Comm comm, bool local);

/// One thing every rank of a run must have alike: what it is called in a
/// message (e.g. "-g/--group-size") and this rank's value.
struct SameOnEveryRank {
  std::string name;
  std::string value;
};

/// Collective. Returns if every rank of `comm` gave the same values (in the
/// same order); else every rank throws Agreed<UsageError> naming the first
/// item that differs and the lowest rank that differs from rank 0 in it.
/// Ranks started with different arguments (an MPMD launch, a per-rank
/// script) would otherwise split into inconsistent groups and hang, or
/// write one rank's work under another's labels. Compares 64-bit digests
/// (truncated SHA-256).
void require_same(MPI_Comm comm, const std::vector<SameOnEveryRank>& items);

/// Collective. If `failure` is null on every rank, returns. Otherwise every
/// rank throws the failure of the lowest failing rank as Agreed<T>, T the
/// same type (UsageError, DataError, Error; anything else is Error), with the problem
/// prefixed by "rank R: " when the communicator has more than one rank.
void agree_or_rethrow(MPI_Comm comm, const std::exception_ptr& failure);

/// Runs `body()` and agrees on its outcome: either it succeeded on every rank
/// (its result is returned) or every rank throws the same error. `body` must
/// not itself call collectives on `comm` that a failing rank would skip.
template <class F>
auto collectively(MPI_Comm comm, F&& body) {
  std::exception_ptr failure;
  if constexpr (std::is_void_v<decltype(body())>) {
    try {
      std::forward<F>(body)();
    } catch (...) {
      failure = std::current_exception();
    }
    agree_or_rethrow(comm, failure);
  } else {
    decltype(body()) result{};
    try {
      result = std::forward<F>(body)();
    } catch (...) {
      failure = std::current_exception();
    }
    agree_or_rethrow(comm, failure);
    return result;
  }
}

}  // namespace resqunn::parallel
