#!/usr/bin/env bash
# Runs everything CI checks: setup, build, then the CTest suite (unit, MPI
# and CLI tests) and the analysis package's pytest suite. Exits non-zero if
# any step or test fails (both suites run even if the first one fails).
#
# Usage: scripts/test.sh [CTEST_ARG...] [--help]
#
#   1. scripts/setup.sh, scripts/build.sh
#   2. resqunn data fetch        (the tests that need the real datasets)
#   3. ctest --test-dir $RESQUNN_BUILD_DIR --output-on-failure -j2 CTEST_ARG...
#   4. /usr/bin/python3 -m pytest -q analysis/tests   (if it has tests)
#   5. scripts/check-sanitizers.sh --if-available   (ASan + UBSan tests, fuzz smoke:
#      RESQUNN_FUZZ_SECONDS, default 20 here, per target)
#   6. scripts/check-mpich.sh --if-available   (MPI and sweep tests under MPICH)
#   7. scripts/check-kokkos4.sh --if-available   (the whole suite again, built against
#      Kokkos 4.6.99 from the ../shared/deps snapshot, where it exists)
#   8. scripts/check-cuda.sh --if-available   (every target built for CUDA, Kokkos 4;
#      where nvcc and the snapshot exist)
#   9. bench/device_check.sh on the CPU   (the GPU node's script, dry run: its
#      Kokkos-only build, kernel tests and bench against the default Kokkos)
#  10. scripts/lint.sh   (clang-tidy over src/; skipped if it is not installed)
#
# Examples: scripts/test.sh -L unit
#           scripts/test.sh -R 'data|cli' --repeat until-fail:3
#
# Sets RESQUNN_EXPECT_OPENMP=1: the tests then fail unless Kokkos has OpenMP.
# Environment: RESQUNN_BUILD_DIR, RESQUNN_DEPS_DIR, RESQUNN_JOBS, RESQUNN_DATA,
# RESQUNN_TEST_JOBS (ctest -j, default 2), RESQUNN_SETUP_ARGS (extra
# arguments for setup.sh, e.g. "--no-apt"), RESQUNN_SANITIZERS (0: skip step 5),
# RESQUNN_MPICH (0: skip step 6), RESQUNN_KOKKOS4 (0: skip step 7), RESQUNN_CUDA
# (0: skip step 8), RESQUNN_DEVICE_DRY_RUN (0: skip step 9), RESQUNN_LINT (0: skip step 10;
# "changed": lint only what changed since the merge-base, lint.sh --changed).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if has_help_flag "$@"; then
  print_usage "${BASH_SOURCE[0]}"
  exit 0
fi

export RESQUNN_EXPECT_OPENMP=1

# has_python_tests DIR: true if DIR holds any *.py file.
has_python_tests() {
  [[ -d "$1" ]] && [[ -n "$(find "$1" -name '*.py' -print -quit)" ]]
}

main() {
  local -a setup_args=()
  read -r -a setup_args <<<"${RESQUNN_SETUP_ARGS:-}"
  "$REPO_ROOT/scripts/setup.sh" "${setup_args[@]}"
  "$REPO_ROOT/scripts/build.sh"

  log "fetch datasets"
  run "$RESQUNN_BUILD_DIR/bin/resqunn" data fetch

  local failed=()
  log "ctest"
  if ! run ctest --test-dir "$RESQUNN_BUILD_DIR" --output-on-failure \
    -j "${RESQUNN_TEST_JOBS:-2}" "$@"; then
    failed+=(ctest)
  fi

  local analysis_tests="$REPO_ROOT/analysis/tests"
  if has_python_tests "$analysis_tests"; then
    log "pytest analysis/tests"
    if ! (cd "$REPO_ROOT" && run "$SYSTEM_PYTHON" -m pytest -q -p no:cacheprovider analysis/tests); then
      failed+=(analysis-pytest)
    fi
  else
    note "no Python tests in analysis/tests; skipped"
  fi

  # Sanitized unit and MPI tests, and a short run of every fuzz target, in a
  # build of their own (Clang); skipped where Clang or libFuzzer is missing.
  if [[ "${RESQUNN_SANITIZERS:-1}" == 0 ]]; then
    note "RESQUNN_SANITIZERS=0: sanitizer checks skipped"
  elif ! RESQUNN_FUZZ_SECONDS="${RESQUNN_FUZZ_SECONDS:-20}" \
    "$REPO_ROOT/scripts/check-sanitizers.sh" --if-available; then
    failed+=(sanitizers)
  fi

  # The MPI and sweep tests again, built against MPICH in a build of their
  # own; skipped where MPICH cannot be installed.
  if [[ "${RESQUNN_MPICH:-1}" == 0 ]]; then
    note "RESQUNN_MPICH=0: MPICH checks skipped"
  elif ! "$REPO_ROOT/scripts/check-mpich.sh" --if-available; then
    failed+=(mpich)
  fi

  # The whole suite on Kokkos 4, in a build of its own (the main build is on
  # the default Kokkos); skipped where the snapshot is missing.
  if [[ "${RESQUNN_KOKKOS4:-1}" == 0 ]]; then
    note "RESQUNN_KOKKOS4=0: Kokkos 4 checks skipped"
  elif ! "$REPO_ROOT/scripts/check-kokkos4.sh" --if-available "$@"; then
    failed+=(kokkos4)
  fi

  # Every target built for CUDA against Kokkos 4, in a build of its own;
  # skipped where nvcc or the Kokkos snapshot is missing.
  if [[ "${RESQUNN_CUDA:-1}" == 0 ]]; then
    note "RESQUNN_CUDA=0: CUDA build check skipped"
  elif ! "$REPO_ROOT/scripts/check-cuda.sh" --if-available; then
    failed+=(cuda)
  fi

  # The GPU node's one command, on the CPU: it builds with Kokkos alone and
  # runs its kernel tests and bench, so it keeps working between GPU runs.
  if [[ "${RESQUNN_DEVICE_DRY_RUN:-1}" == 0 ]]; then
    note "RESQUNN_DEVICE_DRY_RUN=0: device check dry run skipped"
  else
    log "bench/device_check.sh on the CPU (dry run)"
    if ! KOKKOS_ROOT="$(kokkos_root)" DEVICE_CHECK_WORK="$RESQUNN_BUILD_DIR/device-check" \
      BATCH=8192 REPS=1 OMP_NUM_THREADS=1 OMP_PROC_BIND=false \
      "$REPO_ROOT/bench/device_check.sh" "$RESQUNN_BUILD_DIR/device-check-out"; then
      failed+=(device-dry-run)
    fi
  fi

  case "${RESQUNN_LINT:-1}" in
    0) note "RESQUNN_LINT=0: lint skipped" ;;
    changed) "$REPO_ROOT/scripts/lint.sh" --if-available --changed || failed+=(lint) ;;
    *) "$REPO_ROOT/scripts/lint.sh" --if-available || failed+=(lint) ;;
  esac

  if ((${#failed[@]})); then
    die "failed: ${failed[*]}"
  fi
  log "all tests passed"
}

main "$@"
