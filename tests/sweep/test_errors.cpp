// One row per kind of mistake in a sweep spec: each must be a UsageError
// whose message says where (file:line:column or the point), which key, and
// what would be valid.
#include "sweep_test_support.hpp"
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace {

using namespace resqunn;

struct BadSpec {
  const char* name;
  std::string spec;
  /// Substrings the full message (problem and fix) must contain.
  std::vector<std::string> expected;
  /// Extra files (name, text) next to the spec, e.g. base configs.
  std::vector<std::pair<std::string, std::string>> files = {};
};

std::ostream& operator<<(std::ostream& os, const BadSpec& b) { return os << b.name; }

const std::string kHead = "[sweep]\nname = \"bad\"\n";

std::string seven_axes() {
  // Seven distinct keys with ten values each: 10^7 combinations.
  const char* keys[] = {"data.seed",        "train.seed",        "model.seed", "train.epochs",
                        "train.batch_size", "train.micro_batch", "data.train"};
  std::string s = kHead + "[axes]\n";
  for (const char* k : keys) s += std::string(k) + " = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n";
  return s;
}

const std::vector<BadSpec>& bad_specs() {
  static const std::vector<BadSpec> rows = {
      // TOML and the shape of the file.
      {"toml_syntax",
       "[sweep]\nname = \"bad\"\n[axes]\ntrain.seed = [1, 2\n",
       {"s.toml:4:20: invalid TOML", "toml.io"}},
      {"missing_sweep",
       "[axes]\ntrain.seed = [1]\n",
       {"s.toml: missing [sweep] table", "name = \"my-sweep\""}},
      {"run_config_instead_of_spec",
       "[train]\nepochs = 2\n",
       {"s.toml: this is a run config, not a sweep spec", "resqunn train", "base = \"s.toml\""}},
      {"sweep_not_a_table", "sweep = 3\n", {"s.toml:1:9: sweep: expected a table, got an integer"}},
      {"unknown_top_level_table",
       kHead + "[axis]\ntrain.seed = [1]\n",
       {"s.toml:3:2: axis: unknown key (did you mean 'axes'?)", "[[points]]"}},
      {"run_config_table_at_top",
       kHead + "[train]\nepochs = 2\n",
       {"s.toml:3:2: train: run-config keys do not go at the top of a sweep spec", "[base.train]"}},
      // [sweep]
      {"missing_name",
       "[sweep]\ncombine = \"grid\"\n",
       {"s.toml:1:1: sweep: missing 'name'", "add name = \"...\" to [sweep]"}},
      {"name_not_a_string",
       "[sweep]\nname = 3\n",
       {"s.toml:2:8: sweep.name: expected a string, got an integer"}},
      {"bad_name",
       "[sweep]\nname = \"my sweep\"\n",
       {"s.toml:2:8: sweep.name: 'my sweep' is not a valid name", "letters, digits"}},
      {"unknown_sweep_key",
       kHead + "combin = \"zip\"\n",
       {"s.toml:3:1: sweep.combin: unknown key (did you mean 'combine'?)",
        "valid keys in [sweep]: name, base, combine, output"}},
      {"run_config_key_in_sweep",
       kHead + "epochs = 2\n",
       {"s.toml:3:1: sweep.epochs: unknown key", "run-config keys go in [base]"}},
      {"combine_unknown",
       kHead + "combine = \"grd\"\n",
       {"s.toml:3:11: sweep.combine: unknown value 'grd' (did you mean 'grid'?)", "\"zip\""}},
      {"output_not_hdf5",
       kHead + "output = \"results.csv\"\n",
       {"s.toml:3:10: sweep.output: 'results.csv' is not an HDF5 file name (.h5 or .hdf5)",
        "bad.h5"}},
      // The base file.
      {"base_missing",
       kHead + "base = \"nope.toml\"\n",
       {"s.toml:3:8: sweep.base: 'nope.toml' does not exist (looked for ",
        "relative to the sweep spec's directory"}},
      {"base_not_a_string",
       kHead + "base = 1\n",
       {"s.toml:3:8: sweep.base: expected a string, got an integer"}},
      {"base_not_a_run_config",
       kHead + "base = \"other.toml\"\n",
       {"s.toml:3:8: sweep.base: 'other.toml' is not a valid run config: ",
        "other.toml:1:2: sweep: unknown key"},
       {{"other.toml", "[sweep]\nname = \"nested\"\n"}}},
      {"base_invalid_toml",
       kHead + "base = \"broken.toml\"\n",
       {"sweep.base: 'broken.toml' is not a valid run config: ", "broken.toml:2:", "invalid TOML"},
       {{"broken.toml", "[train]\nepochs = = 2\n"}}},
      {"base_invalid_value",
       kHead + "base = \"run.toml\"\n",
       {"'run.toml' is not a valid run config: ", "run.toml:2:10: train.epochs: 0 is out of range"},
       {{"run.toml", "[train]\nepochs = 0\n"}}},
      // [base]
      {"base_table_not_a_table",
       "base = \"run.toml\"\n" + kHead,
       {"s.toml:1:8: base: expected a table of run-config keys, got a string", "inside [sweep]"}},
      {"base_table_bad_value",
       kHead + "[base]\ntrain.epochs = 0\n",
       {"s.toml:4:16: train.epochs: 0 is out of range; valid: 1..100000", "(in [base])"}},
      {"base_table_unknown_key",
       kHead + "[base.train]\nepoch = 3\n",
       {"train.epoch: unknown key (did you mean 'epochs'?)"}},
      {"base_table_output",
       kHead + "[base]\noutput.path = \"x.h5\"\n",
       {"s.toml:4:15: base.output.path: a sweep's points cannot set output keys",
        "[sweep] output"}},
      // [axes]
      {"axes_not_a_table",
       "axes = 3\n" + kHead,
       {"s.toml:1:8: axes: expected a table, got an integer", "key = [values...]"}},
      {"axis_not_an_array",
       kHead + "[axes]\ntrain.seed = 3\n",
       {"s.toml:4:14: axes.train.seed: expected an array of values, got an integer",
        "write train.seed = [3] for a single value"}},
      {"empty_axis",
       kHead + "[axes]\ntrain.seed = []\n",
       {"s.toml:4:14: axes.train.seed: empty list of values"}},
      {"empty_table_value", kHead + "[axes]\ntrain = [{}]\n", {"axes.train: empty table value"}},
      {"axis_given_twice",
       kHead + "[axes]\n\"train.seed\" = [1]\n[axes.train]\nseed = [2]\n",
       {"axes.train.seed: this axis is given twice (also at s.toml:4:16)"}},
      {"axis_value_wrong_type",
       kHead + "[axes]\ntrain.epochs = [1, \"two\"]\n",
       {"s.toml:4:20: point 1 (train.epochs=two): train.epochs: expected an integer, got a "
        "string"}},
      {"unknown_axis_key",
       kHead + "[axes]\n\"model.residul\" = [\"none\"]\n",
       {"s.toml:4:20: point 0 (model.residul=none): model.residul: unknown key (did you mean "
        "'residual'?)"}},
      {"axis_below_a_value",
       kHead + "[axes]\n\"train.lr.x\" = [1]\n",
       {"s.toml:4:17: point 0 (train.lr.x=1): train.lr: expected a number, got a table"}},
      {"axis_through_a_value",
       kHead + "base = \"run.toml\"\n[axes]\n\"train.lr.x\" = [1]\n",
       {"s.toml:5:17: point 0 (train.lr.x=1): cannot set 'train.lr.x': 'train.lr' is a value, not "
        "a table"},
       {{"run.toml", "[train]\nlr = 0.1\n"}}},
      {"axis_into_missing_layers",
       kHead + "[axes]\n\"model.layers[5].kernel\" = [3]\n",
       {"point 0 (model.layers[5].kernel=3): cannot set 'model.layers[5].kernel'"}},
      {"axis_output",
       kHead + "[axes]\noutput.path = [\"a.h5\", \"b.h5\"]\n",
       {"s.toml:4:15: axes.output.path: a sweep's points cannot set output keys"}},
      {"zip_length_mismatch",
       kHead + "combine = \"zip\"\n[axes]\ntrain.seed = [1, 2, 3]\ndata.seed = [1, 2]\n",
       {"s.toml:6:13: axes.data.seed: 2 values, but axes.train.seed has 3",
        "or use combine = \"grid\""}},
      {"too_many_points", seven_axes(), {"the grid has more than 1000000 points"}},
      // Combinations that no model can have.
      {"impossible_residual",
       kHead + "[axes]\n\"model.residual\" = [\"none\", \"O3\"]\n",
       {"s.toml:4:29: point 1 (model.residual=O3): model.residual: residual \"O3\": expected "
        "O1..O2"}},
      {"window_does_not_fit",
       kHead + "[axes]\n\"model.depths\" = [[1, 1], [1, 1, 1, 1]]\n",
       {"point 1 (model.depths=[1, 1, 1, 1]): model.layers[3]: a 2-pixel window does not fit a "
        "1-pixel input",
        "padding = \"same\""}},
      {"channels_cannot_align",
       kHead + "[base.model.quanv]\nchannel_mode = \"stack\"\n[axes]\n\"model.residual\" = "
               "[\"(O1+O2)\"]\n\"model.depths\" = [[1, 1]]\n",
       {"point 0 (model.residual=(O1+O2), model.depths=[1, 1]): residual O1+O2 (input of head): "
        "cannot add"}},
      {"classes_differ",
       kHead + "[axes]\ndata.dataset = [\"mnist\", \"fashion-mnist\"]\n",
       {"point 1 (data.dataset=fashion-mnist): classifies", "but point 0 classifies",
        "must classify the same classes"}},
      // Duplicates.
      {"duplicate_points",
       kHead + "[axes]\ntrain.seed = [1, 2, 1]\n",
       {"s.toml: point 2 (train.seed=1) is the same configuration as point 0 (train.seed=1), id "}},
      // One wiring, two spellings: one configuration (canonical residual).
      {"equal_wirings",
       kHead + "[axes]\n\"model.residual\" = [\"O1+O2\", \"O2+O1\"]\n",
       {"point 1 (model.residual=O2+O1) is the same configuration as point 0 "
        "(model.residual=O1+O2)"}},
      {"residual_spelling",
       kHead + "[axes]\n\"model.residual\" = [\"x+o1\"]\n",
       {"X and O are upper case (did you mean \"X+O1\"?)"}},
      {"duplicate_of_a_default",
       kHead + "[axes]\ntrain.epochs = [5]\n[[points]]\n",
       {"point 1 (base) is the same configuration as point 0 (train.epochs=5)",
        "equal to the base's or the default"}},
      // [[points]]
      {"points_not_tables",
       "points = [1, 2]\n" + kHead,
       {"s.toml:1:11: points[0]: expected a table of overrides, got an integer", "[[points]]"}},
      {"points_a_table",
       kHead + "[points]\ntrain.seed = 1\n",
       {"s.toml:3:1: points: expected an array of tables, got a table"}},
      {"point_bad_value",
       kHead + "[[points]]\ntrain.seed = 1\n[[points]]\ntrain.lr = -1\n",
       {"s.toml:6:12: point 1 (train.lr=-1): train.lr: -1.0 is out of range; valid: > 0"}},
      {"point_output",
       kHead + "[[points]]\noutput.path = \"x.h5\"\n",
       {"s.toml:4:15: points[0].output.path: a sweep's points cannot set output keys"}},
      // [[grids]]
      {"grids_a_table",
       kHead + "[grids]\nname = \"g\"\n",
       {"s.toml:3:1: grids: expected an array of tables, got a table", "[[grids]]"}},
      {"grid_without_name",
       kHead + "[[grids]]\n[grids.axes]\ntrain.seed = [1, 2]\n",
       {"grids[0]: missing 'name'"}},
      {"grid_bad_name",
       kHead + "[[grids]]\nname = \"a b\"\n[grids.axes]\ntrain.seed = [1]\n",
       {"s.toml:4:8: grids[0].name: 'a b' is not a valid name", "letters, digits"}},
      {"grid_named_twice",
       kHead + "[[grids]]\nname = \"g\"\n[grids.axes]\ntrain.seed = [1]\n[[grids]]\nname = "
               "\"g\"\n[grids.axes]\ntrain.seed = [2]\n",
       {"s.toml:8:8: grids[1].name: grid 'g' is named twice (also at s.toml:4:8)", "its own name"}},
      {"grid_unknown_key",
       kHead + "[[grids]]\nname = \"g\"\naxis = 3\n",
       {"s.toml:5:1: grids[0].axis: unknown key (did you mean 'axes'?)", "[grids.base]"}},
      {"grid_without_axes",
       kHead + "[[grids]]\nname = \"g\"\n[grids.base]\ntrain.seed = 2\n",
       {"grids[0]: grid 'g' has no axes", "[[points]]"}},
      {"grid_axis_not_an_array",
       kHead + "[[grids]]\nname = \"g\"\n[grids.axes]\ntrain.seed = 2\n",
       {"s.toml:6:14: grids[0].axes.train.seed: expected an array of values, got an integer"}},
      {"grid_zip_length_mismatch",
       kHead + "[[grids]]\nname = \"g\"\ncombine = \"zip\"\n[grids.axes]\ntrain.seed = [1, 2]\n"
               "data.seed = [1]\n",
       {"s.toml:8:13: grids[0].axes.data.seed: 1 values, but grids[0].axes.train.seed has 2"}},
      {"grid_combine_unknown",
       kHead + "[[grids]]\nname = \"g\"\ncombine = \"zap\"\n[grids.axes]\ntrain.seed = [1]\n",
       {"s.toml:5:11: grids[0].combine: unknown value 'zap' (did you mean 'zip'?)"}},
      {"grid_base_output",
       kHead + "[[grids]]\nname = \"g\"\n[grids.base]\noutput.path = \"x.h5\"\n[grids.axes]\n"
               "train.seed = [1]\n",
       {"s.toml:6:15: grids[0].base.output.path: a sweep's points cannot set output keys"}},
      {"grid_bad_base_value",
       kHead + "[[grids]]\nname = \"g\"\n[grids.base]\ntrain.lr = -1\n[grids.axes]\n"
               "train.seed = [1]\n",
       {"s.toml:6:12: point 0 (train.lr=-1, train.seed=1): train.lr: -1.0 is out of range"}},
      {"grids_share_a_point",
       kHead + "[axes]\ntrain.seed = [1, 2]\n[[grids]]\nname = \"g\"\n[grids.axes]\n"
               "train.seed = [2, 3]\n",
       {"point 2 (train.seed=2) is the same configuration as point 1 (train.seed=2)"}},
  };
  return rows;
}

class SweepErrors : public sweep::testing::SweepDir,
                    public ::testing::WithParamInterface<BadSpec> {};

TEST_P(SweepErrors, MessageSaysWhereWhatAndHow) {
  const BadSpec& b = GetParam();
  for (const auto& [name, text] : b.files) write(name, text);
  const std::string message = sweep::testing::message_of([&] { (void)parse(b.spec); });
  for (const auto& e : b.expected) {
    EXPECT_NE(message.find(e), std::string::npos) << "expected '" << e << "' in:\n" << message;
  }
}

INSTANTIATE_TEST_SUITE_P(Rows, SweepErrors, ::testing::ValuesIn(bad_specs()),
                         [](const auto& row) { return std::string(row.param.name); });

TEST(SweepErrorsTable, HasOneRowPerKindOfMistake) { EXPECT_GE(bad_specs().size(), 20u); }

TEST(SweepLoad, MissingSpecFileIsAUsageError) {
  const auto m = sweep::testing::message_of([] { (void)sweep::load_sweep("/nonexistent/s.toml"); });
  EXPECT_NE(m.find("sweep spec '/nonexistent/s.toml' does not exist"), std::string::npos) << m;
}

}  // namespace
