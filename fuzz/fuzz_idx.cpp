// The IDX reader (data/idx.hpp) on arbitrary bytes; what it accepts must
// encode back to the same bytes.
#include "fuzz_support.hpp"
#include "resqunn/data/idx.hpp"

#include <cstdint>
#include <cstdlib>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  resqunn::fuzz::expect_accepted_or_error([&] {
    const auto array = resqunn::data::parse_idx(data, size, "fuzz input");
    const auto bytes = resqunn::data::encode_idx(array);
    if (bytes != std::vector<std::uint8_t>(data, data + size)) std::abort();
  });
  return 0;
}
