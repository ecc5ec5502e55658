#!/usr/bin/env bash
# Configures and builds resqunn (Release, OpenMP required) with CMake. It
# installs nothing: run scripts/setup.sh first, which records the Kokkos to
# use in $RESQUNN_DEPS_DIR/kokkos.env.
#
# Usage: scripts/build.sh [CMAKE_ARG...] [--help]
#
#   cmake -S <repo> -B $RESQUNN_BUILD_DIR -DCMAKE_BUILD_TYPE=Release \
#         -DKokkos_ROOT=<from kokkos.env> -DRESQUNN_REQUIRE_OPENMP=ON CMAKE_ARG...
#   cmake --build $RESQUNN_BUILD_DIR -j $RESQUNN_JOBS
#
# CMAKE_ARGs come last, so they override the defaults, e.g.
#   scripts/build.sh -DCMAKE_BUILD_TYPE=Debug -DRESQUNN_BUILD_BENCHMARKS=OFF
# Re-running is cheap: CMake re-configures only what changed and the build
# is incremental.
#
# Environment: RESQUNN_BUILD_DIR (default: <repo>/build), RESQUNN_JOBS
# (default: nproc), RESQUNN_DEPS_DIR (default: <repo>/.deps); Kokkos_ROOT,
# if set, takes precedence over kokkos.env.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if has_help_flag "$@"; then
  print_usage "${BASH_SOURCE[0]}"
  exit 0
fi

main() {
  local kokkos
  kokkos="$(kokkos_root)"
  log "configure $RESQUNN_BUILD_DIR (Kokkos_ROOT=$kokkos)"
  local -a args=(
    -S "$REPO_ROOT" -B "$RESQUNN_BUILD_DIR"
    -DCMAKE_BUILD_TYPE=Release
    "-DKokkos_ROOT=$kokkos"
    -DRESQUNN_REQUIRE_OPENMP=ON
  )
  # A cached Kokkos_DIR would keep pointing at the old Kokkos when the
  # chosen one changes: forget it so that find_package searches again.
  if [[ -f "$RESQUNN_BUILD_DIR/CMakeCache.txt" &&
    "$(cmake_cache_value "$RESQUNN_BUILD_DIR" Kokkos_ROOT)" != "$kokkos" ]]; then
    note "Kokkos_ROOT changed since the last configure; searching for Kokkos again"
    args+=(-UKokkos_DIR)
  fi
  run cmake "${args[@]}" "$@"
  log "build $RESQUNN_BUILD_DIR ($RESQUNN_JOBS jobs)"
  run cmake --build "$RESQUNN_BUILD_DIR" -j "$RESQUNN_JOBS"
  log "build done: $RESQUNN_BUILD_DIR/bin"
}

main "$@"
