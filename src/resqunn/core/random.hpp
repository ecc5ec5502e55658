// Portable, seedable random numbers. The C++ standard fixes the output of
// std::mt19937 but not of std::uniform_int_distribution or std::shuffle, so
// results that must be identical across compilers and machines (splits,
// shuffles, weight init) use these instead.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace resqunn {

/// xoshiro256** seeded through splitmix64 (Blackman & Vigna).
class Rng {
public:
  explicit Rng(std::uint64_t seed) noexcept;

  std::uint64_t next() noexcept;
  /// Uniform integer in [0, n), unbiased (Lemire's multiply + rejection). n > 0.
  std::uint64_t below(std::uint64_t n) noexcept;
  /// Uniform double in [0, 1) with 53 random bits.
  double uniform() noexcept;

  /// Fisher–Yates shuffle with the generator above.
  template <class T>
  void shuffle(std::vector<T>& v) noexcept {
    for (std::size_t i = v.size(); i > 1; --i) {
      std::swap(v[i - 1], v[static_cast<std::size_t>(below(i))]);
    }
  }

  /// Independent stream for a sub-task (e.g. one per class or per point).
  Rng split(std::uint64_t stream) noexcept;

private:
  std::uint64_t s_[4];
};

}  // namespace resqunn
