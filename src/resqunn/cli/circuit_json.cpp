#include "resqunn/cli/circuit_json.hpp"

#include "resqunn/core/error.hpp"
#include "resqunn/core/text.hpp"
#include "resqunn/quantum/evaluate.hpp"
#include "resqunn/quantum/evaluator_cost.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

namespace resqunn::cli {

namespace {

using nlohmann::json;

const std::vector<std::string> kKeys = {"qubits",    "encoding",       "ansatz",   "depth",
                                        "readout",   "readout_qubits", "rotation", "angle_scale",
                                        "evaluator", "weights",        "inputs",   "upstream"};

constexpr const char* kFormatFix =
    "see `resqunn circuit --help` or docs/cli.md for the request format";

int get_int(const json& j, const char* key, int fallback) {
  if (!j.contains(key)) return fallback;
  const auto& v = j[key];
  if (!v.is_number_integer()) {
    throw UsageError(std::string("\"") + key + "\" must be an integer, got " + v.dump(),
                     kFormatFix);
  }
  return v.get<int>();
}

std::string get_string(const json& j, const char* key, const std::string& fallback) {
  if (!j.contains(key)) return fallback;
  const auto& v = j[key];
  if (!v.is_string()) {
    throw UsageError(std::string("\"") + key + "\" must be a string, got " + v.dump(), kFormatFix);
  }
  return v.get<std::string>();
}

double number(const json& v, const std::string& where) {
  if (!v.is_number()) throw UsageError(where + " must be a number, got " + v.dump(), kFormatFix);
  const double d = v.get<double>();
  if (!std::isfinite(d)) throw UsageError(where + " is not finite", kFormatFix);
  return d;
}

std::vector<double> vector_of(const json& v, const std::string& where) {
  if (!v.is_array()) throw UsageError(where + " must be an array of numbers", kFormatFix);
  std::vector<double> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    out.push_back(number(v[i], where + "[" + std::to_string(i) + "]"));
  }
  return out;
}

// Rows of a batch; each row must have `width` values (amplitude inputs may
// be shorter and are zero-padded).
std::vector<double> rows_of(const json& j, const char* key, std::size_t rows, std::size_t width,
                            bool pad_to_width) {
  const auto& v = j[key];
  if (!v.is_array() || v.empty()) {
    throw UsageError(std::string("\"") + key + "\" must be a non-empty array of rows", kFormatFix);
  }
  if (rows != 0 && v.size() != rows) {
    throw UsageError(std::string("\"") + key + "\" has " + std::to_string(v.size()) +
                         " rows but \"inputs\" has " + std::to_string(rows),
                     "give one row per circuit");
  }
  std::vector<double> out;
  for (std::size_t r = 0; r < v.size(); ++r) {
    const std::string where = std::string("\"") + key + "\"[" + std::to_string(r) + "]";
    auto row = vector_of(v[r], where);
    if (pad_to_width && row.size() < width) row.resize(width, 0.0);
    if (row.size() != width) {
      throw UsageError(where + " has " + std::to_string(row.size()) + " values, expected " +
                           std::to_string(width) + (pad_to_width ? " or fewer" : ""),
                       kFormatFix);
    }
    out.insert(out.end(), row.begin(), row.end());
  }
  return out;
}

// Where the parser is, as a field path ("weights"[3]), for the callback
// below: it refuses duplicate fields (JSON allows them, and nlohmann keeps
// the last silently) and names the field of a number that overflows a double.
class ParsePosition {
public:
  bool on_event(int /*depth*/, json::parse_event_t event, const json& parsed) {
    using E = json::parse_event_t;
    switch (event) {
      case E::object_start:
      case E::array_start:
        frames_.push_back({event == E::array_start, {}, 0, {}});
        break;
      case E::key: {
        Frame& f = frames_.back();
        f.key = parsed.get<std::string>();
        if (!f.keys.insert(f.key).second) {
          throw UsageError(path() + ": duplicate field (JSON objects allow one of each)",
                           "give each field once; " + std::string(kFormatFix));
        }
        break;
      }
      case E::value:
        next();
        break;
      case E::object_end:
      case E::array_end:
        frames_.pop_back();
        next();
        break;
    }
    return true;
  }

  /// The field being parsed: "key" in objects, [i] in arrays.
  std::string path() const {
    std::string p;
    for (const Frame& f : frames_)
      p += f.array ? "[" + std::to_string(f.index) + "]" : "\"" + f.key + "\"";
    return p.empty() ? "the request" : p;
  }

private:
  struct Frame {
    bool array;
    std::string key;
    std::size_t index;
    std::set<std::string> keys;
  };
  // A value ends: an array moves on to its next element.
  void next() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
  }
  std::vector<Frame> frames_;
};

}  // namespace

CircuitRequest parse_circuit_request(const std::string& text, const std::string& source) {
  json j;
  ParsePosition at;
  try {
    j = json::parse(text, [&at](int depth, json::parse_event_t event, json& parsed) {
      return at.on_event(depth, event, parsed);
    });
  } catch (const json::parse_error& e) {
    throw UsageError(source + ": invalid JSON at byte " + std::to_string(e.byte) + ": " +
                         std::string(e.what()).substr(std::string(e.what()).find(':') + 2),
                     kFormatFix);
  } catch (const json::out_of_range& e) {
    // 406: a number literal beyond a double's range, e.g. 1e400.
    const std::string what = e.what();
    const auto open = what.find('\''), close = what.rfind('\'');
    const std::string literal =
        open != std::string::npos && close > open ? what.substr(open + 1, close - open - 1) : "";
    throw UsageError(source + ": " + at.path() + ": the number " + literal +
                         " is outside the range of a double (about 1.8e308)",
                     "give a finite number; " + std::string(kFormatFix));
  } catch (const UsageError& e) {
    throw UsageError(source + ": " + e.problem(), e.fix());
  }
  if (!j.is_object()) throw UsageError(source + ": the request must be a JSON object", kFormatFix);
  for (const auto& item : j.items()) {
    if (std::find(kKeys.begin(), kKeys.end(), item.key()) == kKeys.end()) {
      throw UsageError(
          source + ": unknown field \"" + item.key() + "\"" + did_you_mean(item.key(), kKeys, '"'),
          "known fields: " + join(kKeys));
    }
  }
  CircuitRequest r;
  auto& s = r.spec;
  s.qubits = get_int(j, "qubits", s.qubits);
  s.depth = get_int(j, "depth", s.depth);
  s.readout_qubits = get_int(j, "readout_qubits", 0);
  s.encoding = quantum::parse_encoding(get_string(j, "encoding", "angle"));
  s.ansatz = quantum::parse_ansatz(get_string(j, "ansatz", "paper"));
  s.readout = quantum::parse_readout(get_string(j, "readout", "expval-z"));
  s.angle_axis = quantum::parse_rotation(get_string(j, "rotation", "ry"));
  if (j.contains("angle_scale")) s.angle_scale = number(j["angle_scale"], "\"angle_scale\"");
  s.evaluator = quantum::parse_evaluator(get_string(j, "evaluator", "auto"));
  s.validate();

  if (!j.contains("weights")) {
    throw UsageError(
        "\"weights\" is missing: this circuit has " + std::to_string(s.weight_count()) + " weights",
        "list them in the order of docs/quantum.md (weight layout)");
  }
  r.weights = vector_of(j["weights"], "\"weights\"");
  if (r.weights.size() != static_cast<std::size_t>(s.weight_count())) {
    throw UsageError("\"weights\" has " + std::to_string(r.weights.size()) +
                         " values, this circuit has " + std::to_string(s.weight_count()),
                     "see docs/quantum.md for the weight layout of each ansatz");
  }
  if (!j.contains("inputs")) throw UsageError("\"inputs\" is missing", kFormatFix);
  const auto nin = static_cast<std::size_t>(s.input_size());
  r.inputs = rows_of(j, "inputs", 0, nin, s.encoding == quantum::Encoding::amplitude);
  r.batch = r.inputs.size() / nin;
  if (j.contains("upstream")) {
    r.upstream = rows_of(j, "upstream", r.batch, static_cast<std::size_t>(s.output_size()), false);
  }
  return r;
}

json circuit_response(const CircuitRequest& request) {
  const auto& s = request.spec;
  // auto decides for this request's batch; the response says what ran.
  const quantum::CircuitSpec resolved =
      quantum::resolve_evaluator(s, static_cast<long>(request.batch));
  const auto e =
      quantum::evaluate(resolved, request.weights, request.inputs, request.batch, request.upstream);
  auto rows = [&](const std::vector<double>& flat, std::size_t width) {
    json out = json::array();
    for (std::size_t b = 0; b < request.batch; ++b) {
      out.push_back(std::vector<double>(flat.begin() + static_cast<long>(b * width),
                                        flat.begin() + static_cast<long>((b + 1) * width)));
    }
    return out;
  };
  json out = {{"qubits", s.qubits},
              {"encoding", quantum::to_string(s.encoding)},
              {"ansatz", quantum::to_string(s.ansatz)},
              {"depth", s.depth},
              {"readout", quantum::to_string(s.readout)},
              {"evaluator", quantum::to_string(resolved.evaluator)},
              {"outputs", rows(e.outputs, static_cast<std::size_t>(s.output_size()))}};
  if (!request.upstream.empty()) {
    out["input_grads"] = rows(e.input_grads, static_cast<std::size_t>(s.input_size()));
    out["weight_grads"] = e.weight_grads;
  }
  return out;
}

}  // namespace resqunn::cli
