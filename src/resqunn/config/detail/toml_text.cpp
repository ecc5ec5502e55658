#include "resqunn/config/detail/toml_text.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <system_error>

namespace resqunn::config::detail {

std::string toml_float(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  // std::to_chars without a format or precision gives the shortest string
  // that round-trips, independent of locale: the basis of determinism.
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  if (result.ec != std::errc{}) return "nan";  // cannot happen with 64 bytes
  const std::string text(buffer, result.ptr);

  const auto e = text.find('e');
  std::string mantissa = text.substr(0, e);
  if (e == std::string::npos) {
    if (mantissa.find('.') == std::string::npos) mantissa += ".0";  // "3" would be an integer
    return mantissa;
  }
  // "1e-08" -> "1e-8", "1e+20" -> "1e20": one spelling per exponent.
  std::string exponent = text.substr(e + 1);
  std::string sign;
  if (!exponent.empty() && (exponent[0] == '+' || exponent[0] == '-')) {
    if (exponent[0] == '-') sign = "-";
    exponent.erase(0, 1);
  }
  const auto first = exponent.find_first_not_of('0');
  exponent = first == std::string::npos ? "0" : exponent.substr(first);
  return mantissa + "e" + sign + exponent;
}

std::string toml_string(std::string_view text) {
  std::string out = "\"";
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04X", static_cast<unsigned>(c));
          out += escaped;
        } else {
          out += ch;  // UTF-8 passes through unchanged
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace resqunn::config::detail
