#!/usr/bin/env bash
# The MPICH variant: resqunn built against MPICH 4 and HDF5 for MPICH (Debian
# libmpich-dev, libhdf5-mpich-dev) in its own build directory, then
#   1. the MPI tests (ctest -L mpi: collectives, agreement, parallel HDF5,
#      the sweep board and reducer at 1-3 ranks) under MPICH's mpiexec (Hydra);
#   2. the end-to-end sweep tests that hold the contract: bitwise-equal
#      results for 1/2/3 ranks and groups of 2, resume after kill -9, signals
#      and exit code 3, errors agreed by every rank, ranks started differently,
#      one writer and atomic creation (tests/cli/test_sweep_run.py,
#      test_sweep_files.py, test_bad_paths.py).
# Open MPI stays the default MPI of the machine (Debian's alternatives); this
# build names MPICH's wrappers explicitly.
#
# Usage: scripts/check-mpich.sh [--if-available] [--help]
#
#   --if-available  exit 0 with a note when MPICH or HDF5 for MPICH is not
#                   installed and cannot be, instead of failing
#
# Missing packages (mpich, libmpich-dev, libhdf5-mpich-dev) are installed with
# apt-get when this runs as root or with passwordless sudo, unless
# RESQUNN_MPICH_INSTALL=0. Installing them changes no default: Debian's
# alternatives keep Open MPI (priority 50 against MPICH's 40).
#
# Environment: RESQUNN_MPICH_BUILD_DIR (default: <repo>/build-mpich),
# RESQUNN_JOBS, RESQUNN_DEPS_DIR, RESQUNN_VARIANT_KOKKOS (Kokkos 4 from the
# ../shared/deps snapshot, built once into .deps/kokkos-4-openmp, where it is
# there; "default": scripts/setup.sh's, as for scripts/build.sh),
# RESQUNN_MPICH_TESTS (a ctest -R regex of the CLI tests;
# default the three files above).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if has_help_flag "$@"; then
  print_usage "${BASH_SOURCE[0]}"
  exit 0
fi

BUILD_DIR="${RESQUNN_MPICH_BUILD_DIR:-$REPO_ROOT/build-mpich}"
CLI_TESTS="${RESQUNN_MPICH_TESTS:-^cli\.(test_sweep_run|test_sweep_files|test_bad_paths)$}"

if_available=0
for arg in "$@"; do
  case "$arg" in
    --if-available) if_available=1 ;;
    *) die "unknown argument '$arg' (see --help)" ;;
  esac
done

CHECK_NAME="MPICH checks"

PACKAGES=(mpich libmpich-dev libhdf5-mpich-dev)
TOOLS=(mpicc.mpich mpicxx.mpich mpiexec.mpich h5pcc.mpich)

have_tools() {
  local tool
  for tool in "${TOOLS[@]}"; do
    command -v "$tool" >/dev/null || return 1
  done
}

if ! have_tools; then
  if [[ "${RESQUNN_MPICH_INSTALL:-1}" != 0 ]] && command -v apt-get >/dev/null &&
    { is_root || sudo --non-interactive true 2>/dev/null; }; then
    log "install ${PACKAGES[*]}"
    apt_log="$(mktemp)"
    if ! { sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
      --no-install-recommends "${PACKAGES[@]}" ||
      { sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
        sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
          --no-install-recommends "${PACKAGES[@]}"; }; } >"$apt_log" 2>&1 </dev/null; then
      tail -n 20 "$apt_log" >&2
    fi
    rm -f "$apt_log"
  fi
  have_tools || missing "MPICH or HDF5 for MPICH is not installed (apt-get install ${PACKAGES[*]})"
fi

kokkos_root="$(variant_kokkos_root)"
note "Kokkos at $kokkos_root"

log "configure the MPICH build in $BUILD_DIR ($(mpichversion | head -n 1 | tr -s ' \t' ' '))"
# FindMPI and FindHDF5 take the wrappers they are given: MPICH's, and
# HDF5's parallel wrapper built for MPICH (its include and library paths).
run cmake -S "$REPO_ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DKokkos_ROOT="$kokkos_root" \
  -DMPI_C_COMPILER="$(command -v mpicc.mpich)" -DMPI_CXX_COMPILER="$(command -v mpicxx.mpich)" \
  -DMPIEXEC_EXECUTABLE="$(command -v mpiexec.mpich)" \
  -DHDF5_C_COMPILER_EXECUTABLE="$(command -v h5pcc.mpich)" -DRESQUNN_BUILD_BENCHMARKS=OFF

# A build that silently found Open MPI or its HDF5 would test nothing new.
cache="$BUILD_DIR/CMakeCache.txt"
grep -q '^MPI_C_LIB_NAMES:STRING=.*mpich' "$cache" \
  || die "the MPICH build did not find MPICH's libraries (see MPI_C_LIB_NAMES in $cache)"
grep -Eq '^HDF5_C_(INCLUDE_DIR|LIBRARY_hdf5)[^=]*=.*hdf5/mpich' "$cache" \
  || die "the MPICH build did not find HDF5 for MPICH (see the HDF5_C_* entries in $cache)"

log "build resqunn and the MPI tests"
run cmake --build "$BUILD_DIR" -j "$RESQUNN_JOBS" --target resqunn resqunn_mpi_tests

failed=()
log "MPI tests under MPICH"
if ! run ctest --test-dir "$BUILD_DIR" --output-on-failure -j "${RESQUNN_TEST_JOBS:-2}" -L mpi; then
  failed+=(mpi)
fi
log "sweep tests under MPICH ($CLI_TESTS)"
if ! run ctest --test-dir "$BUILD_DIR" --output-on-failure -j "${RESQUNN_TEST_JOBS:-2}" \
  -R "$CLI_TESTS"; then
  failed+=(cli)
fi

if ((${#failed[@]})); then
  die "MPICH checks failed: ${failed[*]}"
fi
log "MPICH checks passed"
