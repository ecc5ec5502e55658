// `resqunn model describe`: the resolved wiring, shapes and parameter
// counts of a model, from a config file or from a residual string.
#include "resqunn/cli/command.hpp"
#include "resqunn/config/run_config.hpp"
#include "resqunn/core/error.hpp"
#include "resqunn/model/plan.hpp"
#include "resqunn/model/residual.hpp"
#include "resqunn/parallel/agreement.hpp"
#include "resqunn/runner/point.hpp"

#include <filesystem>
#include <iostream>
#include <regex>

namespace resqunn::cli {

namespace {

struct DescribeOptions {
  std::string target;
  int layers = 0;
  std::vector<int> depths;
  int image_size = 14;
  int classes = 10;
  std::string gradient_mode = "barrier";
  std::string head = "dense";
  std::string evaluator = "auto";
};

bool looks_like_file(const std::string& t) {
  return std::filesystem::exists(t) || t.find(".toml") != std::string::npos ||
         t.find('/') != std::string::npos;
}

// The largest O<i> a residual string names (0 if none).
int largest_output(const std::string& residual) {
  int most = 0;
  const std::regex out("[Oo]([0-9]+)");
  for (std::sregex_iterator it(residual.begin(), residual.end(), out), end; it != end; ++it) {
    most = std::max(most, std::stoi((*it)[1].str()));
  }
  return most;
}

// The model a residual string names, with the options' layers and depths.
model::ModelSpec spec_from_options(const DescribeOptions& o) {
  model::ModelSpec spec;
  spec.residual = o.target;
  std::vector<int> depths = o.depths;
  const int layers = o.layers > 0      ? o.layers
                     : !depths.empty() ? static_cast<int>(depths.size())
                                       : std::max(2, largest_output(o.target));
  if (depths.empty()) depths.assign(layers, 1);
  if (static_cast<int>(depths.size()) != layers) {
    throw UsageError("--depths has " + std::to_string(depths.size()) + " entries for " +
                         std::to_string(layers) + " layers",
                     "give one depth per layer, e.g. --depths 4,1");
  }
  const quantum::Evaluator evaluator = quantum::parse_evaluator(o.evaluator);
  for (int d : depths) {
    model::QuanvSpec q;
    q.depth = d;
    q.evaluator = evaluator;
    spec.layers.push_back(q);
  }
  spec.head.evaluator = evaluator;
  spec.gradient_mode = model::parse_gradient_mode(o.gradient_mode);
  spec.head.kind = model::parse_head_kind(o.head);
  // Shown in its one spelling ("O2+O1" describes as "O1+O2").
  spec.residual = model::canonical_residual(spec.residual, layers);
  return spec;
}

std::string describe(const DescribeOptions& o) {
  if (looks_like_file(o.target)) {
    return model::describe(runner::model_plan(config::load_run_config(o.target)));
  }
  return model::describe(
      model::plan_model(spec_from_options(o), {1, o.image_size, o.image_size}, o.classes));
}

int run_describe(const DescribeOptions& o, const Context& ctx) {
  const auto text = parallel::collectively(MPI_COMM_WORLD, [&] { return describe(o); });
  if (ctx.rank == 0) std::cout << text;
  return 0;
}

}  // namespace

void add_model_command(CLI::App& app, ActionSlot& slot) {
  auto* model = app.add_subcommand("model", "Inspect models");
  model->require_subcommand(1);
  auto o = std::make_shared<DescribeOptions>();
  auto* sub = add_action(
      *model, slot, o, "describe",
      "Print the resolved residual wiring, tensor shapes and parameter counts of a model",
      run_describe);
  sub->add_option("CONFIG", o->target,
                  "A run config (TOML file), or a residual configuration such as \"(X+O1)+O2\"")
      ->required();
  sub->add_option(
         "--layers", o->layers,
         "Residual string only: quanvolution layers (default: the largest O<i>, at least 2)")
      ->check(CLI::Range(1, 16));
  sub->add_option("--depths", o->depths, "Residual string only: ansatz depth per layer, e.g. 4,1")
      ->delimiter(',')
      ->check(CLI::Range(1, 64));
  sub->add_option("--image-size", o->image_size, "Residual string only: image side length")
      ->check(CLI::IsMember({7, 14, 28}))
      ->capture_default_str();
  sub->add_option("--classes", o->classes, "Residual string only: number of classes")
      ->check(CLI::Range(2, 1000))
      ->capture_default_str();
  sub->add_option("--gradient-mode", o->gradient_mode, "Residual string only: barrier or full")
      ->capture_default_str();
  sub->add_option("--head", o->head, "Residual string only: dense or quantum")
      ->capture_default_str();
  sub->add_option("--evaluator", o->evaluator,
                  "Residual string only: auto, compiled or statevector, for every circuit")
      ->capture_default_str();
}

}  // namespace resqunn::cli
