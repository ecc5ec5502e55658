#include "resqunn/quantum/detail/compiled_evaluator.hpp"

#include "resqunn/core/error.hpp"
#include "resqunn/quantum/detail/batch_support.hpp"
#include "resqunn/quantum/detail/compiled_kernels.hpp"
#include "resqunn/quantum/detail/execution_spaces.hpp"
#include "resqunn/quantum/detail/lanes.hpp"
#include "resqunn/quantum/detail/pauli_kernels.hpp"

#include <algorithm>
#include <string>

namespace resqunn::quantum::detail {

namespace {

// Chunks of W circuits per team at least, and at most this many doubles of
// team-partial moments in all: more chunks per team for large moment
// tables. Each team ends by summing its moment table over its lanes, so
// teams are larger than the state-vector kernel's (4 chunks). Both depend
// only on the batch and the spec, never on the thread count.
constexpr long kMinChunksPerTeam = 32;
constexpr long kPartialBudget = 1L << 22;

// A team's run of chunks is a multiple of its thread slots, at least
// kMinChunksPerTeam chunks per slot for the lanes shape and 8 for the
// threads shape (whose chunks are single circuits).
CompiledShape shape_of(const CircuitSpec& spec, long batch, KernelShape shape) {
  const bool lanes_shape = shape == KernelShape::lanes;
  const int lanes =
      lanes_shape ? ShapeTraits<KernelShape::lanes>::W : ShapeTraits<KernelShape::threads>::W;
  const long threads =
      lanes_shape ? ShapeTraits<KernelShape::lanes>::T : ShapeTraits<KernelShape::threads>::T;
  const long per_slot_min = lanes_shape ? kMinChunksPerTeam : 8;
  CompiledShape s;
  s.n = spec.qubits;
  s.dim = 1 << spec.qubits;
  s.nobs = observable_count(spec);
  s.nout = spec.output_size();
  s.nin = spec.input_size();
  s.nm = static_cast<int>(moments_per_observable(spec));
  s.probabilities = spec.readout == Readout::probabilities;
  s.encoding = spec.encoding;
  s.axis = spec.angle_axis;
  s.scale = spec.angle_scale;
  s.batch = batch;
  s.chunks = (batch + lanes - 1) / lanes;
  const long moments = static_cast<long>(s.nobs) * s.nm;
  const long max_teams = std::max(1L, kPartialBudget / std::max(1L, moments));
  const long per_slot = (s.chunks + max_teams * threads - 1) / (max_teams * threads);
  s.chunks_per_team = std::max(per_slot_min, per_slot) * threads;
  return s;
}

// Chunks whose monomials a slot keeps for one register-tiled moment update
// (CompiledLayout::slots): the lanes shape's kMomentBlock; one for threads.
int max_slots(KernelShape shape) { return shape == KernelShape::lanes ? kMomentBlock : 1; }
// Teams of several threads sum the angle VJP's moments together.
bool team_sums(KernelShape shape) {
  return ShapeTraits<KernelShape::threads>::T > 1 && shape == KernelShape::threads;
}

// Threads per team of the Pauli passes and the per-observable steps: fixed,
// not Kokkos::AUTO, because their team reductions sum in an order that
// depends on the team size (1 on CPUs: the sums run in index order).
template <class ExecSpace>
constexpr int pauli_team_size() {
  return lanes_for<ExecSpace>() == 1 ? 64 : 1;
}

}  // namespace

CompiledFootprint compiled_footprint(const CircuitSpec& spec, KernelShape shape) {
  const CompiledShape s = shape_of(spec, 1, shape);
  CompiledFootprint f;
  const long total =
      CompiledLayout::make(s, true, row_width(shape), max_slots(shape), team_sums(shape)).total;
  f.scratch_bytes = sizeof(double) * static_cast<std::size_t>(total);
  const std::size_t pauli = std::size_t{1} << (2 * spec.qubits);
  // heisenberg and mu (4^n each), plus the amplitude transform rows.
  f.pauli_bytes = sizeof(double) * static_cast<std::size_t>(s.nobs) *
                  (2 * pauli + (spec.encoding == Encoding::amplitude ? pauli : 0));
  return f;
}

bool compiled_supported(const CircuitSpec& spec, KernelShape shape) {
  // Guard the products below against overflow before forming them.
  if (spec.qubits > 10) return false;
  const CompiledFootprint f = compiled_footprint(spec, shape);
  return f.scratch_bytes <= kCompiledScratchLimit && f.pauli_bytes <= kCompiledPauliLimit;
}

void require_compiled_supported(const CircuitSpec& spec, KernelShape shape) {
  if (compiled_supported(spec, shape)) return;
  throw UsageError("the compiled evaluator does not fit " + std::to_string(spec.qubits) +
                       "-qubit " + std::string(to_string(spec.encoding)) + " circuits with " +
                       std::string(to_string(spec.readout)) + " readout (" +
                       std::to_string(spec.output_size()) + " outputs): its tables would exceed " +
                       std::to_string(kCompiledScratchLimit >> 20) + " MiB per team or " +
                       std::to_string(kCompiledPauliLimit >> 30) + " GiB in all",
                   "use evaluator = \"statevector\" (or \"auto\", which picks it), or fewer "
                   "qubits/readout qubits");
}

template <class ExecSpace>
CompiledEvaluator<ExecSpace>::CompiledEvaluator(const CircuitSpec& spec, ExecSpace space,
                                                KernelShape shape)
    : spec_(spec), space_(space), shape_(shape) {
  require_compiled_supported(spec_, shape_);
  const PauliProgram program = compile_pauli(spec_, ansatz_gates(spec_));
  nobs_ = observable_count(spec_);
  nm_ = moments_per_observable(spec_);
  pauli_size_ = program.size;
  ops_ = upload(program.ops, "resqunn::pauli_ops", space_);
  cliffords_ =
      upload(std::vector<CliffordTable>(program.cliffords.begin(), program.cliffords.end()),
             "resqunn::cliffords", space_);
  observables_ = upload(program.observables, "resqunn::observables", space_);
  monomial_pauli_ = upload(program.monomial_pauli, "resqunn::monomial_pauli", space_);
  monomial_sign_ = upload(program.monomial_sign, "resqunn::monomial_sign", space_);
  heisenberg_ = Matrix("resqunn::heisenberg", pauli_size_, nobs_);
  mu_ = Matrix("resqunn::mu", pauli_size_, nobs_);
  coeffs_ = Matrix("resqunn::compiled_coeffs", nobs_, nm_);
  if (spec_.encoding == Encoding::amplitude) work_ = Matrix("resqunn::wht_rows", nobs_, nm_);
  moments_ = Vector("resqunn::moments", static_cast<std::size_t>(nobs_) * nm_);
  space_.fence();
}

template <class ExecSpace>
void CompiledEvaluator<ExecSpace>::compile(ConstVector weights) {
  auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), weights);
  const std::vector<double> now(host.data(), host.data() + host.extent(0));
  if (compiled_ && now == compiled_weights_) return;
  using Policy = Kokkos::TeamPolicy<ExecSpace>;
  CompileObservables<ExecSpace> propagate{
      PauliGates<memory_space>{pauli_size_, ops_, cliffords_, observables_, weights}, heisenberg_};
  Kokkos::parallel_for("resqunn::compile_observables",
                       Policy(space_, 1, pauli_team_size<ExecSpace>()), propagate);
  ExtractCoefficients<ExecSpace> extract{spec_.qubits,   spec_.encoding == Encoding::angle,
                                         heisenberg_,    monomial_pauli_,
                                         monomial_sign_, work_,
                                         coeffs_};
  Kokkos::parallel_for("resqunn::extract_coefficients",
                       Policy(space_, nobs_, pauli_team_size<ExecSpace>()), extract);
  space_.fence();
  compiled_weights_ = now;
  compiled_ = true;
  ++compiles_;
}

template <class ExecSpace>
void CompiledEvaluator<ExecSpace>::run_kernel(bool vjp, ConstMatrix inputs, ConstVector weights,
                                              ConstMatrix upstream, Matrix outputs,
                                              Matrix input_grads, Vector moments) {
  compile(weights);
  if (shape_ == KernelShape::threads) {
    launch<KernelShape::threads>(vjp, inputs, upstream, outputs, input_grads, moments);
  } else if constexpr (host_space<ExecSpace>()) {
    launch<KernelShape::lanes>(vjp, inputs, upstream, outputs, input_grads, moments);
  }
}

template <class ExecSpace>
template <KernelShape K>
void CompiledEvaluator<ExecSpace>::launch(bool vjp, ConstMatrix inputs, ConstMatrix upstream,
                                          Matrix outputs, Matrix input_grads, Vector moments) {
  using Kernel = CompiledKernel<ExecSpace, ShapeTraits<K>::W, ShapeTraits<K>::T>;
  Kernel k;
  k.s = shape_of(spec_, static_cast<long>(inputs.extent(0)), K);
  k.s.input_grads = input_grads.extent(0) != 0;
  k.s.outputs = !vjp || outputs.extent(0) != 0;
  k.L = CompiledLayout::make(k.s, vjp, Kernel::S, max_slots(K), team_sums(K));
  k.vjp = vjp;
  k.coeffs = coeffs_;
  k.inputs = inputs;
  k.outputs = outputs;
  k.upstream = upstream;
  k.input_grads = input_grads;
  const long teams = (k.s.chunks + k.s.chunks_per_team - 1) / k.s.chunks_per_team;
  const long count = moment_count();
  if (vjp) k.partial = team_rows(partial_, teams, count, "resqunn::partial_moments");
  launch_teams("resqunn::compiled_circuit", space_, teams, k);
  if (!vjp) return;
  if (teams == 0) {
    Kokkos::deep_copy(space_, moments, 0.0);
    return;
  }
  Kokkos::parallel_for("resqunn::sum_moments",
                       Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<long>>(space_, 0, count),
                       SumOverTeams<ExecSpace>{k.partial, moments});
}

template <class ExecSpace>
void CompiledEvaluator<ExecSpace>::run(bool vjp, ConstMatrix inputs, ConstVector weights,
                                       ConstMatrix upstream, Matrix outputs, Matrix input_grads,
                                       Vector weight_grads) {
  run_kernel(vjp, inputs, weights, upstream, outputs, input_grads, moments_);
  if (vjp) weight_grads_from_moments(weights, moments_, weight_grads);
  space_.fence();
}

template <class ExecSpace>
void CompiledEvaluator<ExecSpace>::vjp_moments(ConstMatrix inputs, ConstVector weights,
                                               ConstMatrix upstream, Matrix outputs,
                                               Matrix input_grads, Vector moments) {
  run_kernel(true, inputs, weights, upstream, outputs, input_grads, moments);
  space_.fence();
}

template <class ExecSpace>
void CompiledEvaluator<ExecSpace>::weight_grads_from_moments(ConstVector weights,
                                                             ConstVector moments,
                                                             Vector weight_grads) {
  if (spec_.weight_count() == 0) return;
  using Policy = Kokkos::TeamPolicy<ExecSpace>;
  MomentsToPauli<ExecSpace> place{spec_.qubits,
                                  spec_.encoding == Encoding::angle,
                                  pauli_size_,
                                  nm_,
                                  moments,
                                  monomial_pauli_,
                                  monomial_sign_,
                                  work_,
                                  mu_};
  Kokkos::parallel_for("resqunn::moments_to_pauli",
                       Policy(space_, nobs_, pauli_team_size<ExecSpace>()), place);
  // heisenberg_ is only read until the coefficients are extracted: the pass
  // keeps its o_j there.
  WeightGradient<ExecSpace> pass{
      PauliGates<memory_space>{pauli_size_, ops_, cliffords_, observables_, weights}, mu_,
      heisenberg_, weight_grads};
  Kokkos::parallel_for("resqunn::compiled_weight_gradient",
                       Policy(space_, 1, pauli_team_size<ExecSpace>()), pass);
  space_.fence();
}

#define RESQUNN_INSTANTIATE(Space) template class CompiledEvaluator<Space>;
RESQUNN_FOR_EACH_EXECUTION_SPACE(RESQUNN_INSTANTIATE)
#undef RESQUNN_INSTANTIATE

}  // namespace resqunn::quantum::detail
