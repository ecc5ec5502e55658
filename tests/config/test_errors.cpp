// One row per kind of mistake: each message must say where (source:line:),
// which key, and what would be valid (a suggestion, the type, the range).
#include "resqunn/config/run_config.hpp"
#include "resqunn/core/error.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

struct BadInput {
  const char* name;
  std::string toml;
  /// Substrings the full message (problem and fix) must contain.
  std::vector<std::string> expected;
};

std::ostream& operator<<(std::ostream& os, const BadInput& b) { return os << b.name; }

std::string depths17() {
  std::string s = "[model]\ndepths = [1";
  for (int i = 1; i < 17; ++i) s += ", 1";
  return s + "]\n";
}

const std::vector<BadInput>& bad_inputs() {
  static const std::vector<BadInput> rows = {
      // Unknown keys, with the nearest valid one.
      {"unknown_key_typo",
       "[model.quanv]\nkernal = 3\n",
       {"bad.toml:2:1: model.quanv.kernal: unknown key (did you mean 'kernel'?)",
        "valid keys in [model.quanv]: kernel, stride"}},
      {"unknown_key_in_another_table",
       "[data]\nseed = 1\n\nlr = 0.1\n",
       {"bad.toml:4:1: data.lr: unknown key (did you mean 'train.lr'?)"}},
      {"unknown_table",
       "[trian]\nlr = 0.1\n",
       {"bad.toml:1:2: trian: unknown key (did you mean 'train'?)", "valid top-level tables"}},
      {"depth_in_shared_quanv",
       "[model.quanv]\ndepth = 2\n",
       {"bad.toml:2:1: model.quanv.depth: unknown key", "model.depths"}},
      {"unknown_key_in_layer_table",
       "[[model.layers]]\ndepth = 1\nstrid = 1\n",
       {"bad.toml:3:1: model.layers[0].strid: unknown key (did you mean 'stride'?)"}},
      // Wrong types.
      {"float_for_integer",
       "[model.quanv]\nkernel = 2.0\n",
       {"bad.toml:2:10: model.quanv.kernel: expected an integer, got a float",
        "write 2 (no decimal point)"}},
      {"string_for_number",
       "[train]\nlr = \"fast\"\n",
       {"bad.toml:2:6: train.lr: expected a number, got a string"}},
      {"integer_for_boolean",
       "[trace]\nfull = 1\n",
       {"bad.toml:2:8: trace.full: expected true or false, got an integer"}},
      {"number_for_string",
       "[output]\npath = 3\n",
       {"bad.toml:2:8: output.path: expected a string, got an integer"}},
      {"value_for_table", "data = 3\n", {"bad.toml:1:8: data: expected a table, got an integer"}},
      {"table_for_layers",
       "[model.layers]\nkernel = 2\n",
       {"bad.toml:1:1: model.layers: expected an array of tables", "[[model.layers]]"}},
      {"float_in_integer_array",
       "[model]\ndepths = [4, 1.5]\n",
       {"bad.toml:2:14: model.depths[1]: expected an integer, got a float"}},
      // Out of range.
      {"batch_size_zero",
       "[train]\nbatch_size = 0\n",
       {"bad.toml:2:14: train.batch_size: 0 is out of range; valid: >= 1"}},
      {"epochs_too_many",
       "[train]\nepochs = 100001\n",
       {"bad.toml:2:10: train.epochs: 100001 is out of range; valid: 1..100000"}},
      {"lr_negative",
       "[train]\nlr = -0.1\n",
       {"bad.toml:2:6: train.lr: -0.1 is out of range; valid: > 0"}},
      {"lr_infinite",
       "[train]\nlr = inf\n",
       {"bad.toml:2:6: train.lr: inf is not a finite number"}},
      {"beta1_one",
       "[train]\nbeta1 = 1.0\n",
       {"bad.toml:2:9: train.beta1: 1.0 is out of range; valid: 0 <= beta1 < 1"}},
      {"momentum_negative",
       "[train]\nmomentum = -0.5\n",
       {"bad.toml:2:12: train.momentum:", "0 <= momentum < 1"}},
      {"eps_zero",
       "[train]\neps = 0\n",
       {"bad.toml:2:7: train.eps: 0.0 is out of range; valid: > 0"}},
      {"image_size",
       "[data]\nimage_size = 21\n",
       {"bad.toml:2:14: data.image_size: 21 is not a supported size; valid: 28, 14 or 7"}},
      {"train_count_zero",
       "[data]\ntrain = 0\n",
       {"bad.toml:2:9: data.train: 0 is out of range; valid: >= 1"}},
      {"negative_seed",
       "[model]\nseed = -1\n",
       {"bad.toml:2:8: model.seed: -1 is out of range; valid: >= 0"}},
      {"class_out_of_range",
       "[data]\nclasses = [0,\n  10]\n",
       {"bad.toml:3:3: data.classes[1]: 10 is out of range; valid: 0..9"}},
      {"class_twice",
       "[data]\nclasses = [1, 2, 1]\n",
       {"bad.toml:2:11: data.classes: class 1 is listed twice"}},
      {"single_class",
       "[data]\nclasses = [3]\n",
       {"bad.toml:2:11: data.classes: a single class", "or [] for all 10"}},
      {"empty_output_path", "[output]\npath = \"\"\n", {"bad.toml:2:8: output.path: is empty"}},
      // Ranges the model checks, reported where the value was written.
      {"kernel_out_of_range_shared",
       "[model.quanv]\nstride = 9\n",
       {"bad.toml:2:10: model.quanv.stride: model.layers[0].stride = 9 is out of range"}},
      {"kernel_out_of_range_in_layer",
       "[[model.layers]]\ndepth = 1\n[[model.layers]]\ndepth = 1\nkernel = 0\n",
       {"bad.toml:5:10: model.layers[1].kernel = 0 is out of range"}},
      {"depth_out_of_range",
       "[model]\ndepths = [1, 129]\n",
       {"bad.toml:2:14: model.depths[1]: model.layers[1].depth = 129 is out of range"}},
      {"too_many_qubits",
       "[model.quanv]\nkernel = 4\n",
       {"bad.toml:2:10: model.quanv.kernel:", "16 qubits"}},
      {"head_depth",
       "[model.head]\ntype = \"quantum\"\ndepth = 0\n",
       {"bad.toml:3:9: model.head.depth = 0 is out of range"}},
      {"too_many_layers", depths17(), {"bad.toml:2:10: model.depths:", "17 layers"}},
      // The residual grammar.
      {"residual_bad_node",
       "[model]\ndepths = [1, 1]\nresidual = \"(X+O1)+O3\"\n",
       {"bad.toml:3:12: model.residual: residual \"(X+O1)+O3\"", "column"}},
      {"residual_syntax",
       "[model]\ndepths = [1, 1]\nresidual = \"X+\"\n",
       {"bad.toml:3:12: model.residual:"}},
      // Layers and depths that disagree.
      {"depths_vs_layers_length",
       "[model]\ndepths = [1, 1, 1]\n[[model.layers]]\n[[model.layers]]\n",
       {"bad.toml:2:10: model.depths: has 3 entries but there are 2 [[model.layers]] tables"}},
      {"depths_vs_layer_depth",
       "[model]\ndepths = [1, 2]\n[[model.layers]]\n[[model.layers]]\ndepth = 3\n",
       {"bad.toml:5:9: model.layers[1].depth: 3 disagrees with model.depths[1] = 2"}},
      {"layer_without_depth",
       "[[model.layers]]\nkernel = 2\n",
       {"bad.toml:1:1: model.layers[0]: has no depth", "model.depths"}},
      {"empty_depths", "[model]\ndepths = []\n", {"bad.toml:2:10: model.depths: is empty"}},
      // Unknown names.
      {"unknown_encoding",
       "[model.quanv]\nencoding = \"angel\"\n",
       {"bad.toml:2:12: model.quanv.encoding:", "'angel'", "did you mean 'angle'?"}},
      {"unknown_evaluator",
       "[model.quanv]\nevaluator = \"compield\"\n",
       {"bad.toml:2:13: model.quanv.evaluator: unknown evaluator 'compield' (did you mean "
        "'compiled'?)",
        "auto, compiled, statevector"}},
      {"unknown_optimizer",
       "[train]\noptimizer = \"adma\"\n",
       {"bad.toml:2:13: train.optimizer: unknown optimizer 'adma' (did you mean 'adam'?)",
        "adam, sgd"}},
      {"unknown_dataset",
       "[data]\ndataset = \"mnsit\"\n",
       {"bad.toml:2:11: data.dataset: unknown dataset 'mnsit' (did you mean 'mnist'?)",
        "fashion-mnist"}},
      {"unknown_gradient_mode",
       "[model]\ngradient_mode = \"exact\"\n",
       {"bad.toml:2:17: model.gradient_mode:", "'exact'", "barrier"}},
      {"unknown_head",
       "[model.head]\ntype = \"densse\"\n",
       {"bad.toml:2:8: model.head.type:", "did you mean 'dense'?"}},
      // What only planning the model on the data's shape finds, placed at
      // the layer: the shared [model.quanv] table, or the layer's own.
      {"window_does_not_fit_what_the_layers_leave",
       "[data]\nimage_size = 7\n[model]\ndepths = [1, 1, 1, 1]\nresidual = \"none\"\n"
       "[model.quanv]\nkernel = 2\n",
       {"bad.toml:6:1: model.layers[2]: a 2-pixel window does not fit a 1-pixel input",
        "padding = \"same\""}},
      {"window_does_not_fit_in_a_layer_table",
       "[data]\nimage_size = 7\n[model]\nresidual = \"none\"\n"
       "[[model.layers]]\ndepth = 1\n[[model.layers]]\ndepth = 1\n"
       "[[model.layers]]\ndepth = 1\nkernel = 3\n",
       {"bad.toml:9:1: model.layers[2]: a 3-pixel window does not fit a 1-pixel input"}},
      // TOML syntax.
      {"syntax_error", "[train]\nlr = 0.1\nepochs = = 3\n", {"bad.toml:3:", "invalid TOML"}},
      {"duplicate_key", "[train]\nlr = 0.1\nlr = 0.2\n", {"bad.toml:3:", "invalid TOML"}},
  };
  return rows;
}

class ConfigErrors : public ::testing::TestWithParam<BadInput> {};

TEST_P(ConfigErrors, MessageNamesPositionKeyAndHint) {
  const BadInput& row = GetParam();
  try {
    resqunn::config::parse_run_config(row.toml, "bad.toml");
    FAIL() << "accepted:\n" << row.toml;
  } catch (const resqunn::UsageError& e) {
    const std::string message = e.what();
    for (const auto& part : row.expected) {
      EXPECT_NE(message.find(part), std::string::npos) << "expected \"" << part << "\" in:\n"
                                                       << message;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Table, ConfigErrors, ::testing::ValuesIn(bad_inputs()),
                         [](const ::testing::TestParamInfo<BadInput>& row) {
                           return std::string(row.param.name);
                         });

}  // namespace
