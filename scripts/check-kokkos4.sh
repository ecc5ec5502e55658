#!/usr/bin/env bash
# The Kokkos 4 variant: resqunn built against Kokkos 4.6.99 (OpenMP + Serial,
# the ../shared/deps snapshot, built once into .deps/kokkos-4-openmp) in a
# build directory of its own, then the whole suite against it: every ctest
# test (unit, MPI, CLI, SLURM where sbatch is there) and the analysis
# package's pytest suite on its binary. The main build (scripts/build.sh)
# stays on the default Kokkos (3.4.1, what a fresh machine gets), so CI runs
# the suite on both.
#
# Usage: scripts/check-kokkos4.sh [--if-available] [CTEST_ARG...] [--help]
#
#   --if-available  exit 0 with a note when the Kokkos snapshot is missing,
#                   instead of failing
#
# Environment: RESQUNN_KOKKOS4_BUILD_DIR (default: <repo>/build-kokkos4),
# RESQUNN_JOBS, RESQUNN_TEST_JOBS (ctest -j, default 2), RESQUNN_DEPS_DIR.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if has_help_flag "$@"; then
  print_usage "${BASH_SOURCE[0]}"
  exit 0
fi

BUILD_DIR="${RESQUNN_KOKKOS4_BUILD_DIR:-$REPO_ROOT/build-kokkos4}"
CHECK_NAME="Kokkos 4 checks"

if_available=0
ctest_args=()
for arg in "$@"; do
  case "$arg" in
    --if-available) if_available=1 ;;
    *) ctest_args+=("$arg") ;;
  esac
done

kokkos_snapshot 'kokkos-*.tar.gz' >/dev/null ||
  missing "no Kokkos 4 source snapshot in ../shared/deps or .deps/device-src"
log "Kokkos 4 (OpenMP + Serial) from the snapshot"
kokkos="$(kokkos4_cpu_root)"
note "Kokkos at $kokkos"

log "configure the Kokkos 4 build in $BUILD_DIR"
run cmake -S "$REPO_ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DKokkos_ROOT="$kokkos" \
  -DRESQUNN_REQUIRE_OPENMP=ON -DRESQUNN_BUILD_BENCHMARKS=OFF
grep -q 'RESQUNN_KOKKOS_VERSION_STRING "4\.' "$BUILD_DIR/generated/include/resqunn/config.hpp" ||
  die "the build did not find Kokkos 4 at $kokkos"

log "build"
run cmake --build "$BUILD_DIR" -j "$RESQUNN_JOBS"

failed=()
log "ctest on Kokkos 4"
if ! RESQUNN_EXPECT_OPENMP=1 run ctest --test-dir "$BUILD_DIR" --output-on-failure \
  -j "${RESQUNN_TEST_JOBS:-2}" "${ctest_args[@]}"; then
  failed+=(ctest)
fi
log "pytest analysis/tests on Kokkos 4"
if ! (cd "$REPO_ROOT" && RESQUNN_BIN="$BUILD_DIR/bin/resqunn" run "$SYSTEM_PYTHON" -m pytest -q \
  -p no:cacheprovider analysis/tests); then
  failed+=(analysis-pytest)
fi

if ((${#failed[@]})); then
  die "Kokkos 4 checks failed: ${failed[*]}"
fi
log "Kokkos 4 checks passed"
