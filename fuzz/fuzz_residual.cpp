// The residual grammar (model/residual.hpp): the first byte picks the
// layer count (1..4), the rest is the wiring. A wiring it accepts has one
// canonical spelling, which parses to the same wiring and is its own
// canonical form.
#include "fuzz_support.hpp"
#include "resqunn/model/residual.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const int layers = 1 + data[0] % 4;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  resqunn::fuzz::expect_accepted_or_error([&] {
    const auto canonical = resqunn::model::canonical_residual(text, layers);
    if (resqunn::model::canonical_residual(canonical, layers) != canonical) std::abort();
    (void)resqunn::model::parse_residual(canonical, layers);
  });
  return 0;
}
