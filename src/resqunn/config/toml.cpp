// TOML syntax, table editing for sweeps, and the file/text entry points.
#include "resqunn/config/toml.hpp"

#include "resqunn/config/detail/toml_text.hpp"
#include "resqunn/core/error.hpp"
#include "resqunn/core/files.hpp"
#include "resqunn/core/text.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <string>

namespace resqunn::config {

namespace {

struct Segment {
  std::string name;
  bool indexed = false;
  std::size_t index = 0;
};

bool is_bare_key_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

// "model.layers[1].kernel" -> {model}, {layers, 1}, {kernel}
std::vector<Segment> split_dotted(std::string_view dotted) {
  const auto bad = [&](const std::string& why) {
    return UsageError("bad config key '" + std::string(dotted) + "': " + why,
                      "write dotted keys like train.lr or model.layers[1].kernel");
  };
  std::vector<Segment> out;
  std::size_t i = 0;
  while (true) {
    Segment s;
    while (i < dotted.size() && is_bare_key_char(dotted[i])) s.name += dotted[i++];
    if (s.name.empty()) throw bad("empty segment at character " + std::to_string(i + 1));
    if (i < dotted.size() && dotted[i] == '[') {
      const std::size_t close = dotted.find(']', i);
      const std::string digits(dotted.substr(
          i + 1, close == std::string_view::npos ? std::string_view::npos : close - i - 1));
      if (close == std::string_view::npos || digits.empty() || digits.size() > 6 ||
          digits.find_first_not_of("0123456789") != std::string::npos) {
        throw bad("expected [index] after '" + s.name + "'");
      }
      s.indexed = true;
      s.index = std::stoul(digits);
      i = close + 1;
    }
    out.push_back(std::move(s));
    if (i == dotted.size()) return out;
    if (dotted[i] != '.') {
      throw bad("unexpected '" + std::string(1, dotted[i]) + "' at character " +
                std::to_string(i + 1));
    }
    ++i;
  }
}

// "a table", "an array" or "a value": what a dotted key ran into.
std::string type_word(const toml::node& n) {
  return n.is_table() || n.is_array() ? type_name(n) : "a value";
}

}  // namespace

toml::table parse_toml(std::string_view toml_text, const std::string& source_name) {
  try {
    return toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    const auto& at = e.source().begin;
    throw UsageError(source_name + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) +
                         ": invalid TOML: " + std::string(e.description()),
                     "see https://toml.io/en/v1.0.0 for the syntax");
  }
}

RunConfig parse_run_config(std::string_view toml_text, const std::string& source_name) {
  return from_table(parse_toml(toml_text, source_name), source_name);
}

RunConfig load_run_config(const std::filesystem::path& file) {
  const std::string name = file.string();
  return parse_run_config(read_text_file(file, {"config file '" + name + "'"}), name);
}

toml::table to_table(const RunConfig& config) {
  const toml::table parsed = parse_toml(canonical_toml(config), "<canonical config>");
  // A copy carries no source positions (toml++ copies drop them): errors
  // about these values must not point into a text no one has seen.
  return toml::table(parsed);
}

void set_dotted(toml::table& table, std::string_view dotted_key, toml::node&& value) {
  const auto segments = split_dotted(dotted_key);
  toml::table* current = &table;
  std::string path;
  for (std::size_t s = 0; s < segments.size(); ++s) {
    const Segment& seg = segments[s];
    const bool last = s + 1 == segments.size();
    path += (path.empty() ? "" : ".") + seg.name;
    const auto fail = [&](const std::string& why) {
      throw UsageError("cannot set '" + std::string(dotted_key) + "': " + why);
    };
    if (!seg.indexed) {
      if (last) {
        current->insert_or_assign(seg.name, std::move(value));
        return;
      }
      toml::node* next = current->get(seg.name);
      if (next == nullptr) {
        next = &current->insert_or_assign(seg.name, toml::table{}).first->second;
      } else if (!next->is_table()) {
        fail("'" + path + "' is " + type_word(*next) + ", not a table");
      }
      current = next->as_table();
      continue;
    }
    toml::array* array = current->get_as<toml::array>(seg.name);
    if (array == nullptr) fail("'" + path + "' is not an array");
    path += "[" + std::to_string(seg.index) + "]";
    if (seg.index >= array->size()) {
      fail("'" + path + "' does not exist ('" + path.substr(0, path.rfind('[')) + "' has " +
           std::to_string(array->size()) + " elements)");
    }
    if (last) {
      array->replace(array->cbegin() + static_cast<std::ptrdiff_t>(seg.index), std::move(value));
      return;
    }
    toml::node* element = array->get(seg.index);
    if (!element->is_table()) fail("'" + path + "' is " + type_word(*element) + ", not a table");
    current = element->as_table();
  }
}

void apply_override(toml::table& table, std::string_view assignment) {
  const auto eq = assignment.find('=');
  const auto trim = [](std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
  };
  if (eq == std::string_view::npos) {
    throw UsageError("override '" + std::string(assignment) + "' has no '='",
                     "write key=value, e.g. train.lr=0.05 or model.residual=X+O1");
  }
  const std::string_view key = trim(assignment.substr(0, eq));
  const std::string_view text = trim(assignment.substr(eq + 1));
  // A TOML value if it is one (exactly one, on one line), else a bare string.
  if (text.find_first_of("\n\r") == std::string_view::npos) {
    try {
      toml::table parsed = toml::parse("v = " + std::string(text));
      if (parsed.size() == 1) {
        if (toml::node* v = parsed.get("v")) {
          set_dotted(table, key, std::move(*v));
          return;
        }
      }
    } catch (const toml::parse_error&) {
      // not a TOML value: a bare string
    }
  }
  set_dotted(table, key, toml::value<std::string>(std::string(text)));
}

std::string type_name(const toml::node& n) {
  static constexpr Named<toml::node_type> kTypes[] = {{toml::node_type::table, "a table"},
                                                      {toml::node_type::array, "an array"},
                                                      {toml::node_type::string, "a string"},
                                                      {toml::node_type::integer, "an integer"},
                                                      {toml::node_type::floating_point, "a float"},
                                                      {toml::node_type::boolean, "a boolean"},
                                                      {toml::node_type::date, "a date"},
                                                      {toml::node_type::time, "a time"},
                                                      {toml::node_type::date_time, "a date-time"},
                                                      {toml::node_type::none, "nothing"}};
  return std::string(name_of(n.type(), kTypes));
}

std::string quoted(std::string_view text) { return detail::toml_string(text); }

namespace {

bool is_bare_key(std::string_view k) {
  return !k.empty() && std::all_of(k.begin(), k.end(), is_bare_key_char);
}

// A string as apply_override reads it back (see value_text).
std::string string_value_text(const std::string& s) {
  if (s.empty() || s.find_first_of("\n\r\"") != std::string::npos ||
      std::isspace(static_cast<unsigned char>(s.front())) ||
      std::isspace(static_cast<unsigned char>(s.back()))) {
    return detail::toml_string(s);
  }
  try {
    const toml::table t = toml::parse("v = " + s);
    if (t.size() == 1) return detail::toml_string(s);  // would read back as a TOML value
  } catch (const toml::parse_error&) {
  }
  return s;
}

std::string node_text(const toml::node& n, bool top) {
  if (const auto* s = n.as_string())
    return top ? string_value_text(s->get()) : detail::toml_string(s->get());
  if (const auto* i = n.as_integer()) return std::to_string(i->get());
  if (const auto* f = n.as_floating_point()) return detail::toml_float(f->get());
  if (const auto* b = n.as_boolean()) return b->get() ? "true" : "false";
  if (const auto* a = n.as_array()) {
    std::string out = "[";
    for (std::size_t i = 0; i < a->size(); ++i)
      out += (i ? ", " : "") + node_text(*a->get(i), false);
    return out + "]";
  }
  if (const auto* t = n.as_table()) {
    std::string out = "{";
    bool first = true;
    for (const auto& [k, v] : *t) {
      const std::string key(k.str());
      out += (first ? "" : ", ") + (is_bare_key(key) ? key : detail::toml_string(key)) + " = " +
             node_text(v, false);
      first = false;
    }
    return out + "}";
  }
  std::ostringstream os;  // dates and times
  n.visit([&](const auto& v) { os << v; });
  return os.str();
}

}  // namespace

std::string value_text(const toml::node& value, bool bare_strings) {
  return node_text(value, bare_strings);
}

}  // namespace resqunn::config
