// The TOML side of the config component, for code that edits configs as
// tables before validating them (sweeps: a base file plus dotted-key
// overrides per point). Includes toml++: targets that include this header
// link tomlplusplus::tomlplusplus themselves; run_config.hpp does not need it.
#pragma once

#include "resqunn/config/run_config.hpp"

#include <toml++/toml.h>

#include <string>
#include <string_view>

namespace resqunn::config {

/// "a table", "an array", "a string", "an integer", "a float", ... for
/// messages like "expected a string, got an integer".
std::string type_name(const toml::node& node);

/// `text` as a TOML basic string: quoted, with escapes.
std::string quoted(std::string_view text);

/// The TOML text of a value, as apply_override reads it back: floats as
/// the canonical writer spells them, strings bare unless a bare spelling
/// would read as another value ("true", "12", "[1]") or is not one line,
/// strings inside arrays and inline tables always quoted (and a string
/// `value` too, without `bare_strings`).
std::string value_text(const toml::node& value, bool bare_strings = true);

/// Parses TOML syntax only (no schema). Syntax errors become UsageError
/// "source_name:line:column: invalid TOML: <what the parser says>".
toml::table parse_toml(std::string_view toml_text, const std::string& source_name);

/// Validates a table against the schema and builds the RunConfig; errors as
/// parse_run_config's. Nodes without a source position (set by set_dotted)
/// are reported as "source_name: key: ...".
RunConfig from_table(const toml::table& table, const std::string& source_name);

/// The canonical form as a table (parse_toml(canonical_toml(config))),
/// without source positions: a base for edits when there is no file.
toml::table to_table(const RunConfig& config);

/// Sets `dotted_key` (e.g. "train.lr", "model.depths",
/// "model.layers[1].kernel") to `value`, replacing what was there. Missing
/// tables on the way are created; an indexed segment must name an existing
/// element of an array of tables. Throws UsageError when the key is
/// malformed or runs through a value that is not a table.
void set_dotted(toml::table& table, std::string_view dotted_key, toml::node&& value);

/// "dotted.key=value": the value is read as a TOML value ("0.1", "true",
/// "[1, 1]", "\"mnist\"") and, when it is not one, taken as a bare string
/// ("mnist", "(X+O1)+O2"). Then set_dotted. Throws UsageError without '='.
void apply_override(toml::table& table, std::string_view assignment);

}  // namespace resqunn::config
