// Editing configs as TOML tables, as sweeps do: set_dotted, apply_override,
// from_table on edited tables, parse_toml's syntax errors.
#include "resqunn/config/toml.hpp"
#include "resqunn/core/error.hpp"

#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <functional>
#include <string>

namespace {

using namespace resqunn;
using config::from_table;
using config::set_dotted;

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ConfigToml, SetDottedCreatesTablesAndReplacesValues) {
  toml::table t;
  set_dotted(t, "train.lr", toml::value<double>(0.5));
  set_dotted(t, "model.quanv.kernel", toml::value<std::int64_t>(3));
  set_dotted(t, "model.depths", toml::array{2, 2, 1});
  set_dotted(t, "model.residual", toml::value<std::string>("X+O1+O2"));
  set_dotted(t, "data.image_size", toml::value<std::int64_t>(28));  // three 3x3 windows fit
  set_dotted(t, "train.lr", toml::value<double>(0.25));             // replaces
  const auto c = from_table(t, "edited");
  EXPECT_EQ(c.train.optimizer.lr, 0.25);
  ASSERT_EQ(c.model.layers.size(), 3u);
  EXPECT_EQ(c.model.layers[2].kernel, 3);
  EXPECT_EQ(c.model.layers[0].depth, 2);
  EXPECT_EQ(c.model.residual, "X+O1+O2");
}

TEST(ConfigToml, SetDottedReachesIntoArraysOfTables) {
  toml::table t = config::to_table(config::RunConfig{});
  set_dotted(t, "model.layers[1].kernel", toml::value<std::int64_t>(3));
  set_dotted(t, "model.layers[0].encoding", toml::value<std::string>("amplitude"));
  const auto c = from_table(t, "edited");
  EXPECT_EQ(c.model.layers[0].kernel, 2);
  EXPECT_EQ(c.model.layers[0].encoding, quantum::Encoding::amplitude);
  EXPECT_EQ(c.model.layers[1].kernel, 3);
  // Replacing a whole element.
  set_dotted(t, "model.layers[1]", toml::table{{"kernel", 1}});
  EXPECT_EQ(from_table(t, "edited").model.layers[1].kernel, 1);
}

TEST(ConfigToml, SetDottedRefusesBadPaths) {
  toml::table t = config::to_table(config::RunConfig{});
  EXPECT_NE(message_of([&] {
              set_dotted(t, "train.lr.x", toml::value<double>(1));
            }).find("'train.lr' is a value, not a table"),
            std::string::npos);
  EXPECT_NE(message_of([&] {
              set_dotted(t, "model.layers[2].kernel", toml::value<double>(1));
            }).find("'model.layers[2]' does not exist ('model.layers' has 2 elements)"),
            std::string::npos);
  EXPECT_NE(message_of([&] {
              set_dotted(t, "train[0]", toml::value<double>(1));
            }).find("'train' is not an array"),
            std::string::npos);
  for (const char* bad : {"", "train.", ".lr", "train..lr", "train.l r", "layers[x]", "a[1"}) {
    EXPECT_NE(
        message_of([&] { set_dotted(t, bad, toml::value<double>(1)); }).find("bad config key"),
        std::string::npos)
        << bad;
  }
}

TEST(ConfigToml, EditedValuesAreValidatedWithoutPositions) {
  toml::table t = config::parse_toml("[train]\nlr = 0.1\n", "base.toml");
  set_dotted(t, "train.epochs", toml::value<std::int64_t>(0));
  EXPECT_NE(message_of([&] {
              from_table(t, "base.toml + point 7");
            }).find("base.toml + point 7: train.epochs: 0 is out of range"),
            std::string::npos);
  // Values that came from the file keep their position.
  set_dotted(t, "train.epochs", toml::value<std::int64_t>(1));
  set_dotted(t, "train.kernel", toml::value<std::int64_t>(1));
  EXPECT_NE(
      message_of([&] { from_table(t, "base.toml"); }).find("base.toml: train.kernel: unknown key"),
      std::string::npos);
  // Tables from to_table carry no positions at all.
  toml::table v = config::to_table(config::RunConfig{});
  set_dotted(v, "model.depths", toml::array{1, 1, 1});
  set_dotted(v, "model.seed", toml::value<std::int64_t>(-3));
  EXPECT_NE(
      message_of([&] { from_table(v, "point 3"); }).find("point 3: model.depths: has 3 entries"),
      std::string::npos);
  toml::table u = config::parse_toml("[train]\nlr = -1\n", "base.toml");
  EXPECT_NE(message_of([&] { from_table(u, "base.toml"); }).find("base.toml:2:6: train.lr:"),
            std::string::npos);
}

TEST(ConfigToml, ApplyOverrideReadsTomlValuesOrBareStrings) {
  toml::table t;
  config::apply_override(t, "train.lr=0.05");
  config::apply_override(t, " train.epochs = 7 ");
  config::apply_override(t, "trace.full=true");
  config::apply_override(t, "model.depths=[1, 1]");
  config::apply_override(t, "model.residual=(X+O1)+O2");
  config::apply_override(t, "data.dataset=fashion-mnist");
  config::apply_override(t, "output.path=\"with spaces.h5\"");
  config::apply_override(t, "output.path=sweep/run.h5");
  const auto c = from_table(t, "overrides");
  EXPECT_EQ(c.train.optimizer.lr, 0.05);
  EXPECT_EQ(c.train.epochs, 7);
  EXPECT_TRUE(c.trace.full);
  EXPECT_EQ(c.model.layers.size(), 2u);
  EXPECT_EQ(c.model.residual, "(X+O1)+O2");
  EXPECT_EQ(c.data.dataset, "fashion-mnist");
  EXPECT_EQ(c.output.path, "sweep/run.h5");
  // A value spanning lines cannot smuggle in other keys.
  config::apply_override(t, "output.path=1\ntrain.lr = 2");
  EXPECT_EQ(t["output"]["path"].value_or(std::string()), "1\ntrain.lr = 2");
  EXPECT_NE(message_of([&] { config::apply_override(t, "train.lr"); }).find("has no '='"),
            std::string::npos);
}

TEST(ConfigToml, SyntaxErrorsCarryThePosition) {
  const std::string m = message_of([] { config::parse_toml("a = 1\n[b\nc = 2\n", "s.toml"); });
  EXPECT_NE(m.find("s.toml:2:"), std::string::npos) << m;
  EXPECT_NE(m.find("invalid TOML"), std::string::npos) << m;
}

}  // namespace
