// What every fuzz target shares: run a parser on the input and let only
// resqunn's own errors through. A std::exception of another type escaping
// a parser means a user would see a library's message without context (or
// an internal check fired): it aborts, and libFuzzer reports the input.
#pragma once

#include "resqunn/core/error.hpp"

#include <cstdio>
#include <cstdlib>
#include <exception>

namespace resqunn::fuzz {

template <class F>
void expect_accepted_or_error(F&& parse) {
  try {
    parse();
  } catch (const Error&) {
    // A clear message for the user: what the parsers must give.
  } catch (const std::exception& e) {
    std::fprintf(stderr, "escaped the parser: %s\n", e.what());
    std::abort();
  }
}

}  // namespace resqunn::fuzz
