#include "resqunn/sweep/detail/toml_leaves.hpp"

#include "resqunn/config/toml.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace resqunn::sweep::detail {

namespace {

bool before(const toml::node* a, const toml::node* b) {
  const auto& x = a->source().begin;
  const auto& y = b->source().begin;
  return x.line != y.line ? x.line < y.line : x.column < y.column;
}

}  // namespace

std::string position(const std::string& source, const toml::source_region& r) {
  if (r.begin.line == 0) return source;
  return source + ":" + std::to_string(r.begin.line) + ":" + std::to_string(r.begin.column);
}

std::string position(const std::string& source, const toml::node* n) {
  return n == nullptr ? source : position(source, n->source());
}

void collect_leaves(toml::table& t, const std::string& prefix, std::vector<Assignment>& out,
                    bool sort) {
  for (auto&& [k, v] : t) {
    const std::string key =
        prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (auto* sub = v.as_table()) {
      collect_leaves(*sub, key, out, false);
    } else {
      out.push_back({key, &v});
    }
  }
  if (sort) {
    std::stable_sort(out.begin(), out.end(), [](const Assignment& a, const Assignment& b) {
      return before(a.value, b.value);
    });
  }
}

std::string first_segment(const std::string& key) { return key.substr(0, key.find_first_of(".[")); }

void set_copy(toml::table& table, const std::string& key, const toml::node& value) {
  value.visit([&](const auto& v) {
    auto copy = v;  // toml++ copies drop source positions
    config::set_dotted(table, key, std::move(copy));
  });
}

bool names_key(std::string_view message, const std::string& key) {
  const auto ends_key = [](char c) {
    return !(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.');
  };
  if (message.compare(0, key.size(), key) == 0) {
    return message.size() == key.size() || ends_key(message[key.size()]);
  }
  const std::string_view named = message.substr(0, message.find_first_of(": ="));
  return !named.empty() && key.size() > named.size() && key.compare(0, named.size(), named) == 0 &&
         (key[named.size()] == '.' || key[named.size()] == '[');
}

}  // namespace resqunn::sweep::detail
