#include "resqunn/sweep/cost.hpp"

#include <algorithm>

#include "resqunn/core/error.hpp"
#include "resqunn/model/align.hpp"
#include "resqunn/model/head.hpp"
#include "resqunn/model/residual.hpp"
#include "resqunn/quantum/circuit.hpp"

namespace resqunn::sweep {

namespace {

// Output size of a window sliding along one axis. Mirrors axis() in
// src/resqunn/model/quanv_layer.cpp (same rule, same error), which only a
// built model (Kokkos, circuits) would run; keep the two in step.
// tests/sweep/test_cost_model.cpp checks the shapes against real models.
int window_outputs(int in, const model::QuanvSpec& s, const std::string& name) {
  if (s.padding == model::Padding::same) return (in + s.stride - 1) / s.stride;
  if (in < s.kernel) {
    throw UsageError(name + ": a " + std::to_string(s.kernel) + "-pixel window does not fit a " +
                         std::to_string(in) + "-pixel input",
                     "use a smaller kernel, fewer layers, larger images, or padding = \"same\"");
  }
  return (in - s.kernel) / s.stride + 1;
}

// Gates of one circuit: every gate updates all 2^n amplitudes; the
// encoding is n rotations (angle) or one state load (amplitude), and the
// readout one more pass over the state.
int circuit_gates(const quantum::CircuitSpec& c) {
  const int encoding = c.encoding == quantum::Encoding::angle ? c.qubits : 1;
  return encoding + static_cast<int>(quantum::ansatz_gates(c).size()) + 1;
}

double circuit_units(const quantum::CircuitSpec& c) {
  return static_cast<double>(1L << c.qubits) * circuit_gates(c);
}

// Which layers run an adjoint pass in a training step. Mirrors
// Model::loss_and_gradient (src/resqunn/model/model.cpp):
//  - O_j "needs a gradient" if layer j trains, or (full mode) if a source of
//    its input needs one;
//  - the head passes gradients to its sources that need one;
//  - a layer whose output got a gradient runs its adjoint if it trains or
//    (full mode) passes the gradient on to a source that needs one.
// In barrier mode only trainable layers the head reads directly qualify.
std::vector<bool> adjoint_layers(const model::ModelSpec& spec, const model::Wiring& wiring,
                                 bool* head_input_grad) {
  const int L = static_cast<int>(spec.layers.size());
  const bool full = spec.gradient_mode == model::GradientMode::full;
  std::vector<bool> needs(L + 1, false), touched(L + 1, false), adjoint(L, false);
  const auto needs_any = [&](int consumer) {
    const auto& sources = wiring.sources[consumer];
    return std::any_of(sources.begin(), sources.end(), [&](int s) { return s > 0 && needs[s]; });
  };
  const auto spread = [&](int consumer) {
    for (int s : wiring.sources[consumer]) {
      if (s > 0 && needs[s]) touched[s] = true;
    }
  };
  for (int j = 1; j <= L; ++j)
    needs[j] = spec.layers[j - 1].trainable || (full && needs_any(j - 1));
  *head_input_grad = needs_any(L);
  spread(L);
  for (int k = L - 1; k >= 0; --k) {
    if (!touched[k + 1]) continue;
    const bool want_dx = full && needs_any(k);
    adjoint[k] = spec.layers[k].trainable || want_dx;
    if (want_dx) spread(k);
  }
  return adjoint;
}

}  // namespace

CostEstimate estimate_cost(const config::RunConfig& config) {
  const model::ModelSpec& spec = config.model;
  const int L = static_cast<int>(spec.layers.size());
  const model::Wiring wiring = model::parse_residual(spec.residual, L);
  const int classes = runner::class_count(config);

  CostEstimate e;
  // Shapes, as Model's constructor derives them.
  std::vector<model::Shape> nodes{runner::input_shape(config)};
  for (int k = 0; k <= L; ++k) {
    std::vector<model::Shape> terms;
    std::vector<std::string> names;
    for (int s : wiring.sources[k]) {
      terms.push_back(nodes[s]);
      names.push_back(model::node_name(s));
    }
    const std::string who = k == L ? "head" : "QCL" + std::to_string(k + 1);
    const model::Shape in = model::sum_shape(
        terms, names, "residual " + model::sum_name(wiring.sources[k]) + " (input of " + who + ")");
    if (k == L) {
      e.head_input = in;
      break;
    }
    const model::QuanvSpec& q = spec.layers[k];
    const std::string where = "model.layers[" + std::to_string(k) + "]";
    q.validate(where);
    LayerCost c;
    c.name = who;
    c.input = in;
    c.qubits = q.qubits();
    c.output.channels =
        q.channel_mode == model::ChannelMode::stack ? in.channels * c.qubits : c.qubits;
    c.output.height = window_outputs(in.height, q, where);
    c.output.width = window_outputs(in.width, q, where);
    const long patches = static_cast<long>(c.output.height) * c.output.width;
    c.circuits_per_image =
        q.channel_mode == model::ChannelMode::pool ? patches : patches * in.channels;
    c.gates = circuit_gates(q.circuit());
    c.circuit_cost = circuit_units(q.circuit());
    nodes.push_back(c.output);
    e.layers.push_back(c);
  }

  bool head_dx = false;
  const auto adjoint = adjoint_layers(spec, wiring, &head_dx);
  for (int k = 0; k < L; ++k) {
    LayerCost& c = e.layers[k];
    c.adjoint = adjoint[k];
    const double forward = static_cast<double>(c.circuits_per_image) * c.circuit_cost;
    e.forward_per_image += forward;
    // A training step runs the forward, then (if needed) an adjoint pass:
    // forward + VJP, about 3x a forward (model.hpp, docs/benchmarks.md).
    e.train_per_image += forward * (c.adjoint ? 4.0 : 1.0);
  }

  // Head, with the checks make_head (src/resqunn/model/head.cpp) makes.
  const long features = static_cast<long>(e.head_input.size());
  if (spec.head.kind == model::HeadKind::dense) {
    const double fk = static_cast<double>(features) * classes;
    e.head_forward = fk;
    e.head_train = fk * (2.0 + (head_dx ? 1.0 : 0.0));  // forward, dW, dX
  } else {
    const quantum::CircuitSpec c =
        model::quantum_head_circuit(spec.head, static_cast<int>(features), classes);
    e.head_forward = circuit_units(c);
    e.head_train = 4.0 * e.head_forward;  // the head's weights always train
  }
  e.forward_per_image += e.head_forward;
  e.train_per_image += e.head_train;
  e.total = static_cast<double>(config.train.epochs) *
            (static_cast<double>(config.data.train) * e.train_per_image +
             static_cast<double>(config.data.validation) * e.forward_per_image);
  return e;
}

double estimated_cost(const runner::Point& point) { return estimate_cost(point.config).total; }

}  // namespace resqunn::sweep
