// SHA-256 against the FIPS 180-4 / NIST example vectors.
#include "resqunn/core/sha256.hpp"

#include <gtest/gtest.h>

#include <string>

using resqunn::Sha256;
using resqunn::sha256_hex;

TEST(Sha256, NistVectors) {
  EXPECT_EQ(sha256_hex("", 0), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc", 3),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  EXPECT_EQ(sha256_hex(two_blocks.data(), two_blocks.size()),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, MillionAsInUnevenChunks) {
  // NIST: one million 'a' = cdc76e5c...; fed in chunks that straddle blocks.
  const std::string chunk(997, 'a');
  Sha256 h;
  std::size_t fed = 0;
  while (fed + chunk.size() <= 1000000) {
    h.update(chunk);
    fed += chunk.size();
  }
  h.update(std::string(1000000 - fed, 'a'));
  EXPECT_EQ(h.hex(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, PaddingBoundaries) {
  // Lengths 55, 56 and 64 exercise the one- and two-block padding paths; the
  // incremental result must equal the one-shot result byte for byte.
  for (std::size_t n : {55u, 56u, 63u, 64u, 65u, 119u, 120u}) {
    const std::string s(n, 'x');
    Sha256 h;
    for (char c : s) h.update(&c, 1);
    EXPECT_EQ(h.hex(), sha256_hex(s.data(), s.size())) << n;
  }
  const std::string s55(55, 'a');
  EXPECT_EQ(sha256_hex(s55.data(), s55.size()),
            "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
}
