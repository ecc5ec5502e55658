// Uses the installed resqunn: runtime, build info, RNG, checksums, IDX I/O.
#include <resqunn/core/build_info.hpp>
#include <resqunn/core/random.hpp>
#include <resqunn/core/sha256.hpp>
#include <resqunn/data/idx.hpp>
#include <resqunn/parallel/kokkos_info.hpp>
#include <resqunn/parallel/runtime.hpp>

#include <cstdio>
#include <filesystem>

int main(int argc, char** argv) {
  resqunn::parallel::Runtime runtime(argc, argv);
  const auto kokkos = resqunn::parallel::kokkos_info();
  std::printf("resqunn %s, Kokkos %s (%s)\n", resqunn::version(), kokkos.version.c_str(),
              kokkos.default_execution_space.c_str());

  resqunn::data::IdxArray a;
  a.type = resqunn::data::IdxType::u8;
  a.dims = {3, 2};
  resqunn::Rng rng(1);
  for (int i = 0; i < 6; ++i) a.data.push_back(static_cast<std::uint8_t>(rng.below(256)));
  const std::filesystem::path file = std::filesystem::path(argc > 1 ? argv[1] : ".") / "x.idx.gz";
  resqunn::data::write_idx(file, a, /*gzip=*/true);
  const auto b = resqunn::data::read_idx(file);
  const bool same = b.dims == a.dims && b.data == a.data;
  std::printf("IDX round trip %s, sha256 %s\n", same ? "ok" : "MISMATCH",
              resqunn::sha256_hex(b.data.data(), b.data.size()).c_str());
  return same ? 0 : 1;
}
