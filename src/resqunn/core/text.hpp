// Small text helpers for error messages.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace resqunn {

/// Levenshtein distance (insertions, deletions, substitutions).
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word` if it is plausibly a typo of it (distance
/// at most max(1, size/3)), else empty.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

/// "a, b, c"
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");

}  // namespace resqunn
