// TOML helpers of the sweep spec reader: source positions for messages,
// the leaves (dotted key = value) of a table in file order, and copies of
// values into a config table. Internal to the sweep component.
#pragma once

#include <toml++/toml.h>

#include <string>
#include <string_view>
#include <vector>

namespace resqunn::sweep::detail {

/// "source:line:column" (or just "source" without a position).
std::string position(const std::string& source, const toml::source_region& r);
std::string position(const std::string& source, const toml::node* n);

/// A dotted key and the value it is set to.
struct Assignment {
  std::string key;
  toml::node* value = nullptr;
};

/// Every non-table value under `t` (tables descend), keyed "prefix.a.b", in
/// the order they appear in the file (toml++ orders tables by key).
void collect_leaves(toml::table& t, const std::string& prefix, std::vector<Assignment>& out,
                    bool sort = true);

/// "model" for "model.layers[1].kernel".
std::string first_segment(const std::string& key);

/// Copies `value` (without its source position) into `table` at `key`.
void set_copy(toml::table& table, const std::string& key, const toml::node& value);

/// Is `message` ("model.depths[1]: expected ...") about `key` (it starts with
/// the key, or an element of it), or about a table on the way to it
/// ("train.lr: expected a number, got a table" for key train.lr.x)?
bool names_key(std::string_view message, const std::string& key);

}  // namespace resqunn::sweep::detail
