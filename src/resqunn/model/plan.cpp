#include "resqunn/model/plan.hpp"

#include "resqunn/core/error.hpp"
#include "resqunn/model/align.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <sstream>

namespace resqunn::model {

namespace {

int ceil_log2(int v) {
  int n = 0;
  while ((1 << n) < v) ++n;
  return n;
}

// Output size and leading padding along one axis.
struct Axis {
  int out, pad;
};

Axis axis(int in, const QuanvSpec& s, const std::string& where) {
  if (s.padding == Padding::same) {
    const int out = (in + s.stride - 1) / s.stride;
    const int total = std::max(0, (out - 1) * s.stride + s.kernel - in);
    return {out, total / 2};
  }
  if (in < s.kernel) {
    throw UsageError(where + ": a " + std::to_string(s.kernel) + "-pixel window does not fit a " +
                         std::to_string(in) + "-pixel input",
                     "use a smaller kernel, fewer layers, larger images, or padding = \"same\"");
  }
  return {(in - s.kernel) / s.stride + 1, 0};
}

// Every gate updates all 2^n amplitudes: the encoding is n rotations
// (angle) or one state load (amplitude), the readout one more pass.
int circuit_gates(const quantum::CircuitSpec& c) {
  const int encoding = c.encoding == quantum::Encoding::angle ? c.qubits : 1;
  return encoding + static_cast<int>(quantum::ansatz_gates(c).size()) + 1;
}

quantum::CircuitSpec quantum_head_circuit(const HeadSpec& spec, int features, int classes) {
  quantum::CircuitSpec c;
  c.qubits = std::max(1, ceil_log2(features));
  if (c.qubits > quantum::kMaxQubits) {
    throw UsageError("the quantum head would need " + std::to_string(c.qubits) +
                         " qubits to amplitude-encode " + std::to_string(features) + " features",
                     "use at most " + std::to_string(1 << quantum::kMaxQubits) +
                         " features (smaller images, fewer channels) or head.type = \"dense\"");
  }
  const int readout = std::max(1, ceil_log2(classes));
  if (readout > c.qubits) {
    throw UsageError("the quantum head has " + std::to_string(c.qubits) + " qubits, too few for " +
                         std::to_string(classes) + " classes",
                     "use more features or head.type = \"dense\"");
  }
  c.encoding = quantum::Encoding::amplitude;
  c.ansatz = spec.ansatz;
  c.depth = spec.depth;
  c.readout = quantum::Readout::probabilities;
  c.readout_qubits = readout;
  c.evaluator = spec.evaluator;
  return c;
}

// Resolves the evaluator of `c` for calls of `batch` circuits; a compiled
// evaluator asked for by name must fit. Without input_grads: the layer's
// VJPs skip them (evaluator_costs).
quantum::EvaluatorCosts plan_evaluator(quantum::CircuitSpec& c, long batch,
                                       const std::string& where, bool input_grads = true) {
  const quantum::EvaluatorCosts costs = quantum::evaluator_costs(c, batch, input_grads);
  check_usage(c.evaluator != quantum::Evaluator::compiled || costs.compiled_fits,
              where + ".evaluator = \"compiled\" does not fit this circuit (" +
                  std::to_string(c.qubits) + " qubits, " + std::to_string(c.output_size()) +
                  " outputs): its tables would exceed the compiled evaluator's limits",
              "use evaluator = \"auto\" or \"statevector\" (docs/quantum.md, limits)");
  c.evaluator = quantum::choose_evaluator(c, costs);
  return costs;
}

std::string consumer_name(int k, int layers) {
  return k == layers ? "head" : "QCL" + std::to_string(k + 1);
}

// The shape of the sum consumer k reads, from the nodes planned so far.
Shape consumer_input(const ModelPlan& p, int k) {
  const int L = p.wiring.layers;
  std::vector<Shape> shapes;
  std::vector<std::string> names;
  for (int s : p.wiring.sources[k]) {
    shapes.push_back(p.node_shape(s));
    names.push_back(node_name(s));
  }
  return sum_shape(
      shapes, names,
      "residual " + sum_name(p.wiring.sources[k]) + " (input of " + consumer_name(k, L) + ")");
}

// Which gradients a training step computes (Model::loss_and_gradient runs
// exactly these):
//  - O_j's gradient is needed if layer j trains, or (full mode) if a source
//    of layer j's input needs one;
//  - the head passes its input gradient to the sources that need one;
//  - a layer whose output got a gradient runs its adjoint pass if it trains
//    or (full mode) if it passes the gradient on to a source that needs one.
// In barrier mode only trainable layers the head reads directly qualify.
void plan_gradients(ModelPlan& p) {
  const int L = p.wiring.layers;
  const bool full = p.spec.gradient_mode == GradientMode::full;
  const auto needs_any = [&](int consumer) {
    const auto& sources = p.wiring.sources[consumer];
    return std::any_of(sources.begin(), sources.end(),
                       [&](int s) { return s > 0 && p.layers[s - 1].output_grad; });
  };
  std::vector<bool> reached(L + 1, false);  // d(loss)/d(node) is computed
  const auto spread = [&](int consumer) {
    for (int s : p.wiring.sources[consumer]) {
      if (s > 0 && p.layers[s - 1].output_grad) reached[s] = true;
    }
  };
  for (int j = 0; j < L; ++j)
    p.layers[j].output_grad = p.layers[j].spec.trainable || (full && needs_any(j));
  p.head.input_grad = needs_any(L);
  if (p.head.input_grad) spread(L);
  for (int k = L - 1; k >= 0; --k) {
    if (!reached[k + 1]) continue;
    LayerPlan& l = p.layers[k];
    l.input_grad = full && needs_any(k);
    l.adjoint = l.spec.trainable || l.input_grad;
    if (l.input_grad) spread(k);
  }
}

}  // namespace

LayerPlan plan_layer(const QuanvSpec& spec, Shape input, const std::string& where) {
  // Validation comes before the circuit is described, so that a bad spec
  // is reported with the layer's name.
  spec.validate(where);
  LayerPlan l;
  l.where = where;
  l.spec = spec;
  l.circuit = spec.circuit();
  l.input = input;
  const Axis ay = axis(input.height, spec, where);
  const Axis ax = axis(input.width, spec, where);
  l.pad_top = ay.pad;
  l.pad_left = ax.pad;
  const int n = spec.qubits();
  const long channels =
      spec.channel_mode == ChannelMode::stack ? static_cast<long>(input.channels) * n : n;
  if (channels > kMaxChannels) {
    throw UsageError(where + ": channel_mode = \"stack\" would give it " +
                         std::to_string(channels) + " output channels (" +
                         std::to_string(input.channels) + " in x " + std::to_string(n) +
                         " qubits), more than " + std::to_string(kMaxChannels),
                     "stack fewer layers, or use channel_mode = \"mean\" or \"pool\" for some");
  }
  l.output.channels = static_cast<int>(channels);
  l.output.height = ay.out;
  l.output.width = ax.out;
  const long patches = static_cast<long>(ay.out) * ax.out;
  l.circuits_per_image =
      spec.channel_mode == ChannelMode::pool ? patches : patches * input.channels;
  l.gates = circuit_gates(l.circuit);
  l.costs = plan_evaluator(l.circuit, l.circuits_per_image * kImagesPerStep, where);
  return l;
}

HeadPlan plan_head(const HeadSpec& spec, Shape features, int classes) {
  if (classes < 2) throw UsageError("a classifier needs at least 2 classes");
  HeadPlan h;
  h.spec = spec;
  h.input = features;
  h.features = static_cast<int>(features.size());
  h.classes = classes;
  if (spec.kind == HeadKind::dense) {
    h.weights = classes * h.features + classes;
  } else {
    h.circuit = quantum_head_circuit(spec, h.features, classes);
    h.gates = circuit_gates(h.circuit);
    h.weights = h.circuit.weight_count();
    h.costs = plan_evaluator(h.circuit, kImagesPerStep, "model.head");
  }
  return h;
}

namespace {

ModelPlan plan_afresh(const ModelSpec& spec, Shape input, int classes) {
  spec.validate();
  if (classes < 2) throw UsageError("a classifier needs at least 2 classes");
  ModelPlan p;
  p.spec = spec;
  p.input = input;
  p.classes = classes;
  const int L = static_cast<int>(spec.layers.size());
  p.wiring = parse_residual(spec.residual, L);
  int offset = 0;
  for (int k = 0; k < L; ++k) {
    const Shape in = consumer_input(p, k);
    p.layers.push_back(plan_layer(spec.layers[k], in, "model.layers[" + std::to_string(k) + "]"));
    LayerPlan& l = p.layers.back();
    l.name = consumer_name(k, L);
    p.groups.push_back({l.name, offset, l.circuit.weight_count(), l.spec.trainable});
    offset += p.groups.back().count;
  }
  p.head = plan_head(spec.head, consumer_input(p, L), classes);
  p.groups.push_back({"head", offset, p.head.weights, true});
  plan_gradients(p);
  // The evaluators again, now that the gradient plan says which circuits
  // pass a gradient to their input: a VJP without input gradients (data
  // inputs, barrier mode) costs the compiled evaluator less, which can
  // change what auto picks.
  for (int k = 0; k < L; ++k) {
    LayerPlan& l = p.layers[k];
    l.circuit.evaluator = l.spec.evaluator;
    l.costs = plan_evaluator(l.circuit, l.circuits_per_image * kImagesPerStep,
                             "model.layers[" + std::to_string(k) + "]", l.input_grad);
  }
  if (spec.head.kind == HeadKind::quantum) {
    p.head.circuit.evaluator = spec.head.evaluator;
    p.head.costs = plan_evaluator(p.head.circuit, kImagesPerStep, "model.head", p.head.input_grad);
  }
  return p;
}

}  // namespace

ModelPlan plan_model(const ModelSpec& spec, Shape input, int classes) {
  // Sweeps plan each point's model several times (config check, cost,
  // results layout), and neighbouring points mostly differ only in
  // training keys or the weight seed: the last plan is kept per thread.
  thread_local std::optional<ModelPlan> last;
  if (last && last->input == input && last->classes == classes &&
      same_architecture(last->spec, spec)) {
    ModelPlan p = *last;
    p.spec.seed = spec.seed;
    return p;
  }
  last.reset();
  ModelPlan p = plan_afresh(spec, input, classes);
  last = p;
  return p;
}

namespace {

// "  evaluator compiled (est. per circuit: statevector 291 ns, compiled 150 ns)\n".
std::string evaluator_line(const quantum::CircuitSpec& circuit, const quantum::EvaluatorCosts& c) {
  std::ostringstream o;
  o << "  evaluator " << quantum::to_string(circuit.evaluator) << " (est. per circuit: statevector "
    << std::lround(c.statevector_ns) << " ns, compiled ";
  if (c.compiled_fits) {
    o << std::lround(c.compiled_ns) << " ns";
  } else {
    o << "does not fit";
  }
  o << ")\n";
  return o.str();
}

}  // namespace

std::string describe(const HeadPlan& h) {
  if (h.spec.kind == HeadKind::dense) {
    return "dense " + std::to_string(h.features) + " -> " + std::to_string(h.classes) +
           " (softmax)";
  }
  const auto& c = h.circuit;
  return "quantum " + std::to_string(h.features) + " features -> amplitude encoding on " +
         std::to_string(c.qubits) + " qubits, " + std::string(quantum::to_string(c.ansatz)) +
         " depth " + std::to_string(c.depth) + ", P(first " + std::to_string(c.readout_qubits) +
         " qubits) -> " + std::to_string(h.classes) + " classes";
}

std::string describe(const ModelPlan& p) {
  std::ostringstream out;
  const int L = static_cast<int>(p.layers.size());
  out << "input X: " << p.input.str() << ", " << p.classes << " classes\n";
  out << "residual: " << p.spec.residual << " (gradient mode " << to_string(p.spec.gradient_mode)
      << ")\n";
  for (int k = 0; k < L; ++k) {
    const LayerPlan& l = p.layers[k];
    const QuanvSpec& s = l.spec;
    out << l.name << ": reads " << sum_name(p.wiring.sources[k]) << " (" << l.input.str()
        << ") -> O" << k + 1 << " (" << l.output.str() << "); " << s.kernel << "x" << s.kernel
        << " window, stride " << s.stride << ", " << to_string(s.padding) << ", " << s.qubits()
        << " qubits, " << quantum::to_string(s.encoding) << " encoding, "
        << quantum::to_string(s.ansatz) << " depth " << s.depth << ", channels "
        << to_string(s.channel_mode) << ", " << l.circuits_per_image << " circuits/image, "
        << p.groups[k].count << " weights" << (s.trainable ? "" : " (frozen)") << "\n"
        << evaluator_line(l.circuit, l.costs);
  }
  out << "head: reads " << sum_name(p.wiring.sources[L]) << " (" << p.head.input.str() << "); "
      << describe(p.head) << ", " << p.groups.back().count << " weights\n";
  if (p.head.spec.kind == HeadKind::quantum) out << evaluator_line(p.head.circuit, p.head.costs);
  out << "parameters: " << p.parameter_count() << " (";
  for (std::size_t g = 0; g < p.groups.size(); ++g) {
    out << (g ? ", " : "") << p.groups[g].name << " " << p.groups[g].count;
  }
  out << ")\n";
  return out.str();
}

}  // namespace resqunn::model
