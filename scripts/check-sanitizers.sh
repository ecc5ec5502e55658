#!/usr/bin/env bash
# Sanitizer and fuzzing checks: one Clang build with AddressSanitizer +
# UndefinedBehaviorSanitizer and libFuzzer's coverage instrumentation, then
#   1. the unit tests (ctest -L unit) and the MPI tests at 2 ranks, sanitized;
#   2. each libFuzzer target of fuzz/ for RESQUNN_FUZZ_SECONDS (default 60),
#      from a seed corpus of examples/ and fuzz/corpus/.
# A finding fails the script; libFuzzer leaves the input that found it in
# $RESQUNN_SANITIZE_BUILD_DIR/fuzz-findings/<target>/ (turn it into a
# regression test). docs/bad-input.md, "Fuzzing and sanitizers", has the long
# runs.
#
# Usage: scripts/check-sanitizers.sh [--if-available] [--fuzz-only] [--help]
#
#   --if-available  exit 0 with a note when clang++-14 or libFuzzer (Debian
#                   libclang-rt-14-dev) is missing, instead of failing
#   --fuzz-only     build and run only the fuzz targets
#
# Environment: RESQUNN_SANITIZE_BUILD_DIR (default: <repo>/build-sanitize),
# RESQUNN_FUZZ_SECONDS, RESQUNN_JOBS, RESQUNN_DEPS_DIR, RESQUNN_VARIANT_KOKKOS
# (Kokkos 4 from the ../shared/deps snapshot, built once into
# .deps/kokkos-4-openmp, where it is there; "default": scripts/setup.sh's, as
# for scripts/build.sh).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if has_help_flag "$@"; then
  print_usage "${BASH_SOURCE[0]}"
  exit 0
fi

BUILD_DIR="${RESQUNN_SANITIZE_BUILD_DIR:-$REPO_ROOT/build-sanitize}"
FUZZ_SECONDS="${RESQUNN_FUZZ_SECONDS:-60}"
CLANGXX=clang++-14
CLANG=clang-14
FUZZERS=(fuzz_idx fuzz_run_config fuzz_sweep_spec fuzz_residual fuzz_circuit_request)

if_available=0
fuzz_only=0
for arg in "$@"; do
  case "$arg" in
    --if-available) if_available=1 ;;
    --fuzz-only) fuzz_only=1 ;;
    *) die "unknown argument '$arg' (see --help)" ;;
  esac
done

CHECK_NAME="sanitizer checks"

command -v "$CLANGXX" >/dev/null || missing "$CLANGXX not found (apt-get install clang-14)"
if ! "$CLANGXX" -print-file-name=libclang_rt.fuzzer-x86_64.a | grep -q /; then
  missing "libFuzzer not found (apt-get install libclang-rt-14-dev)"
fi

kokkos_root="$(variant_kokkos_root)"
note "Kokkos at $kokkos_root"

log "configure the sanitizer build in $BUILD_DIR"
run cmake -S "$REPO_ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER="$CLANGXX" -DCMAKE_C_COMPILER="$CLANG" -DKokkos_ROOT="$kokkos_root" \
  -DRESQUNN_SANITIZE=ON -DRESQUNN_FUZZ=ON -DRESQUNN_BUILD_BENCHMARKS=OFF

targets=(resqunn_fuzzers)
((fuzz_only)) || targets+=(resqunn_tests)
log "build ${targets[*]}"
run cmake --build "$BUILD_DIR" -j "$RESQUNN_JOBS" --target "${targets[@]}"

failed=()
# Leaks are errors in resqunn's own tests; MPI's libraries keep theirs until
# exit, so the MPI tests check everything but leaks. Open MPI's memory hooks
# and ASan's allocator must not both patch malloc.
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
if ((!fuzz_only)); then
  log "unit tests, sanitized"
  if ! ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" run ctest --test-dir "$BUILD_DIR" \
    --output-on-failure -j "${RESQUNN_TEST_JOBS:-2}" -L unit; then
    failed+=(unit)
  fi
  log "MPI tests at 2 ranks, sanitized"
  if ! ASAN_OPTIONS="detect_leaks=0:abort_on_error=1" OMPI_MCA_memory=^patcher \
    run ctest --test-dir "$BUILD_DIR" --output-on-failure -j 1 -L mpi -R 'np2$'; then
    failed+=(mpi)
  fi
fi

# seed_corpus TARGET DIR: the committed seeds plus what examples/ offers.
seed_corpus() {
  local target=$1 dir=$2
  mkdir -p "$dir"
  if [[ -d "$REPO_ROOT/fuzz/corpus/$target" ]]; then
    cp "$REPO_ROOT/fuzz/corpus/$target"/* "$dir"/
  fi
  local f
  for f in "$REPO_ROOT"/examples/*.toml; do
    case "$target" in
      fuzz_sweep_spec) grep -q '^\[sweep\]' "$f" && cp "$f" "$dir"/ ;;
      fuzz_run_config) grep -q '^\[sweep\]' "$f" || cp "$f" "$dir"/ ;;
    esac
  done
  return 0
}

log "fuzz each target for ${FUZZ_SECONDS}s"
for target in "${FUZZERS[@]}"; do
  corpus="$BUILD_DIR/fuzz-corpus/$target"
  findings="$BUILD_DIR/fuzz-findings/$target"
  rm -rf "$findings"
  mkdir -p "$findings"
  seed_corpus "$target" "$corpus"
  # -rss_limit_mb: a parser that wants more than 2 GiB for a few kB of input
  # is a finding too; -timeout likewise for one input that takes 30 s.
  if ! ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" run "$BUILD_DIR/fuzz/$target" \
    -max_total_time="$FUZZ_SECONDS" -max_len=8192 -timeout=30 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$findings/" "$corpus" 2>"$findings/log.txt"; then
    tail -n 40 "$findings/log.txt" >&2
    failed+=("$target")
  else
    grep -E '^(stat::number_of_executed_units|cov:|#[0-9]+.*DONE)' "$findings/log.txt" \
      | tail -n 2 >&2 || true
  fi
done

if ((${#failed[@]})); then
  die "sanitizer checks failed: ${failed[*]}"
fi
log "sanitizer checks passed"
