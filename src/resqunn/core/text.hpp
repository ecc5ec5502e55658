// Small text helpers for error messages: typo suggestions, lists, and
// the one parser of enumeration names (configs, JSON and the CLI share it).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace resqunn {

/// Levenshtein distance (insertions, deletions, substitutions).
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word` if it is plausibly a typo of it (edit
/// distance at most max(1, size/3), or two neighbouring letters swapped),
/// else empty.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

/// "a, b, c"
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");

/// " (did you mean 'near'?)", or "" for an empty `near`; `quote` is '
/// (configs, messages) or " (JSON). The one spelling of a suggestion.
std::string suggestion_text(std::string_view near, char quote = '\'');

/// suggestion_text(closest_match(word, candidates), quote).
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates,
                         char quote = '\'');

/// Throws UsageError "unknown <what> '<name>' (did you mean ...)" with the
/// fix "use one of: <known>".
[[noreturn]] void throw_unknown_name(std::string_view what, std::string_view name,
                                     const std::vector<std::string>& known);

/// One value of an enumeration and its name in configs, JSON and messages.
/// Each enumeration keeps one table of these: to_string and its parser both
/// read it, so the two cannot drift.
template <class E>
struct Named {
  E value;
  std::string_view name;
};

/// The name of `value` in `names` ("?" for a value the table lacks).
template <class E, std::size_t N>
constexpr std::string_view name_of(E value, const Named<E> (&names)[N]) noexcept {
  for (const auto& n : names) {
    if (n.value == value) return n.name;
  }
  return "?";
}

/// The value called `name` in `names`; else throw_unknown_name(what, ...).
template <class E, std::size_t N>
E parse_name(std::string_view name, const Named<E> (&names)[N], std::string_view what) {
  std::vector<std::string> known;
  for (const auto& n : names) {
    if (n.name == name) return n.value;
    known.emplace_back(n.name);
  }
  throw_unknown_name(what, name, known);
}

}  // namespace resqunn
