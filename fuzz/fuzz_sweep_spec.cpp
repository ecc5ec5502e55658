// The sweep-spec reader (sweep/spec.hpp) on arbitrary TOML text, with
// relative bases resolved in examples/ (so `base = "quickstart.toml"`
// reaches the whole expansion).
#include "fuzz_support.hpp"
#include "resqunn/sweep/spec.hpp"
#include "resqunn_source_paths.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  resqunn::fuzz::expect_accepted_or_error(
      [&] { (void)resqunn::sweep::parse_sweep(text, "fuzz.toml", RESQUNN_EXAMPLES_DIR); });
  return 0;
}
