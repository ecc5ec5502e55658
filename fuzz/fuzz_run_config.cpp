// The run-config reader (config/run_config.hpp) on arbitrary TOML text;
// a config it accepts must survive its canonical form unchanged.
#include "fuzz_support.hpp"
#include "resqunn/config/run_config.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  resqunn::fuzz::expect_accepted_or_error([&] {
    const auto config = resqunn::config::parse_run_config(text, "fuzz.toml");
    const auto canonical = resqunn::config::canonical_toml(config);
    const auto again = resqunn::config::parse_run_config(canonical, "canonical.toml");
    if (resqunn::config::canonical_toml(again) != canonical) std::abort();
  });
  return 0;
}
