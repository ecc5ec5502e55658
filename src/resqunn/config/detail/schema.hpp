// The config schema's key lists, in canonical order: the one place that
// says which keys each table accepts (the reader rejects all others; tests
// check that the canonical writer emits exactly these).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace resqunn::config::detail {

struct TableSchema {
  /// Dotted path of the table; "" is the root, "model.layers[]" an element
  /// of the array of tables model.layers.
  std::string_view path;
  std::vector<std::string> keys;
};

/// Every table of the schema, in canonical order.
const std::vector<TableSchema>& schema();

/// The keys of the table at `path` (as in TableSchema::path).
const std::vector<std::string>& schema_keys(std::string_view path);

/// The dotted path of the key, in any table, that `key` most plausibly
/// means ("lr" -> "train.lr", "kernal" -> "model.quanv.kernel"), or "" when
/// none is close: the suggestion for a key unknown in its own table.
std::string closest_key_anywhere(std::string_view key);

}  // namespace resqunn::config::detail
