#include "resqunn/parallel/agreement.hpp"

#include "resqunn/core/error.hpp"
#include "resqunn/core/sha256.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace resqunn::parallel {

namespace {

enum class Kind : int { generic = 0, usage = 1, data = 2 };

struct Described {
  Kind kind = Kind::generic;
  std::string problem;
  std::string fix;
  bool agreed = false;  // already agreed by an inner collectively: already attributed
};

Described describe(const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const UsageError& e) {
    return {Kind::usage, e.problem(), e.fix(), is_agreed(e)};
  } catch (const DataError& e) {
    return {Kind::data, e.problem(), e.fix(), is_agreed(e)};
  } catch (const Error& e) {
    return {Kind::generic, e.problem(), e.fix(), is_agreed(e)};
  } catch (const std::exception& e) {
    return {Kind::generic, e.what(), {}, is_agreed(e)};
  } catch (...) {
    return {Kind::generic, "unknown exception", {}};
  }
}

void broadcast_string(MPI_Comm comm, int root, std::string& s) {
  auto length = static_cast<std::int64_t>(s.size());
  MPI_Bcast(&length, 1, MPI_INT64_T, root, comm);
  s.resize(static_cast<std::size_t>(length));
  if (length > 0) MPI_Bcast(s.data(), static_cast<int>(length), MPI_CHAR, root, comm);
}

}  // namespace

bool all_true(MPI_Comm comm, bool local) {
  int value = local ? 1 : 0;
  MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_INT, MPI_LAND, comm);
  return value != 0;
}

void require_same(MPI_Comm comm, const std::vector<SameOnEveryRank>& items) {
  int size = 1;
  MPI_Comm_size(comm, &size);
  if (size == 1) return;
  // A digest per item (the first 8 bytes of its SHA-256), so that values
  // of any length cost 8 bytes. unsigned long long: the type
  // MPI_UNSIGNED_LONG_LONG names on every ABI.
  std::vector<unsigned long long> mine(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    Sha256 h;
    h.update(items[i].value);
    const auto d = h.digest();
    for (int b = 0; b < 8; ++b) mine[i] = (mine[i] << 8) | d[static_cast<std::size_t>(b)];
  }
  const int n = static_cast<int>(items.size());
  std::vector<unsigned long long> all(static_cast<std::size_t>(n) * size);
  MPI_Allgather(mine.data(), n, MPI_UNSIGNED_LONG_LONG, all.data(), n, MPI_UNSIGNED_LONG_LONG,
                comm);
  for (int i = 0; i < n; ++i) {
    for (int r = 1; r < size; ++r) {
      if (all[static_cast<std::size_t>(r) * n + i] == all[i]) continue;
      throw Agreed<UsageError>(
          "rank " + std::to_string(r) + " was started with another " + items[i].name +
              " than rank 0: every rank of a run must run the same command",
          "start all ranks alike (mpirun -n N resqunn ...); an MPMD launch must give every "
          "rank the same arguments");
    }
  }
}

void agree_or_rethrow(MPI_Comm comm, const std::exception_ptr& failure) {
  int rank = 0;
  int size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  int first_failing = failure ? rank : size;
  MPI_Allreduce(MPI_IN_PLACE, &first_failing, 1, MPI_INT, MPI_MIN, comm);
  if (first_failing == size) return;

  Described d;
  if (rank == first_failing) d = describe(failure);
  int facts[2] = {static_cast<int>(d.kind), d.agreed ? 1 : 0};
  MPI_Bcast(facts, 2, MPI_INT, first_failing, comm);
  const int kind = facts[0];
  broadcast_string(comm, first_failing, d.problem);
  broadcast_string(comm, first_failing, d.fix);

  // Rank 0 reports agreed errors, and the log line names the rank that
  // prints; only another rank's failure needs naming. An error agreed by an
  // inner call already carries its attribution.
  const bool attribute = first_failing != 0 && facts[1] == 0;
  const std::string problem =
      attribute ? "on rank " + std::to_string(first_failing) + ": " + d.problem : d.problem;
  switch (static_cast<Kind>(kind)) {
    case Kind::usage:
      throw Agreed<UsageError>(problem, d.fix);
    case Kind::data:
      throw Agreed<DataError>(problem, d.fix);
    case Kind::generic:
      break;
  }
  throw Agreed<Error>(problem, d.fix);
}

}  // namespace resqunn::parallel
