#include "resqunn/core/text.hpp"

#include "resqunn/core/error.hpp"

#include <algorithm>
#include <numeric>

namespace resqunn {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

namespace {

// `word` is `c` with two neighbouring letters swapped ("ansazt"): one typo,
// though it counts as two edits.
bool is_transposition(std::string_view word, std::string_view c) {
  if (c.size() != word.size()) return false;
  std::size_t first = 0;
  while (first < c.size() && c[first] == word[first]) ++first;
  return first + 1 < c.size() && c[first] == word[first + 1] && c[first + 1] == word[first] &&
         c.substr(first + 2) == word.substr(first + 2);
}

}  // namespace

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(1, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  if (!best.empty()) return best;
  for (const auto& c : candidates) {
    if (is_transposition(word, c)) return c;
  }
  return best;
}

std::string suggestion_text(std::string_view near, char quote) {
  if (near.empty()) return "";
  const std::string q(1, quote);
  return " (did you mean " + q + std::string(near) + q + "?)";
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates,
                         char quote) {
  return suggestion_text(closest_match(word, candidates), quote);
}

void throw_unknown_name(std::string_view what, std::string_view name,
                        const std::vector<std::string>& known) {
  throw UsageError(
      "unknown " + std::string(what) + " '" + std::string(name) + "'" + did_you_mean(name, known),
      "use one of: " + join(known));
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

}  // namespace resqunn
