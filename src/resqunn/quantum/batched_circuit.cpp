#include "resqunn/quantum/batched_circuit.hpp"

#include "resqunn/core/error.hpp"
#include "resqunn/quantum/detail/batch_support.hpp"
#include "resqunn/quantum/detail/circuit_kernels.hpp"
#include "resqunn/quantum/detail/compiled_evaluator.hpp"
#include "resqunn/quantum/detail/execution_spaces.hpp"
#include "resqunn/quantum/evaluator_cost.hpp"

#include <string>

namespace resqunn::quantum {

namespace {

template <class V>
void check_shape(const V& v, std::size_t rows, std::size_t cols, const char* what) {
  if (v.extent(0) != rows || v.extent(1) != cols) {
    throw UsageError(std::string(what) + " is " + std::to_string(v.extent(0)) + "x" +
                         std::to_string(v.extent(1)) + ", expected " + std::to_string(rows) + "x" +
                         std::to_string(cols),
                     "pass one row per circuit with the circuit's feature count");
  }
}

// The shapes of a batch call: one row per circuit, the spec's widths.
template <class In, class Weights, class Up, class Out, class InGrads>
void check_batch(const CircuitSpec& spec, bool vjp, const In& inputs, const Weights& weights,
                 const Up& upstream, const Out& outputs, const InGrads& input_grads) {
  const std::size_t batch = inputs.extent(0);
  check_shape(inputs, batch, spec.input_size(), "inputs");
  // A VJP with no output rows: the caller does not want them (it has them).
  if (!vjp || outputs.extent(0) != 0 || batch == 0) {
    check_shape(outputs, batch, spec.output_size(), "outputs");
  }
  if (weights.extent(0) != static_cast<std::size_t>(spec.weight_count())) {
    throw UsageError("weights has " + std::to_string(weights.extent(0)) + " entries, the circuit " +
                         std::to_string(spec.weight_count()),
                     "see docs/quantum.md for the weight layout of each ansatz");
  }
  if (vjp) {
    check_shape(upstream, batch, spec.output_size(), "upstream");
    // No rows: the caller wants no input gradients.
    if (input_grads.extent(0) != 0 || batch == 0) {
      check_shape(input_grads, batch, spec.input_size(), "input_grads");
    }
  }
}

detail::Shape make_shape(const CircuitSpec& spec, int nsteps, int prefix, long batch) {
  detail::Shape s;
  s.n = spec.qubits;
  s.dim = 1 << spec.qubits;
  s.nsteps = nsteps;
  s.prefix = spec.encoding == Encoding::angle ? prefix : 0;
  s.nweights = spec.weight_count();
  s.nin = spec.input_size();
  s.nout = spec.output_size();
  s.prob_mask = spec.output_size() - 1;
  s.encoding = spec.encoding;
  s.axis = spec.angle_axis;
  s.readout = spec.readout;
  s.scale = spec.angle_scale;
  s.batch = batch;
  return s;
}

// Kokkos Tools see each call as a region (Kokkos 3.4 has no ScopedRegion).
class ProfilingRegion {
public:
  explicit ProfilingRegion(const char* name) { Kokkos::Profiling::pushRegion(name); }
  ~ProfilingRegion() { Kokkos::Profiling::popRegion(); }
  ProfilingRegion(const ProfilingRegion&) = delete;
  ProfilingRegion& operator=(const ProfilingRegion&) = delete;
};

}  // namespace

template <class ExecSpace>
BatchedCircuit<ExecSpace>::BatchedCircuit(const CircuitSpec& spec, ExecSpace space,
                                          KernelShape shape)
    : spec_(resolve_evaluator(spec)), space_(space), shape_(shape) {
  check_usage(shape_ == KernelShape::threads || detail::host_space<ExecSpace>(),
              std::string(ExecSpace::name()) + " runs only the threads kernel shape",
              "leave the shape at its default");
  if (spec_.evaluator == Evaluator::compiled) {
    compiled_ = std::make_shared<detail::CompiledEvaluator<ExecSpace>>(spec_, space_, shape_);
    return;
  }
  const auto program = detail::compile(ansatz_gates(spec_), spec_.qubits);  // validates
  steps_ = detail::upload(program.steps, "resqunn::steps", space_);
  slots_ = detail::upload(program.slots, "resqunn::slots", space_);
  logical_ = detail::upload(program.logical, "resqunn::logical", space_);
  prefix_ = program.prefix;
  trig_ = Matrix("resqunn::trig", spec_.weight_count(), 2);
  fused_ = Matrix("resqunn::fused", program.steps.size(), 8);
  space_.fence();
}

template <class ExecSpace>
BatchedCircuit<ExecSpace>::~BatchedCircuit() = default;

template <class ExecSpace>
void BatchedCircuit<ExecSpace>::run(bool vjp, ConstMatrix inputs, ConstVector weights,
                                    ConstMatrix upstream, Matrix outputs, Matrix input_grads,
                                    Vector weight_grads) const {
  check_batch(spec_, vjp, inputs, weights, upstream, outputs, input_grads);
  if (vjp && weight_grads.extent(0) != weights.extent(0)) {
    throw UsageError("weight_grads must have one entry per weight");
  }
  if (compiled_) {
    compiled_->run(vjp, inputs, weights, upstream, outputs, input_grads, weight_grads);
    return;
  }
  const int nsteps = static_cast<int>(steps_.extent(0));
  Kokkos::parallel_for("resqunn::prepare_steps", Kokkos::RangePolicy<ExecSpace>(space_, 0, nsteps),
                       detail::PrepareSteps<ExecSpace>{steps_, weights, trig_, fused_});
  if (shape_ == KernelShape::threads) {
    run_shape<KernelShape::threads>(vjp, inputs, upstream, outputs, input_grads, weight_grads);
  } else if constexpr (detail::host_space<ExecSpace>()) {
    run_shape<KernelShape::lanes>(vjp, inputs, upstream, outputs, input_grads, weight_grads);
  }
  space_.fence();
}

template <class ExecSpace>
template <KernelShape K>
void BatchedCircuit<ExecSpace>::run_shape(bool vjp, ConstMatrix inputs, ConstMatrix upstream,
                                          Matrix outputs, Matrix input_grads,
                                          Vector weight_grads) const {
  constexpr int W = detail::ShapeTraits<K>::W;
  constexpr int T = detail::ShapeTraits<K>::T;
  using Kernel = detail::CircuitKernel<ExecSpace, W, T>;
  const int nw = spec_.weight_count();
  const int nsteps = static_cast<int>(steps_.extent(0));
  Kernel k;
  k.s = make_shape(spec_, nsteps, prefix_, static_cast<long>(inputs.extent(0)));
  k.s.chunks = (k.s.batch + W - 1) / W;
  k.L = detail::ScratchLayout::make<Kernel::S>(k.s, vjp);
  k.vjp = vjp;
  k.steps = steps_;
  k.slots = slots_;
  k.logical = logical_;
  k.trig = trig_;
  k.fused = fused_;
  k.inputs = inputs;
  k.outputs = outputs;
  k.upstream = upstream;
  k.input_grads = input_grads;
  const long per_team = static_cast<long>(detail::kChunksPerTeam) * T;
  const long teams = (k.s.chunks + per_team - 1) / per_team;
  if (vjp) k.partial = detail::team_rows(partial_, teams, nw, "resqunn::partial_weight_grads");
  // Small states fit the fast level-0 scratch (GPU shared memory); big ones
  // (many qubits) go to level 1.
  detail::launch_teams("resqunn::batched_circuit", space_, teams, k);
  if (vjp && nw > 0) {
    if (teams == 0) {
      Kokkos::deep_copy(space_, weight_grads, 0.0);
    } else {
      Kokkos::parallel_for("resqunn::sum_weight_grads",
                           Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<long>>(space_, 0, nw),
                           detail::SumOverTeams<ExecSpace>{k.partial, weight_grads});
    }
  }
}

template <class ExecSpace>
void BatchedCircuit<ExecSpace>::forward(ConstMatrix inputs, ConstVector weights,
                                        Matrix outputs) const {
  const ProfilingRegion region("resqunn::forward");
  run(false, inputs, weights, {}, outputs, {}, {});
}

template <class ExecSpace>
void BatchedCircuit<ExecSpace>::vjp(ConstMatrix inputs, ConstVector weights, ConstMatrix upstream,
                                    Matrix outputs, Matrix input_grads, Vector weight_grads) const {
  const ProfilingRegion region("resqunn::forward_vjp");
  run(true, inputs, weights, upstream, outputs, input_grads, weight_grads);
}

template <class ExecSpace>
long BatchedCircuit<ExecSpace>::moment_count() const noexcept {
  return compiled_ ? compiled_->moment_count() : 0;
}

template <class ExecSpace>
void BatchedCircuit<ExecSpace>::vjp_moments(ConstMatrix inputs, ConstVector weights,
                                            ConstMatrix upstream, Matrix outputs,
                                            Matrix input_grads, Vector moments) const {
  const ProfilingRegion region("resqunn::forward_vjp");
  check_usage(compiled_ != nullptr, "vjp_moments needs the compiled evaluator",
              "use vjp with the state-vector evaluator");
  check_usage(moments.extent(0) == static_cast<std::size_t>(moment_count()),
              "moments has " + std::to_string(moments.extent(0)) + " entries, the circuit " +
                  std::to_string(moment_count()),
              "size it with moment_count()");
  check_batch(spec_, true, inputs, weights, upstream, outputs, input_grads);
  compiled_->vjp_moments(inputs, weights, upstream, outputs, input_grads, moments);
}

template <class ExecSpace>
void BatchedCircuit<ExecSpace>::weight_grads_from_moments(ConstVector weights, ConstVector moments,
                                                          Vector weight_grads) const {
  check_usage(compiled_ != nullptr, "weight_grads_from_moments needs the compiled evaluator",
              "use vjp with the state-vector evaluator");
  check_usage(moments.extent(0) == static_cast<std::size_t>(moment_count()) &&
                  weights.extent(0) == static_cast<std::size_t>(spec_.weight_count()) &&
                  weight_grads.extent(0) == weights.extent(0),
              "weight_grads_from_moments: moments, weights or weight_grads has the wrong size",
              "size them with moment_count() and the spec's weight_count()");
  compiled_->weight_grads_from_moments(weights, moments, weight_grads);
}

#define RESQUNN_INSTANTIATE(Space) template class BatchedCircuit<Space>;
RESQUNN_FOR_EACH_EXECUTION_SPACE(RESQUNN_INSTANTIATE)
#undef RESQUNN_INSTANTIATE

}  // namespace resqunn::quantum
