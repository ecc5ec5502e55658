// The canonical form: exact text for the defaults, a fixed point of
// parse/write, the same text for every spelling of the same config, floats
// that read back bit for bit, and flatten() agreeing with the schema.
#include "resqunn/config/detail/schema.hpp"
#include "resqunn/config/detail/toml_text.hpp"
#include "resqunn/config/run_config.hpp"
#include "resqunn/config/toml.hpp"
#include "resqunn/core/error.hpp"

#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>

namespace {

using namespace resqunn;
using config::canonical_toml;
using config::parse_run_config;

std::string canonical_of(const std::string& text) {
  return canonical_toml(parse_run_config(text, "t.toml"));
}

TEST(ConfigCanonical, DefaultsAreAnEmptyFile) {
  // A default-constructed RunConfig is the config of an empty file.
  EXPECT_EQ(canonical_toml(config::RunConfig{}), canonical_of(""));
}

TEST(ConfigCanonical, TextIsFixed) {
  // Written in a scrambled order, with defaults left out and shared layer
  // settings: the canonical text spells everything out in schema order.
  const std::string text = R"(
[output]
path = "p.h5"
[train]
seed = 4
epochs = 3
micro_batch = 4
batch_size = 16
momentum = 0.5
eps = 1e-07
beta2 = 0.99
beta1 = 0.8
lr = 1e-3
optimizer = "sgd"
[trace]
full = true
[model.head]
depth = 3
ansatz = "basic-entangler"
type = "quantum"
[model.quanv]
stride = 1
[[model.layers]]
kernel = 3
[[model.layers]]
angle_scale = 1
[model]
seed = 7
gradient_mode = "full"
residual = "X+O1"
depths = [2, 1]
[data]
seed = 9
validation = 50
train = 100
classes = [1, 0]
image_size = 28
dataset = "fashion-mnist"
)";
  EXPECT_EQ(canonical_of(text), R"([data]
dataset = "fashion-mnist"
image_size = 28
classes = [1, 0]
train = 100
validation = 50
seed = 9

[model]
depths = [2, 1]
residual = "X+O1"
gradient_mode = "full"
seed = 7

[[model.layers]]
kernel = 3
stride = 1
padding = "valid"
encoding = "angle"
angle_axis = "ry"
angle_scale = 3.141592653589793
ansatz = "paper"
trainable = true
channel_mode = "mean"
evaluator = "auto"

[[model.layers]]
kernel = 2
stride = 1
padding = "valid"
encoding = "angle"
angle_axis = "ry"
angle_scale = 1.0
ansatz = "paper"
trainable = true
channel_mode = "mean"
evaluator = "auto"

[model.head]
type = "quantum"
ansatz = "basic-entangler"
depth = 3
evaluator = "auto"

[train]
optimizer = "sgd"
lr = 0.001
beta1 = 0.8
beta2 = 0.99
eps = 1e-7
momentum = 0.5
batch_size = 16
micro_batch = 4
epochs = 3
seed = 4

[trace]
full = true

[output]
path = "p.h5"
)");
}

TEST(ConfigCanonical, IsAFixedPoint) {
  const std::string texts[] = {
      "",
      "[model]\ndepths = [3, 2, 1]\nresidual = \"X+O1;X+O2+O3\"\n[model.quanv]\nangle_scale = "
      "0.1\n[train]\nlr = 3e-4\neps = 1e-12\n",
      "[data]\nclasses = [7, 2]\ndataset = \"fashion-mnist\"\n[[model.layers]]\ndepth = 2\nkernel "
      "= 3\nencoding = \"amplitude\"\n[[model.layers]]\ndepth = 1\n[model.head]\ntype = "
      "\"quantum\"\n[output]\npath = \"a \\\"quoted\\\" path\\twith\\\\escapes.h5\"\n",
  };
  for (const auto& text : texts) {
    const std::string once = canonical_of(text);
    EXPECT_EQ(canonical_of(once), once) << text;
  }
}

TEST(ConfigCanonical, SameConfigDifferentSpellingSameText) {
  // Keys in another order, inline tables, dotted keys, 1 vs 1.0, 1e-2 vs
  // 0.01, defaults written out or left out, layers via model.depths +
  // model.quanv or via [[model.layers]]: one canonical text.
  const std::string a = R"(
[model]
depths = [2, 1]
residual = "(X+O1)+O2"
[model.quanv]
stride = 2
kernel = 2
[train]
lr = 0.01
epochs = 3
momentum = 0
)";
  const std::string b = R"(
train = { epochs = 3, lr = 1e-2, momentum = 0.0, optimizer = "adam" }
model.residual = "(X+O1)+O2"

[[model.layers]]
depth = 2
angle_scale = 3.14159265358979323846264

[[model.layers]]
kernel = 2
depth = 1

[data]
dataset = "mnist"
)";
  EXPECT_EQ(canonical_of(a), canonical_of(b));
  // ... and a real difference shows.
  EXPECT_NE(canonical_of(a), canonical_of(a + "[trace]\nfull = true\n"));
}

TEST(ConfigCanonical, FloatsAreShortestAndValidToml) {
  using config::detail::toml_float;
  EXPECT_EQ(toml_float(0.01), "0.01");
  EXPECT_EQ(toml_float(1.0), "1.0");
  EXPECT_EQ(toml_float(0.0), "0.0");
  EXPECT_EQ(toml_float(-0.0), "-0.0");
  EXPECT_EQ(toml_float(1e-8), "1e-8");
  EXPECT_EQ(toml_float(2.5e-300), "2.5e-300");
  EXPECT_EQ(toml_float(1e20), "1e20");
  EXPECT_EQ(toml_float(123456.0), "123456.0");
  EXPECT_EQ(toml_float(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(toml_float(3.141592653589793), "3.141592653589793");
  EXPECT_EQ(toml_float(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(toml_float(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(toml_float(std::nan("")), "nan");
}

TEST(ConfigCanonical, FloatsReadBackBitForBit) {
  // Random normal doubles of every magnitude, written and parsed by toml++.
  std::mt19937_64 rng(20240214);
  std::uniform_int_distribution<std::uint64_t> bits;
  int checked = 0;
  while (checked < 20000) {
    const std::uint64_t b = bits(rng);
    double x = 0;
    std::memcpy(&x, &b, sizeof x);
    if (!std::isnormal(x)) continue;
    const std::string text = config::detail::toml_float(x);
    const auto table = toml::parse("v = " + text);
    const double back = table["v"].value_or(0.0);
    ASSERT_EQ(std::memcmp(&back, &x, sizeof x), 0) << text;
    ++checked;
  }
}

TEST(ConfigCanonical, StringsAreEscaped) {
  const std::string nasty = "q\"b\\s\tt\nn\x01u\x7f\xc3\xa9";
  const std::string text = "v = " + config::detail::toml_string(nasty);
  EXPECT_EQ(config::detail::toml_string("a\"b"), "\"a\\\"b\"");
  const auto table = toml::parse(text);
  EXPECT_EQ(table["v"].value_or(std::string()), nasty);
}

TEST(ConfigCanonical, SeedsBeyondTomlIntegersAreRefused) {
  config::RunConfig c = parse_run_config("", "d");
  c.train.seed = std::uint64_t{1} << 63;
  EXPECT_THROW(canonical_toml(c), UsageError);
  c.train.seed = (std::uint64_t{1} << 63) - 1;
  EXPECT_EQ(canonical_of(canonical_toml(c)), canonical_toml(c));
}

TEST(ConfigFlatten, OneEntryPerCanonicalLeafInOrder) {
  const auto c = parse_run_config(
      "[data]\nclasses = [0, 1]\n[model]\ndepths = [4, 1]\nresidual = \"(X+O1)+O2\"\n", "t.toml");
  const auto flat = config::flatten(c);
  std::map<std::string, std::string> values(flat.begin(), flat.end());
  ASSERT_EQ(values.size(), flat.size()) << "duplicate keys";
  EXPECT_EQ(flat.front().first, "data.dataset");
  EXPECT_EQ(flat.back().first, "output.path");
  EXPECT_EQ(values.at("data.dataset"), "mnist");
  EXPECT_EQ(values.at("data.classes"), "[0, 1]");
  EXPECT_EQ(values.at("model.depths"), "[4, 1]");
  EXPECT_EQ(values.at("model.residual"), "(X+O1)+O2");
  EXPECT_EQ(values.at("model.layers[1].kernel"), "2");
  EXPECT_EQ(values.at("model.layers[0].angle_scale"), "3.141592653589793");
  EXPECT_EQ(values.at("train.lr"), config::detail::toml_float(train::OptimizerOptions{}.lr));
  EXPECT_EQ(values.at("trace.full"), "false");

  // Every schema key appears (tables by their leaves; depth via model.depths).
  std::set<std::string> expected;
  for (const auto& t : config::detail::schema()) {
    for (const auto& k : t.keys) {
      if (t.path.empty() || k == "quanv" || k == "layers" || k == "head") continue;
      if (t.path == "model.quanv") continue;  // written per layer
      if (t.path == "model.layers[]") {
        if (k == "depth") continue;  // written as model.depths
        for (int i = 0; i < 2; ++i) {
          expected.insert("model.layers[" + std::to_string(i) + "]." + k);
        }
        continue;
      }
      expected.insert(std::string(t.path) + "." + k);
    }
  }
  std::set<std::string> got;
  for (const auto& [k, v] : flat) got.insert(k);
  EXPECT_EQ(got, expected);

  // The flattened keys and values are valid overrides: applying them all to
  // the defaults' table rebuilds the same config.
  toml::table table = config::to_table(config::RunConfig{});
  for (const auto& [k, v] : flat) config::apply_override(table, k + "=" + v);
  EXPECT_EQ(canonical_toml(config::from_table(table, "flat")), canonical_toml(c));
}

}  // namespace
