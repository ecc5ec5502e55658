// A training run as one TOML file: which data, which model, how to train,
// what to trace, where to write. parse_run_config/load_run_config read and
// validate it; canonical_toml writes it back in one fixed form (the text
// that point ids hash and result files store). Keys, types, defaults and
// ranges: docs/config.md. Sweeps edit configs as TOML tables: toml.hpp.
#pragma once

#include "resqunn/model/spec.hpp"
#include "resqunn/train/options.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace resqunn::config {

/// Version of the schema below. Bumped whenever a key is added, removed or
/// changes meaning, so that hashes of canonical texts from different schema
/// versions never collide.
inline constexpr int kSchemaVersion = 1;

struct OutputOptions {
  /// The HDF5 result file.
  std::string path = "run.h5";
};

/// The model of a config that names none: two quanvolution layers with
/// ansatz depths 4 and 1, every other setting at its QuanvSpec/ModelSpec
/// default (docs/config.md).
model::ModelSpec default_model();

/// Default-constructed, it is the config of an empty file.
struct RunConfig {
  train::DataOptions data;
  model::ModelSpec model = default_model();
  train::TrainOptions train;
  train::TraceOptions trace;
  OutputOptions output;
};

/// Parses and validates one config. Throws UsageError; every message starts
/// with `source_name:line:column: key:` (the position is left out for values
/// that have none, e.g. set by a sweep), e.g.
///   quickstart.toml:12:1: model.quanv.kernal: unknown key (did you mean 'kernel'?)
RunConfig parse_run_config(std::string_view toml_text, const std::string& source_name);

/// parse_run_config on the contents of `file`, named as given. A file that
/// cannot be read is a UsageError naming it.
RunConfig load_run_config(const std::filesystem::path& file);

/// The canonical TOML text: every key with its value (defaults explicit),
/// tables and keys in a fixed order, layers always as [[model.layers]]
/// tables with their depths in model.depths, floats in their shortest form
/// that reads back to the same double. Deterministic, and a fixed point:
///   canonical_toml(parse_run_config(canonical_toml(c), s)) == canonical_toml(c)
/// Two files that mean the same run have the same canonical text. Throws
/// UsageError for a seed that TOML cannot hold (>= 2^63).
std::string canonical_toml(const RunConfig& config);

/// Every leaf of the canonical form as ("dotted.key", "value") in canonical
/// order, e.g. ("model.layers[1].kernel", "2"), ("data.classes", "[0, 1]"),
/// ("data.dataset", "mnist"): strings without quotes, everything else as in
/// the canonical text. One column per key in a results table; the keys are
/// the ones set_dotted/apply_override accept.
std::vector<std::pair<std::string, std::string>> flatten(const RunConfig& config);

}  // namespace resqunn::config
