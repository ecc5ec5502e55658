// TOML literals as the canonical writer spells them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace resqunn::config::detail {

/// The shortest decimal that reads back as exactly `value`, as a TOML float:
/// always with a '.' or an exponent ("1.0", "0.01", "1e-8", "3.141592653589793",
/// "1e20"), exponents without '+' or leading zeros; "inf", "-inf", "nan".
std::string toml_float(double value);

/// A TOML basic string: quotes, backslashes and control characters escaped.
std::string toml_string(std::string_view text);

}  // namespace resqunn::config::detail
