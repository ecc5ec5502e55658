// Parsing valid configs: a file with every key set, the defaults, per-layer
// overrides, the shipped examples, and reading from disk.
#include "resqunn/config/run_config.hpp"
#include "resqunn/core/error.hpp"

#include "resqunn_source_paths.hpp"
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

using namespace resqunn;
using config::parse_run_config;

// Every key, none at its default.
constexpr const char* kFull = R"(
[data]
dataset = "fashion-mnist"
image_size = 7
classes = [3, 0, 8]
train = 600
validation = 120
seed = 11

[model]
depths = [3, 2, 1]
residual = "X+O1;X+O3"
gradient_mode = "full"
seed = 12

[model.quanv]
kernel = 3
stride = 1
padding = "same"
encoding = "amplitude"
angle_axis = "rx"
angle_scale = 1.5
ansatz = "strongly-entangling"
trainable = false
channel_mode = "stack"
evaluator = "compiled"

[model.head]
type = "quantum"
ansatz = "basic-entangler"
depth = 5
evaluator = "statevector"

[train]
optimizer = "sgd"
lr = 0.25
beta1 = 0.5
beta2 = 0.75
eps = 1e-6
momentum = 0.875
batch_size = 17
epochs = 9
seed = 13

[trace]
full = true

[output]
path = "out/full.h5"
)";

TEST(ConfigParse, EveryKeyReachesItsField) {
  const auto c = parse_run_config(kFull, "full.toml");
  EXPECT_EQ(c.data.dataset, "fashion-mnist");
  EXPECT_EQ(c.data.image_size, 7);
  EXPECT_EQ(c.data.classes, (std::vector<int>{3, 0, 8}));
  EXPECT_EQ(c.data.train, 600);
  EXPECT_EQ(c.data.validation, 120);
  EXPECT_EQ(c.data.seed, 11u);

  ASSERT_EQ(c.model.layers.size(), 3u);
  const int depths[] = {3, 2, 1};
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& q = c.model.layers[i];
    SCOPED_TRACE("layer " + std::to_string(i));
    EXPECT_EQ(q.depth, depths[i]);
    EXPECT_EQ(q.kernel, 3);
    EXPECT_EQ(q.stride, 1);
    EXPECT_EQ(q.padding, model::Padding::same);
    EXPECT_EQ(q.encoding, quantum::Encoding::amplitude);
    EXPECT_EQ(q.angle_axis, quantum::GateKind::rx);
    EXPECT_EQ(q.angle_scale, 1.5);
    EXPECT_EQ(q.ansatz, quantum::Ansatz::strongly_entangling);
    EXPECT_FALSE(q.trainable);
    EXPECT_EQ(q.channel_mode, model::ChannelMode::stack);
    EXPECT_EQ(q.evaluator, quantum::Evaluator::compiled);
  }
  EXPECT_EQ(c.model.residual, "X+O1;X+O3");
  EXPECT_EQ(c.model.gradient_mode, model::GradientMode::full);
  EXPECT_EQ(c.model.seed, 12u);
  EXPECT_EQ(c.model.head.kind, model::HeadKind::quantum);
  EXPECT_EQ(c.model.head.ansatz, quantum::Ansatz::basic_entangler);
  EXPECT_EQ(c.model.head.depth, 5);
  EXPECT_EQ(c.model.head.evaluator, quantum::Evaluator::statevector);

  EXPECT_EQ(c.train.optimizer.kind, train::OptimizerKind::sgd);
  EXPECT_EQ(c.train.optimizer.lr, 0.25);
  EXPECT_EQ(c.train.optimizer.beta1, 0.5);
  EXPECT_EQ(c.train.optimizer.beta2, 0.75);
  EXPECT_EQ(c.train.optimizer.eps, 1e-6);
  EXPECT_EQ(c.train.optimizer.momentum, 0.875);
  EXPECT_EQ(c.train.batch_size, 17);
  EXPECT_EQ(c.train.epochs, 9);
  EXPECT_EQ(c.train.seed, 13u);
  EXPECT_TRUE(c.trace.full);
  EXPECT_EQ(c.output.path, "out/full.h5");
}

TEST(ConfigParse, AnEmptyFileIsTheDefaults) {
  const auto c = parse_run_config("", "empty.toml");
  const config::RunConfig defaults;
  EXPECT_EQ(c.data.dataset, "mnist");
  EXPECT_EQ(c.data.image_size, 14);
  EXPECT_TRUE(c.data.classes.empty());
  EXPECT_EQ(c.data.train, 1000);
  EXPECT_EQ(c.data.validation, 250);
  // The default model: two layers of depths 4 and 1, no residual.
  ASSERT_EQ(c.model.layers.size(), 2u);
  EXPECT_EQ(c.model.layers[0].depth, 4);
  EXPECT_EQ(c.model.layers[1].depth, 1);
  EXPECT_EQ(c.model.layers[0].kernel, model::QuanvSpec{}.kernel);
  EXPECT_EQ(c.model.layers[1].angle_scale, model::QuanvSpec{}.angle_scale);
  EXPECT_EQ(c.model.residual, "none");
  EXPECT_EQ(c.model.gradient_mode, model::GradientMode::barrier);
  EXPECT_EQ(c.model.head.kind, model::HeadKind::dense);
  EXPECT_EQ(c.train.optimizer.kind, train::OptimizerKind::adam);
  EXPECT_EQ(c.train.optimizer.lr, defaults.train.optimizer.lr);
  EXPECT_EQ(c.train.optimizer.eps, 1e-8);
  EXPECT_EQ(c.train.batch_size, 32);
  EXPECT_EQ(c.train.epochs, 5);
  EXPECT_FALSE(c.trace.full);
  EXPECT_EQ(c.output.path, "run.h5");
  // Present but empty tables change nothing either.
  EXPECT_EQ(config::canonical_toml(parse_run_config("[data]\n[model]\n[model.quanv]\n[train]\n"
                                                    "[trace]\n[output]\n",
                                                    "tables.toml")),
            config::canonical_toml(c));
}

TEST(ConfigParse, LayerTablesOverrideTheSharedSettings) {
  const auto c = parse_run_config(R"(
[model]
depths = [2, 1]
residual = "X+O1"
[model.quanv]
stride = 1
ansatz = "basic-entangler"
[[model.layers]]
kernel = 3
encoding = "amplitude"
[[model.layers]]
depth = 1
channel_mode = "pool"
evaluator = "statevector"
)",
                                  "layers.toml");
  ASSERT_EQ(c.model.layers.size(), 2u);
  const auto& a = c.model.layers[0];
  const auto& b = c.model.layers[1];
  EXPECT_EQ(a.depth, 2);  // from model.depths
  EXPECT_EQ(a.kernel, 3);
  EXPECT_EQ(a.encoding, quantum::Encoding::amplitude);
  EXPECT_EQ(a.stride, 1);  // shared
  EXPECT_EQ(a.ansatz, quantum::Ansatz::basic_entangler);
  EXPECT_EQ(a.channel_mode, model::ChannelMode::mean);
  EXPECT_EQ(b.depth, 1);
  EXPECT_EQ(b.kernel, 2);
  EXPECT_EQ(b.stride, 1);
  EXPECT_EQ(b.ansatz, quantum::Ansatz::basic_entangler);
  EXPECT_EQ(b.channel_mode, model::ChannelMode::pool);
  EXPECT_EQ(a.evaluator, quantum::Evaluator::automatic);  // the default
  EXPECT_EQ(b.evaluator, quantum::Evaluator::statevector);

  // Without model.depths each layer table gives its own depth.
  const auto d = parse_run_config(
      "[[model.layers]]\ndepth = 3\n[[model.layers]]\ndepth = 2\n"
      "[[model.layers]]\ndepth = 1\n",
      "depths.toml");
  ASSERT_EQ(d.model.layers.size(), 3u);
  EXPECT_EQ(d.model.layers[0].depth, 3);
  EXPECT_EQ(d.model.layers[2].depth, 1);
}

TEST(ConfigParse, IntegersAreAcceptedWhereFloatsAreExpected) {
  const auto c = parse_run_config("[train]\nlr = 1\nmomentum = 0\n", "t.toml");
  EXPECT_EQ(c.train.optimizer.lr, 1.0);
  EXPECT_EQ(c.train.optimizer.momentum, 0.0);
}

TEST(ConfigParse, InlineTablesAndDottedKeysAreTheSameAsSections) {
  const auto a =
      parse_run_config("train = { lr = 0.5, epochs = 3 }\nmodel.quanv.stride = 1\n", "inline.toml");
  EXPECT_EQ(a.train.optimizer.lr, 0.5);
  EXPECT_EQ(a.train.epochs, 3);
  EXPECT_EQ(a.model.layers[0].stride, 1);
}

TEST(ConfigParse, TheShippedExamplesAreValid) {
  const std::filesystem::path dir = RESQUNN_EXAMPLES_DIR;
  const auto quick = config::load_run_config(dir / "quickstart.toml");
  ASSERT_EQ(quick.model.layers.size(), 2u);
  EXPECT_EQ(quick.model.layers[0].depth, 1);
  EXPECT_EQ(quick.model.layers[1].depth, 1);
  EXPECT_EQ(quick.model.residual, "(X+O1)+O2");
  EXPECT_EQ(quick.data.image_size, 14);
  // QCL1 halves the image; QCL2 keeps it (stride 1, same padding).
  EXPECT_EQ(quick.model.layers[0].stride, 2);
  EXPECT_EQ(quick.model.layers[1].stride, 1);
  EXPECT_EQ(quick.model.layers[1].padding, model::Padding::same);

  const auto paper = config::load_run_config(dir / "paper_base.toml");
  ASSERT_EQ(paper.model.layers.size(), 2u);
  EXPECT_EQ(paper.model.layers[0].depth, 4);
  EXPECT_EQ(paper.model.layers[1].depth, 1);
  EXPECT_EQ(paper.model.layers[0].ansatz, quantum::Ansatz::paper);
  EXPECT_EQ(paper.model.layers[0].encoding, quantum::Encoding::angle);
  EXPECT_EQ(paper.model.residual, "(X+O1)+O2");
  EXPECT_EQ(paper.model.head.kind, model::HeadKind::dense);
  EXPECT_EQ(paper.data.dataset, "mnist");
  EXPECT_EQ(paper.data.image_size, 14);
  EXPECT_EQ(paper.model.layers[1].stride, 1);
  EXPECT_EQ(paper.model.layers[1].padding, model::Padding::same);
}

class TempFile {
public:
  explicit TempFile(const std::string& text)
      : path_(std::filesystem::temp_directory_path() /
              ("resqunn_config_test_" +
               std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".toml")) {
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  const std::filesystem::path& path() const { return path_; }

private:
  std::filesystem::path path_;
};

TEST(ConfigLoad, ErrorsNameTheFileAsGiven) {
  const TempFile file("[train]\nepochs = 0\n");
  try {
    config::load_run_config(file.path());
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find(file.path().string() + ":2:"), std::string::npos)
        << e.what();
  }
}

TEST(ConfigLoad, AMissingFileIsAUsageErrorNamingIt) {
  try {
    config::load_run_config("no/such/config.toml");
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("'no/such/config.toml' does not exist"), std::string::npos)
        << e.what();
  }
  try {
    config::load_run_config(std::filesystem::temp_directory_path());
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("is a directory"), std::string::npos) << e.what();
  }
}

}  // namespace
