// The `resqunn circuit` JSON request (cli/circuit_json.hpp) on arbitrary
// bytes. Only the parse: evaluating an accepted request could ask for
// 2^20-amplitude circuits, which is the user's right, not a finding.
#include "fuzz_support.hpp"
#include "resqunn/cli/circuit_json.hpp"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  resqunn::fuzz::expect_accepted_or_error(
      [&] { (void)resqunn::cli::parse_circuit_request(text, "fuzz.json"); });
  return 0;
}
