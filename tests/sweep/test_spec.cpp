// Sweep specs that are valid: the order points come in (grid, zip, explicit
// points), base files and [base] overrides, nested axes, values that are
// arrays or tables, ids, override strings and the digest.
#include "resqunn/config/toml.hpp"
#include "resqunn/sweep/spec.hpp"

#include "resqunn_source_paths.hpp"
#include "sweep_test_support.hpp"
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <set>
#include <string>
#include <vector>

namespace {

using namespace resqunn;
using sweep::SweepSpec;
using Strings = std::vector<std::string>;

class SweepSpecTest : public sweep::testing::SweepDir {};

TEST_F(SweepSpecTest, GridVariesTheFirstAxisSlowest) {
  const auto s = parse(R"(
[sweep]
name = "grid"
[axes]
"model.residual" = ["none", "X+O1"]
"train.seed" = [1, 2, 3]
)");
  EXPECT_EQ(s.name, "grid");
  EXPECT_EQ(s.combine, "grid");
  EXPECT_EQ(s.output, "grid.h5");
  EXPECT_EQ(s.axis_keys, (Strings{"model.residual", "train.seed"}));
  ASSERT_EQ(s.points.size(), 6u);
  EXPECT_EQ(s.axis_points, 6u);
  const std::vector<Strings> expected = {
      {"model.residual=none", "train.seed=1"}, {"model.residual=none", "train.seed=2"},
      {"model.residual=none", "train.seed=3"}, {"model.residual=X+O1", "train.seed=1"},
      {"model.residual=X+O1", "train.seed=2"}, {"model.residual=X+O1", "train.seed=3"}};
  EXPECT_EQ(s.overrides, expected);
  EXPECT_EQ(s.points[4].config.model.residual, "X+O1");
  EXPECT_EQ(s.points[4].config.train.seed, 2u);
}

TEST_F(SweepSpecTest, AxesKeepTheirOrderInTheFileNotAlphabetical) {
  const auto s = parse(R"(
[sweep]
name = "order"
[axes]
train.seed = [1, 2]
data.seed = [5, 6]
"model.residual" = ["none", "X+O1"]
)");
  EXPECT_EQ(s.axis_keys, (Strings{"train.seed", "data.seed", "model.residual"}));
  ASSERT_EQ(s.points.size(), 8u);
  EXPECT_EQ(s.overrides[1], (Strings{"train.seed=1", "data.seed=5", "model.residual=X+O1"}));
  EXPECT_EQ(s.overrides[2], (Strings{"train.seed=1", "data.seed=6", "model.residual=none"}));
  EXPECT_EQ(s.overrides[4], (Strings{"train.seed=2", "data.seed=5", "model.residual=none"}));
}

TEST_F(SweepSpecTest, ZipTakesTheIthValuesTogether) {
  const auto s = parse(R"(
[sweep]
name = "zip"
combine = "zip"
[axes]
train.lr = [0.1, 0.01, 0.001]
train.epochs = [1, 2, 3]
)");
  ASSERT_EQ(s.points.size(), 3u);
  EXPECT_EQ(s.overrides[0], (Strings{"train.lr=0.1", "train.epochs=1"}));
  EXPECT_EQ(s.overrides[2], (Strings{"train.lr=0.001", "train.epochs=3"}));
  EXPECT_DOUBLE_EQ(s.points[1].config.train.optimizer.lr, 0.01);
  EXPECT_EQ(s.points[1].config.train.epochs, 2);
}

TEST_F(SweepSpecTest, ExplicitPointsFollowTheAxisPoints) {
  const auto s = parse(R"(
[sweep]
name = "mixed"
[base]
train.epochs = 2
[axes]
"model.residual" = ["none", "X+O1"]
[[points]]
"model.residual" = "O1+O2"
"model.depths" = [4, 4]
[[points]]
[points.train]
epochs = 7
)");
  ASSERT_EQ(s.points.size(), 4u);
  EXPECT_EQ(s.axis_points, 2u);
  EXPECT_EQ(s.overrides[2], (Strings{"model.residual=O1+O2", "model.depths=[4, 4]"}));
  EXPECT_EQ(s.overrides[3], (Strings{"train.epochs=7"}));
  // Explicit points apply over [base], not over an axis value.
  EXPECT_EQ(s.points[2].config.model.residual, "O1+O2");
  EXPECT_EQ(s.points[2].config.model.layers[0].depth, 4);
  EXPECT_EQ(s.points[2].config.train.epochs, 2);
  EXPECT_EQ(s.points[3].config.model.residual, "none");
  EXPECT_EQ(s.points[3].config.train.epochs, 7);
}

TEST_F(SweepSpecTest, WithoutAxesThePointsAreTheExplicitOnes) {
  const auto s = parse(R"(
[sweep]
name = "explicit"
[[points]]
train.seed = 1
[[points]]
train.seed = 2
)");
  ASSERT_EQ(s.points.size(), 2u);
  EXPECT_EQ(s.axis_points, 0u);
  EXPECT_TRUE(s.axis_keys.empty());
}

TEST_F(SweepSpecTest, WithNeitherAxesNorPointsTheBaseIsThePoint) {
  const auto s = parse("[sweep]\nname = \"one\"\n[base]\ntrain.epochs = 1\n");
  ASSERT_EQ(s.points.size(), 1u);
  EXPECT_TRUE(s.overrides[0].empty());
  EXPECT_EQ(sweep::describe_overrides(s.overrides[0]), "base");
  EXPECT_EQ(s.points[0].config.train.epochs, 1);
}

TEST_F(SweepSpecTest, BaseFileIsRelativeToTheSpecAndBaseTableOverridesIt) {
  write("configs/run.toml", R"(
[data]
train = 500
[model]
depths = [2, 1]
residual = "X+O1"
[train]
epochs = 5
lr = 0.1
[output]
path = "elsewhere.h5"
)");
  const auto file = write("sweeps/s.toml", R"(
[sweep]
name = "based"
base = "../configs/run.toml"
output = "results/based.hdf5"
[base]
train.epochs = 3
[base.model.quanv]
stride = 1
[axes]
train.seed = [1, 2]
)");
  const auto s = sweep::load_sweep(file);
  EXPECT_EQ(s.source, file.string());
  EXPECT_EQ(s.base, (dir_ / "configs/run.toml").string());
  EXPECT_NE(s.base_text.find("elsewhere.h5"), std::string::npos);
  EXPECT_NE(s.text.find("name = \"based\""), std::string::npos);
  EXPECT_EQ(s.output, "results/based.hdf5");
  ASSERT_EQ(s.points.size(), 2u);
  for (const auto& p : s.points) {
    EXPECT_EQ(p.config.data.train, 500);                 // base file
    EXPECT_EQ(p.config.model.residual, "X+O1");          // base file
    EXPECT_DOUBLE_EQ(p.config.train.optimizer.lr, 0.1);  // base file
    EXPECT_EQ(p.config.train.epochs, 3);                 // [base]
    EXPECT_EQ(p.config.model.layers[1].stride, 1);       // [base], nested table
    EXPECT_EQ(p.config.output.path, "run.h5");           // never part of a point
  }
}

TEST_F(SweepSpecTest, NestedAxesTablesMakeDottedKeys) {
  const auto s = parse(R"(
[sweep]
name = "nested"
[axes.train]
seed = [1, 2]
[axes.model.quanv]
stride = [1, 2]
)");
  EXPECT_EQ(s.axis_keys, (Strings{"train.seed", "model.quanv.stride"}));
  ASSERT_EQ(s.points.size(), 4u);
  EXPECT_EQ(s.points[2].config.train.seed, 2u);
  EXPECT_EQ(s.points[2].config.model.layers[0].stride, 1);
}

TEST_F(SweepSpecTest, ValuesMayBeArrays) {
  const auto s = parse(R"(
[sweep]
name = "arrays"
[axes]
model.depths = [[1, 1], [4, 1], [2, 2, 2]]
data.classes = [[3, 5]]
train.seed = [1, 2]
)");
  ASSERT_EQ(s.points.size(), 6u);
  EXPECT_EQ(s.overrides[0],
            (Strings{"model.depths=[1, 1]", "data.classes=[3, 5]", "train.seed=1"}));
  EXPECT_EQ(s.points[2].config.model.layers[0].depth, 4);
  EXPECT_EQ(s.points[4].config.model.layers.size(), 3u);
  EXPECT_EQ(s.points[5].config.data.classes, (std::vector<int>{3, 5}));
}

TEST_F(SweepSpecTest, TableValuesSetSeveralKeysTogether) {
  const auto s = parse(R"(
[sweep]
name = "linked"
[axes]
train = [{ lr = 0.1, epochs = 2 }, { lr = 0.01, epochs = 4 }]
model.residual = ["none", "X+O1"]
)");
  EXPECT_EQ(s.axis_keys, (Strings{"train", "model.residual"}));
  ASSERT_EQ(s.points.size(), 4u);
  EXPECT_EQ(s.overrides[2], (Strings{"train.lr=0.01", "train.epochs=4", "model.residual=none"}));
  EXPECT_DOUBLE_EQ(s.points[2].config.train.optimizer.lr, 0.01);
  EXPECT_EQ(s.points[2].config.train.epochs, 4);
  EXPECT_EQ(s.points[2].config.train.batch_size, 32);  // the rest of [train] is kept
}

TEST_F(SweepSpecTest, IdsAreTheIdsOfThePointConfigs) {
  const auto s = parse(R"(
[sweep]
name = "ids"
[axes]
train.seed = [1, 2, 3]
)");
  std::set<std::string> ids;
  for (const auto& p : s.points) {
    EXPECT_EQ(p.id.size(), 16u);
    EXPECT_EQ(p.id, runner::make_point(p.config).id);
    ids.insert(p.id);
  }
  EXPECT_EQ(ids.size(), 3u);
  // The same configuration spelled in a run config: the same id.
  auto c = config::parse_run_config("[train]\nseed = 2\n[output]\npath = \"x.h5\"\n", "c.toml");
  c.output = {};
  EXPECT_EQ(runner::make_point(c).id, s.points[1].id);
}

TEST_F(SweepSpecTest, OverrideStringsReproduceThePoints) {
  write("base.toml", "[model]\ndepths = [1, 1]\n[train]\nepochs = 2\n");
  const auto file = write("s.toml", R"(
[sweep]
name = "round-trip"
base = "base.toml"
[axes]
"model.residual" = ["none", "(X+O1)+O2", "O1+O2"]
data.seed = [1, 2]
train = [{ lr = 1e-2, optimizer = "sgd" }, { lr = 5e-3 }]
"model.layers" = [[{ depth = 1, kernel = 2 }, { depth = 1, stride = 1 }]]
trace.full = [true]
)");
  const auto s = sweep::load_sweep(file);
  ASSERT_EQ(s.points.size(), 12u);
  const toml::table base =
      config::parse_toml("[model]\ndepths = [1, 1]\n[train]\nepochs = 2\n", "b");
  for (std::size_t i = 0; i < s.points.size(); ++i) {
    toml::table t = base;
    for (const auto& o : s.overrides[i]) config::apply_override(t, o);
    auto c = config::from_table(t, "replayed");
    EXPECT_EQ(runner::make_point(c).id, s.points[i].id)
        << sweep::describe_overrides(s.overrides[i]);
  }
  EXPECT_EQ(s.overrides[0].back(), "trace.full=true");
  EXPECT_EQ(s.overrides[0].at(4),
            "model.layers=[{depth = 1, kernel = 2}, {depth = 1, stride = 1}]");
}

TEST_F(SweepSpecTest, DigestIgnoresFormattingButNotPoints) {
  const auto a = parse(R"(
[sweep]
name = "d"
[axes]
"model.residual" = ["none", "X+O1"]
train.seed = [1, 2]
)");
  // Comments, quoting, nested tables, another name, floats written otherwise:
  // the same points in the same order.
  const auto b = parse(R"(# a comment
[sweep]   # another
name = "renamed"
combine = "grid"
[axes.model]
residual = [ 'none',
             "X+O1" ]   # trailing comment
[axes.train]
seed = [1, 2]
[base]
train.lr = 5e-3   # the default, spelled otherwise
)");
  const auto c = parse(R"(
[sweep]
name = "d"
[axes]
"model.residual" = ["none", "X+O1"]
train.seed = [1, 3]
)");
  const auto d = parse(R"(
[sweep]
name = "d"
[axes]
train.seed = [1, 2]
"model.residual" = ["none", "X+O1"]
)");
  EXPECT_EQ(sweep::spec_digest(a).size(), 64u);
  EXPECT_EQ(sweep::spec_digest(a), sweep::spec_digest(b));
  EXPECT_NE(sweep::spec_digest(a), sweep::spec_digest(c));  // another value
  EXPECT_NE(sweep::spec_digest(a), sweep::spec_digest(d));  // another order
  EXPECT_EQ(sweep::spec_digest(a), sweep::spec_digest(parse(a.text)));
}

TEST_F(SweepSpecTest, GridsFollowTheAxesEachWithItsOwnOverridesAndCombine) {
  const auto s = parse(R"(
[sweep]
name = "studies"
[base]
train.epochs = 2
[axes]
"model.residual" = ["none", "X+O1"]
[[grids]]
name = "deep"
[grids.base]
"model.depths" = [3, 1]
train.epochs = 3
[grids.axes]
"model.seed" = [1, 2]
"train.seed" = [5, 6]
[[grids]]
name = "lr"
combine = "zip"
[grids.axes]
train.lr = [0.1, 0.01]
train.seed = [7, 8]
[[points]]
train.seed = 9
)");
  ASSERT_EQ(s.points.size(), 9u);
  EXPECT_EQ(s.axis_points, 2u);
  EXPECT_EQ(s.axis_keys, (Strings{"model.residual"}));
  EXPECT_EQ(s.grids, (Strings{"", "", "deep", "deep", "deep", "deep", "lr", "lr", ""}));
  ASSERT_EQ(s.grid_infos.size(), 2u);
  EXPECT_EQ(s.grid_infos[0].name, "deep");
  EXPECT_EQ(s.grid_infos[0].combine, "grid");
  EXPECT_EQ(s.grid_infos[0].axis_keys, (Strings{"model.seed", "train.seed"}));
  EXPECT_EQ(s.grid_infos[1].combine, "zip");
  // A grid's own overrides come first in its points' overrides, then its
  // axes (first axis slowest); they apply over [base], not over [axes].
  EXPECT_EQ(s.overrides[2],
            (Strings{"model.depths=[3, 1]", "train.epochs=3", "model.seed=1", "train.seed=5"}));
  EXPECT_EQ(s.overrides[3],
            (Strings{"model.depths=[3, 1]", "train.epochs=3", "model.seed=1", "train.seed=6"}));
  EXPECT_EQ(s.overrides[4],
            (Strings{"model.depths=[3, 1]", "train.epochs=3", "model.seed=2", "train.seed=5"}));
  EXPECT_EQ(s.points[5].config.model.layers[0].depth, 3);
  EXPECT_EQ(s.points[5].config.model.residual, "none");
  EXPECT_EQ(s.points[5].config.train.epochs, 3);
  EXPECT_EQ(s.overrides[7], (Strings{"train.lr=0.01", "train.seed=8"}));
  EXPECT_EQ(s.points[7].config.train.epochs, 2);  // [base] only
  EXPECT_EQ(s.overrides[8], (Strings{"train.seed=9"}));
}

TEST_F(SweepSpecTest, GridsAloneMakeTheSweep) {
  const auto s = parse(R"(
[sweep]
name = "only-grids"
[[grids]]
name = "a"
[grids.axes]
train.seed = [1, 2]
)");
  EXPECT_EQ(s.points.size(), 2u);
  EXPECT_EQ(s.axis_points, 0u);
  EXPECT_TRUE(s.axis_keys.empty());
  EXPECT_EQ(s.grids, (Strings{"a", "a"}));
}

TEST_F(SweepSpecTest, ShippedExamplesExpand) {
  const std::filesystem::path dir = RESQUNN_EXAMPLES_DIR;
  const auto s = sweep::load_sweep(dir / "sweep_quickstart.toml");
  EXPECT_GE(s.points.size(), 2u);
  EXPECT_LE(s.points.size(), 8u);
  EXPECT_EQ(s.axis_keys, (Strings{"model.residual"}));
  for (const auto& p : s.points) EXPECT_LE(p.config.train.epochs, 3);
  // Every shipped spec (a file with a [sweep] table) expands.
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const auto name = entry.path().filename().string();
    const toml::table doc = toml::parse_file(entry.path().string());
    if (doc.contains("sweep")) {
      EXPECT_NO_THROW(sweep::load_sweep(entry.path())) << name;
    }
  }
}

// The paper study (issue: reproduce arXiv:2402.09146): every residual
// wiring, both heads, trainable and frozen, both gradient modes, at least
// three seeds, two and three layers.
TEST_F(SweepSpecTest, PaperSweepCoversThePapersExperimentSet) {
  const auto s = sweep::load_sweep(std::filesystem::path(RESQUNN_EXAMPLES_DIR) / "paper.toml");
  std::set<std::string> residual2, residual3, heads, modes;
  std::set<bool> trainable;
  std::set<unsigned long long> seeds;
  for (const auto& p : s.points) {
    const auto& m = p.config.model;
    (m.layers.size() == 2 ? residual2 : residual3).insert(m.residual);
    heads.insert(m.head.kind == model::HeadKind::dense ? "dense" : "quantum");
    modes.insert(m.gradient_mode == model::GradientMode::full ? "full" : "barrier");
    trainable.insert(m.layers[0].trainable);
    seeds.insert(m.seed);
    EXPECT_EQ(p.config.data.dataset, "mnist");
    EXPECT_EQ(m.layers[0].depth, 4);
    EXPECT_EQ(m.layers[1].depth, 1);
    EXPECT_EQ(m.layers[0].kernel, 2);
    EXPECT_EQ(m.layers[0].ansatz, quantum::Ansatz::paper);
    EXPECT_EQ(m.layers[0].encoding, quantum::Encoding::angle);
  }
  EXPECT_EQ(residual2, (std::set<std::string>{"none", "X+O1", "X+O2", "O1+O2", "(X+O1)+O2"}));
  EXPECT_GE(residual3.size(), 3u);
  EXPECT_EQ(heads, (std::set<std::string>{"dense", "quantum"}));
  EXPECT_EQ(modes, (std::set<std::string>{"barrier", "full"}));
  EXPECT_EQ(trainable, (std::set<bool>{false, true}));
  EXPECT_GE(seeds.size(), 3u);
}

}  // namespace
