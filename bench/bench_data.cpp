// Data pipeline costs per image: IDX decoding (raw and gzip), scaling to
// [0, 1] and average pooling. Synthetic images with a fixed seed, so the
// numbers do not depend on a fetched dataset.
#include <resqunn/core/random.hpp>
#include <resqunn/data/detail/file_io.hpp>
#include <resqunn/data/idx.hpp>
#include <resqunn/data/preprocess.hpp>

#include <benchmark/benchmark.h>

namespace {

using namespace resqunn::data;

constexpr std::uint32_t kSide = 28;

IdxArray synthetic_images(std::uint32_t count) {
  IdxArray a{IdxType::u8, {count, kSide, kSide}, {}};
  resqunn::Rng rng(42);
  a.data.resize(a.element_count());
  // MNIST-like: mostly background, some ink.
  for (auto& p : a.data) p = rng.below(4) == 0 ? static_cast<std::uint8_t>(rng.below(256)) : 0;
  return a;
}

RawImages to_raw(const IdxArray& a) {
  RawImages r;
  r.count = a.dims[0];
  r.rows = a.dims[1];
  r.cols = a.dims[2];
  r.pixels = a.data;
  r.labels.assign(r.count, 0);
  return r;
}

void BM_ParseIdx(benchmark::State& state) {
  const auto count = static_cast<std::uint32_t>(state.range(0));
  const auto bytes = encode_idx(synthetic_images(count));
  for (auto _ : state) {
    auto a = parse_idx(bytes.data(), bytes.size(), "bench");
    benchmark::DoNotOptimize(a.data.data());
  }
  state.SetItemsProcessed(state.iterations() * count);
  state.SetBytesProcessed(state.iterations() * static_cast<long>(bytes.size()));
}
BENCHMARK(BM_ParseIdx)->Arg(10000);

void BM_GunzipParseIdx(benchmark::State& state) {
  const auto count = static_cast<std::uint32_t>(state.range(0));
  const auto gz = detail::gzip(encode_idx(synthetic_images(count)));
  for (auto _ : state) {
    const auto raw = detail::gunzip(gz, "bench");
    auto a = parse_idx(raw.data(), raw.size(), "bench");
    benchmark::DoNotOptimize(a.data.data());
  }
  state.SetItemsProcessed(state.iterations() * count);
}
BENCHMARK(BM_GunzipParseIdx)->Arg(10000);

void BM_ToUnitRange(benchmark::State& state) {
  const auto raw = to_raw(synthetic_images(static_cast<std::uint32_t>(state.range(0))));
  for (auto _ : state) {
    auto s = to_unit_range(raw, 10);
    benchmark::DoNotOptimize(s.pixels.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ToUnitRange)->Arg(10000);

void BM_AveragePool(benchmark::State& state) {
  const auto images = to_unit_range(to_raw(synthetic_images(10000)), 10);
  const auto factor = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    auto p = average_pool(images, factor);
    benchmark::DoNotOptimize(p.pixels.data());
  }
  state.SetItemsProcessed(state.iterations() * 10000);
}
BENCHMARK(BM_AveragePool)->Arg(2)->Arg(4);

}  // namespace

BENCHMARK_MAIN();
