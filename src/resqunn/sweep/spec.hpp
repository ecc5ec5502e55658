// A sweep spec (TOML, docs/sweeps.md): a base run config, axes of values
// for dotted config keys combined as a grid or zipped, more named grids
// with overrides of their own, and explicit extra points. load_sweep/parse_sweep expand it into
// validated points, in a fixed order, with unique ids; every mistake is a UsageError found before
// any work starts. The MPI engine (engine.hpp) runs the points.
#pragma once

#include "resqunn/runner/point.hpp"

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace resqunn::sweep {

/// Largest number of points one spec may expand to.
inline constexpr std::size_t kMaxPoints = 1000000;

struct SweepSpec {
  /// [sweep] name: [A-Za-z0-9_.-]+.
  std::string name;
  /// The spec file as named by the caller (or the source name given to
  /// parse_sweep); errors and provenance use it.
  std::string source;
  /// The spec file's text, verbatim (stored with the results).
  std::string text;
  /// The base run config as resolved (relative to the spec file's
  /// directory), empty when the spec names none.
  std::string base;
  /// The base file's text, verbatim (empty without a base file).
  std::string base_text;
  /// "grid" or "zip".
  std::string combine = "grid";
  /// Default results file: [sweep] output, else "<name>.h5". Relative paths
  /// are relative to the working directory (the CLI's -o overrides it).
  std::string output;
  /// The [axes] keys, in the order they appear in the file.
  std::vector<std::string> axis_keys;
  /// A [[grids]] entry: its name, how it combines, its axes' keys.
  struct GridInfo {
    std::string name;
    std::string combine;
    std::vector<std::string> axis_keys;
  };
  std::vector<GridInfo> grid_infos;
  /// How many leading points come from [axes]; then come the [[grids]]
  /// points (grids[i] non-empty), then the [[points]].
  std::size_t axis_points = 0;
  /// Per point: the name of the [[grids]] entry it comes from, "" for
  /// points from [axes] and [[points]]. Stored with the results as the
  /// hyperparameter column "sweep.grid" when any point has one.
  std::vector<std::string> grids;
  /// Per point: its overrides of the base as "key=value" strings, in file
  /// order; apply_override(table, s) reproduces each one (strings are
  /// quoted only where a bare string would read back as another type).
  std::vector<std::vector<std::string>> overrides;
  /// The expanded points: [axes] combinations first, then each grid's,
  /// then [[points]]. Their
  /// output.path is always the default: where results go is not part of a
  /// point's identity.
  std::vector<runner::Point> points;
};

/// Reads and expands the spec in `file`; `base` is resolved relative to the
/// file's directory. A missing or unreadable file is a UsageError.
SweepSpec load_sweep(const std::filesystem::path& file);

/// Expands a spec from its text. `source_name` prefixes error messages
/// ("sweep.toml:3:8: sweep.name: ..."); `base_dir` resolves a relative base.
/// Throws UsageError for anything invalid, naming the point (index and
/// overrides) when only some points are invalid.
SweepSpec parse_sweep(std::string_view text, const std::string& source_name,
                      const std::filesystem::path& base_dir);

/// Lower-case hex SHA-256 over the points' ids in order: two specs that
/// expand to the same points in the same order have the same digest,
/// whatever their comments, formatting or spelling. `sweep plan` prints it;
/// resume compares the point ids themselves (engine.cpp).
std::string spec_digest(const SweepSpec& spec);

/// "model.residual=X+O1, train.seed=2" (or "base" for a point without
/// overrides): how messages and plans name a point.
std::string describe_overrides(const std::vector<std::string>& overrides);

}  // namespace resqunn::sweep
