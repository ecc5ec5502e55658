// The cost model derives shapes and adjoint passes from a config without
// building the model; here they are checked against real models: layer
// shapes, circuits per image, and which layers run adjoint passes in a
// training step (counted by the circuit runners).
#include "resqunn/config/run_config.hpp"
#include "resqunn/model/model.hpp"
#include "resqunn/runner/point.hpp"
#include "resqunn/sweep/cost.hpp"

#include <Kokkos_Core.hpp>

#include "resqunn_source_paths.hpp"
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace resqunn;

struct Case {
  const char* name;
  std::string toml;
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

const std::vector<Case>& cases() {
  static const std::vector<Case> rows = {
      {"default", ""},
      {"chain_barrier", "[model]\ndepths = [1, 1]\nresidual = \"none\"\n"},
      {"chain_full", "[model]\ndepths = [1, 1]\nresidual = \"none\"\ngradient_mode = \"full\"\n"},
      {"residual_barrier", "[model]\ndepths = [1, 1]\nresidual = \"(X+O1)+O2\"\n"},
      {"residual_full_frozen_first",
       "[model]\ndepths = [1, 1, 1]\nresidual = \"X+O1+O3\"\ngradient_mode = \"full\"\n"
       "[[model.layers]]\ntrainable = false\n[[model.layers]]\ntrainable = "
       "false\n[[model.layers]]\n"},
      {"frozen_last_full",
       "[model]\ndepths = [1, 1]\nresidual = \"none\"\ngradient_mode = \"full\"\n"
       "[[model.layers]]\n[[model.layers]]\ntrainable = false\n"},
      {"all_frozen", "[model]\ndepths = [2, 1]\n[model.quanv]\ntrainable = false\n"},
      {"same_padding_stride_3",
       "[model]\ndepths = [1]\n[model.quanv]\nstride = 3\npadding = \"same\"\n"},
      {"amplitude_3x3",
       "[model]\ndepths = [1, 1]\nresidual = \"X+O1;X+O2\"\n[model.quanv]\nkernel = 3\nstride = 1\n"
       "encoding = \"amplitude\"\n"},
      {"stack_channels",
       "[model]\ndepths = [1, 1]\n[[model.layers]]\n[[model.layers]]\nchannel_mode = \"stack\"\n"
       "stride = 1\n"},
      {"pool_channels",
       "[data]\nimage_size = 28\n[model]\ndepths = [1, 1]\nresidual = \"X+O1+O2\"\n"
       "[model.quanv]\nchannel_mode = \"pool\"\nstride = 2\n"},
      {"quantum_head",
       "[data]\nclasses = [0, 1, 2]\n[model.head]\ntype = \"quantum\"\ndepth = 3\n"},
      {"quantum_head_full",
       "[model]\ndepths = [1, 1]\nresidual = \"X+O2\"\ngradient_mode = \"full\"\n"
       "[model.head]\ntype = \"quantum\"\n"},
  };
  return rows;
}

class CostMatchesModel : public ::testing::TestWithParam<Case> {};

TEST_P(CostMatchesModel, ShapesCircuitsAndAdjointPasses) {
  const auto config = config::parse_run_config(GetParam().toml, "c.toml");
  const auto e = sweep::estimate_cost(config);
  model::Model m(config.model, runner::input_shape(config), runner::class_count(config));
  ASSERT_EQ(static_cast<int>(e.layers.size()), m.layers());
  for (int k = 0; k < m.layers(); ++k) {
    SCOPED_TRACE("layer " + std::to_string(k));
    EXPECT_EQ(e.layers[k].input, m.layer(k).input_shape());
    EXPECT_EQ(e.layers[k].output, m.layer(k).output_shape());
    EXPECT_EQ(e.layers[k].circuits_per_image, m.layer(k).circuits_per_image());
    EXPECT_EQ(e.layers[k].qubits, m.layer(k).spec().qubits());
  }
  EXPECT_EQ(e.head_input, m.consumer_shape(m.layers()));

  // One training step on two images: which runners did adjoint passes?
  const int n = 2;
  model::Tensor x(n, m.input_shape());
  for (std::size_t i = 0; i < x.data.size(); ++i) x.data[i] = static_cast<double>(i % 7) / 7.0;
  const std::vector<int> labels = {0, 1};
  const auto params = m.initial_parameters();
  std::vector<double> grad(params.size(), 0.0);
  (void)m.loss_and_gradient(x, labels, params, 1.0, grad);
  for (int k = 0; k < m.layers(); ++k) {
    SCOPED_TRACE("layer " + std::to_string(k));
    EXPECT_EQ(m.layer(k).runner().forward_circuits(), n * e.layers[k].circuits_per_image);
    EXPECT_EQ(m.layer(k).runner().adjoint_circuits(),
              e.layers[k].adjoint ? n * e.layers[k].circuits_per_image : 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Configs, CostMatchesModel, ::testing::ValuesIn(cases()),
                         [](const auto& row) { return std::string(row.param.name); });

// A training step of examples/paper_base.toml's model (its micro-batches,
// then the step's gradient): on a host space the circuits read and write
// the model's arrays in place, so nothing is copied between host and device
// memory; a device build copies each micro-batch's circuit data (counted).
TEST(HostDeviceCopies, PaperBaseTrainingStepCopiesNothingOnHostSpaces) {
  const auto config = config::load_run_config(RESQUNN_EXAMPLES_DIR "/paper_base.toml");
  model::Model m(config.model, runner::input_shape(config), runner::class_count(config));
  const int micro = config.train.micro_batch;
  model::Tensor x(micro, m.input_shape());
  for (std::size_t i = 0; i < x.data.size(); ++i) x.data[i] = static_cast<double>(i % 11) / 11.0;
  std::vector<int> labels(static_cast<std::size_t>(micro));
  for (int i = 0; i < micro; ++i) labels[static_cast<std::size_t>(i)] = i % 2;
  const auto params = m.initial_parameters();
  std::vector<double> partial(static_cast<std::size_t>(m.step_gradient_width()), 0.0);
  for (int b = 0; b < 2; ++b) (void)m.loss_and_step_gradient(x, labels, params, 0.5, partial);
  m.finish_step_gradient(params, partial);
  const model::Work w = m.work();
  EXPECT_GT(w.forward_circuits + w.adjoint_circuits, 0);
  constexpr bool host =
      Kokkos::SpaceAccessibility<Kokkos::HostSpace,
                                 Kokkos::DefaultExecutionSpace::memory_space>::accessible;
  if (host) {
    EXPECT_EQ(w.circuit_bytes_moved, 0);
    EXPECT_EQ(w.parameter_bytes_moved, 0);
  } else {
    EXPECT_GT(w.circuit_bytes_moved, 0);
  }
}

}  // namespace
