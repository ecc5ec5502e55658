#!/usr/bin/env bash
# The CUDA build check: Kokkos 4 with CUDA (the ../shared/deps snapshot,
# patched for CUDA 13, built once and cached under .deps/), then every
# resqunn target built against it for the GPU architecture with warnings as
# errors (compiler warnings fail the build; nvcc's own diagnostics fail this
# script). The test programs' tests are found when ctest runs them
# (DISCOVERY_MODE PRE_TEST), so a machine without a GPU or driver builds
# them; nothing runs here: ctest on a GPU node does, and
# bench/device_check.sh on a node without MPI or HDF5.
#
# The build is the one the README gives GPU-cluster users: CMAKE_CXX_COMPILER
# is the host compiler, and Kokkos' launcher (kokkos_launch_compiler) hands
# the compilations of targets that use Kokkos to its nvcc_wrapper.
#
# Usage: scripts/check-cuda.sh [--if-available] [--help]
#
#   --if-available  exit 0 with a note when nvcc or the Kokkos snapshot is
#                   missing, instead of failing
#
# Environment: RESQUNN_CUDA_BUILD_DIR (default: <repo>/build-cuda),
# RESQUNN_CUDA_ARCH (a Kokkos_ARCH_* name; default HOPPER90: H100/H200,
# sm_90), CUDA_HOME (default /usr/local/cuda), RESQUNN_JOBS.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if has_help_flag "$@"; then
  print_usage "${BASH_SOURCE[0]}"
  exit 0
fi

BUILD_DIR="${RESQUNN_CUDA_BUILD_DIR:-$REPO_ROOT/build-cuda}"
ARCH="${RESQUNN_CUDA_ARCH:-HOPPER90}"
CUDA_HOME="${CUDA_HOME:-/usr/local/cuda}"
CHECK_NAME="CUDA build check"

if_available=0
for arg in "$@"; do
  case "$arg" in
    --if-available) if_available=1 ;;
    *) die "unknown argument '$arg' (see --help)" ;;
  esac
done

[[ -x "$CUDA_HOME/bin/nvcc" ]] || missing "no nvcc in $CUDA_HOME/bin (set CUDA_HOME)"
kokkos_snapshot 'kokkos-*.tar.gz' >/dev/null ||
  missing "no Kokkos 4 source snapshot in ../shared/deps or .deps/device-src"
export PATH="$CUDA_HOME/bin:$PATH"

log "Kokkos 4 with CUDA for $ARCH ($("$CUDA_HOME/bin/nvcc" --version | tail -n 2 | head -n 1))"
kokkos="$(build_kokkos_snapshot "$RESQUNN_DEPS_DIR/kokkos-cuda-$ARCH" \
  -DCMAKE_CXX_COMPILER=@SRC@/bin/nvcc_wrapper -DKokkos_ENABLE_CUDA=ON \
  -DKokkos_ENABLE_SERIAL=ON "-DKokkos_ARCH_$ARCH=ON")"
note "Kokkos at $kokkos"

log "configure the CUDA build in $BUILD_DIR"
run cmake -S "$REPO_ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DKokkos_ROOT="$kokkos" \
  -DRESQUNN_REQUIRE_OPENMP=OFF -DRESQUNN_WARNINGS_AS_ERRORS=ON
grep -q 'RESQUNN_KOKKOS_ENABLE_CUDA 1' "$BUILD_DIR/generated/include/resqunn/config.hpp" ||
  die "the build did not find a Kokkos with CUDA at $kokkos"

log "build every target"
build_log="$BUILD_DIR/build.log"
if ! cmake --build "$BUILD_DIR" -j "$RESQUNN_JOBS" >"$build_log" 2>&1; then
  grep -E -B2 -A6 'error' "$build_log" | head -n 80 >&2
  die "the CUDA build failed (log: $build_log)"
fi
# nvcc's own warnings (device code, cudafe) are not the host compiler's and
# pass -Werror: any "warning" line fails the check.
if grep -E -i 'warning[ :#]' "$build_log" >/dev/null; then
  grep -E -i -B2 -A4 'warning[ :#]' "$build_log" | head -n 60 >&2
  die "the CUDA build has warnings (log: $build_log)"
fi

# ctest lists (and runs) the programs' tests on a GPU node; here even listing
# them would start them (DISCOVERY_MODE PRE_TEST), which needs the driver.
count="$(find "$BUILD_DIR/tests" -type f -executable -name 'test_*' | wc -l)"
((count > 0)) || die "no test programs were built in $BUILD_DIR/tests"
note "$count test programs built; their tests are listed and run by ctest on a GPU node"
log "CUDA build check passed: every target built for $ARCH, no warnings"
