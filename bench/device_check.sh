#!/usr/bin/env bash
# One command for a GPU node: builds Kokkos (CUDA) and resqunn's quantum
# kernels, runs the kernel tests on the GPU, and measures circuits/s of both
# evaluators (n = 4 and 9, batches of 2^22). Needs bash, CMake >= 3.25, nvcc
# (CUDA 13 or older) with its host C++ compiler; nothing else of resqunn's
# stack (no MPI, HDF5, spdlog, toml++, CLI11, Google Benchmark) and no
# network. Meant to finish in under 8 minutes on a 16-core node.
#
# Usage: bench/device_check.sh OUTDIR     run everything, results in OUTDIR
#        bench/device_check.sh --prepare  copy what a node without ../shared
#                                         needs into .deps/device-src (ignored by git)
#
# A GPU node may get this repository alone, so the inputs live inside it:
#   .deps/device-src/kokkos-*.tar.gz, kokkos-cuda13.patch  the Kokkos 4.6.99 snapshot
#                        of ../shared/deps (or set KOKKOS_ROOT to an installed
#                        Kokkos with CUDA: >= 4.7.1 for CUDA 13)
#   .deps/device-src/googletest GoogleTest's source (Debian's /usr/src/googletest,
#                        used directly where it exists): without it the kernel
#                        tests are skipped
# --prepare puts both there. Settings (environment): KOKKOS_ARCH (Kokkos
# architecture option, default HOPPER90: H100/H200), JOBS (default nproc),
# BATCH (circuits per call, default 4194304), REPS (timed calls per case, 5),
# TEST_TIMEOUT (seconds per test program, 150), VARIANTS (1: also build and
# time the threads shape's variants, 4 qubits, into variants*.json), DEVICE_BUILD (a build folder
# of bench/device made elsewhere for this GPU and CUDA version: its programs
# run instead of building here).
#
# OUTDIR gets: env.txt (the node: GPU, driver, compilers), kokkos.log,
# build.log, test_<name>.log and .xml per kernel test, bench.json (one JSON
# object per case) and bench.txt (the table), summary.txt (each step's
# result and seconds), and device-check.tar.gz holding all of them.
# Exit status: 0 when every step passed, 1 otherwise
# (later steps still run where they can), 2 on a usage error. The builds go
# to DEVICE_CHECK_WORK (default .deps/device-check). With KOKKOS_ROOT set to a
# CPU Kokkos, the same steps run on the CPU (a dry run of the script).
set -uo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
# Steps report their own failures (summary.txt); later steps still run.
trap - ERR

if has_help_flag "$@"; then
  print_usage "${BASH_SOURCE[0]}"
  exit 0
fi
if [[ $# -ne 1 ]]; then
  echo "error: expected one argument, OUTDIR or --prepare (see bench/device_check.sh --help)" >&2
  exit 2
fi

SRC_DIR="$RESQUNN_DEPS_DIR/device-src"

if [[ "$1" == --prepare ]]; then
  set -e
  mkdir -p "$SRC_DIR"
  tarball="$(kokkos_snapshot 'kokkos-*.tar.gz')" || die "no Kokkos snapshot in ../shared/deps"
  cp -u "$tarball" "$SRC_DIR/"
  if patch_file="$(kokkos_snapshot kokkos-cuda13.patch)"; then cp -u "$patch_file" "$SRC_DIR/"; fi
  if [[ -d /usr/src/googletest ]]; then
    rm -rf "$SRC_DIR/googletest"
    cp -r /usr/src/googletest "$SRC_DIR/googletest"
  else
    warn "no /usr/src/googletest (apt-get install googletest): the kernel tests will be skipped"
  fi
  log "prepared $SRC_DIR ($(du -sh "$SRC_DIR" | cut -f1)); carry .deps/device-src to the GPU node"
  exit 0
fi

OUT="$(mkdir -p "$1" && cd "$1" && pwd -P)" || die "cannot create $1"
ARCH="${KOKKOS_ARCH:-HOPPER90}"
JOBS="${JOBS:-$(nproc)}"
RESQUNN_JOBS="$JOBS"
BATCH="${BATCH:-4194304}"
REPS="${REPS:-5}"
TEST_TIMEOUT="${TEST_TIMEOUT:-150}"
VARIANTS="${VARIANTS:-0}"
WORK="${DEVICE_CHECK_WORK:-$RESQUNN_DEPS_DIR/device-check}"
# GoogleTest's source: the prepared copy, else Debian's (machines with it).
GTEST_SRC=""
for dir in "$SRC_DIR/googletest" /usr/src/googletest; do
  if [[ -f "$dir/CMakeLists.txt" ]]; then
    GTEST_SRC="$dir"
    break
  fi
done
BUILD="${DEVICE_BUILD:-$WORK/build}"
failed=0
: >"$OUT/summary.txt"

# step NAME CMD...: run CMD, record NAME's status and seconds in summary.txt.
step() {
  local name="$1" start rc
  shift
  log "$name"
  start=$(date +%s)
  "$@"
  rc=$?
  printf '%-28s %s  %4ss\n' "$name" "$([[ $rc -eq 0 ]] && echo ok || echo "FAILED ($rc)")" \
    "$(($(date +%s) - start))" >>"$OUT/summary.txt"
  ((rc == 0)) || failed=1
  return "$rc"
}

environment() {
  {
    echo "date: $(date -u +%FT%TZ)"
    echo "host: $(uname -a)"
    echo "cpus: $(nproc)"
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1
    nvidia-smi 2>&1 | head -15
    command -v nvcc && nvcc --version
    for c in g++ c++ clang++; do command -v "$c" >/dev/null && "$c" --version | head -1; done
    cmake --version | head -1
    command -v ninja >/dev/null && echo "ninja $(ninja --version)"
    ldd --version 2>&1 | head -1
  } >"$OUT/env.txt" 2>&1
  # A CPU Kokkos (a dry run) needs no CUDA toolkit.
  if [[ -n "${KOKKOS_ROOT:-}" ]] && ! cuda_kokkos "$KOKKOS_ROOT"; then
    return 0
  fi
  command -v nvcc >/dev/null || {
    echo "nvcc not found: put the CUDA toolkit's bin on PATH" >&2
    return 1
  }
}

# cuda_kokkos PREFIX: true if the Kokkos installed at PREFIX has CUDA.
cuda_kokkos() {
  grep -qs '^#define KOKKOS_ENABLE_CUDA$' "$1/include/KokkosCore_config.h"
}

kokkos() {
  if [[ -n "${KOKKOS_ROOT:-}" ]]; then
    echo "using KOKKOS_ROOT=$KOKKOS_ROOT" >"$OUT/kokkos.log"
    return 0
  fi
  local generator=()
  command -v ninja >/dev/null && generator=(-G Ninja)
  KOKKOS_ROOT="$(build_kokkos_snapshot "$WORK/kokkos-cuda-$ARCH" "${generator[@]}" \
    -DCMAKE_CXX_COMPILER=@SRC@/bin/nvcc_wrapper -DKokkos_ENABLE_CUDA=ON \
    -DKokkos_ENABLE_SERIAL=ON "-DKokkos_ARCH_$ARCH=ON")"
  local rc=$?
  cp "$WORK/kokkos-cuda-$ARCH.log" "$OUT/kokkos.log" 2>/dev/null
  return "$rc"
}

build() {
  local generator=() gtest=() compiler=()
  command -v ninja >/dev/null && generator=(-G Ninja)
  [[ -n "$GTEST_SRC" ]] && gtest=("-DGTEST_SOURCE_DIR=$GTEST_SRC")
  # A Kokkos with CUDA compiles through its nvcc_wrapper; a CPU one (to try
  # this script on a laptop) with the default compiler.
  cuda_kokkos "$KOKKOS_ROOT" && compiler=("-DCMAKE_CXX_COMPILER=$KOKKOS_ROOT/bin/nvcc_wrapper")
  {
    cmake -S "$REPO_ROOT/bench/device" -B "$BUILD" "${generator[@]}" \
      "-DKokkos_ROOT=$KOKKOS_ROOT" "${compiler[@]}" \
      "-DRESQUNN_DEVICE_VARIANTS=$([[ "$VARIANTS" == 1 ]] && echo ON || echo OFF)" \
      "${gtest[@]}" &&
      cmake --build "$BUILD" -j "$JOBS"
  } >"$OUT/build.log" 2>&1
}

kernel_tests() {
  local t rc=0
  if [[ -z "$GTEST_SRC" ]]; then
    echo "no GoogleTest source: kernel tests skipped (bench/device_check.sh --prepare)" \
      >>"$OUT/summary.txt"
    return 0
  fi
  for t in shapes forward vjp batch compiled; do
    timeout "$TEST_TIMEOUT" "$BUILD/test_quantum_$t" --gtest_output="xml:$OUT/test_$t.xml" \
      >"$OUT/test_$t.log" 2>&1
    local r=$?
    printf '  test_quantum_%-10s %s\n' "$t" "$([[ $r -eq 0 ]] && echo passed ||
      { [[ $r -eq 124 ]] && echo "timed out (${TEST_TIMEOUT}s)" || echo "FAILED ($r)"; })" \
      >>"$OUT/summary.txt"
    ((r == 0)) || rc=1
  done
  return "$rc"
}

bench() {
  "$BUILD/device_bench" --batch "$BATCH" --reps "$REPS" --json "$OUT/bench.json" \
    2>&1 | tee "$OUT/bench.txt"
}

# The threads shape's variants (VARIANTS=1), 4 qubits only.
variants() {
  local v rc=0
  for v in _w2t32 _w1t64 _w1t16; do
    echo "## variant $v" | tee -a "$OUT/variants.txt"
    "$BUILD/device_bench$v" --batch "$BATCH" --reps "$REPS" --qubits 4 \
      --json "$OUT/variants$v.json" 2>&1 | tee -a "$OUT/variants.txt" || rc=1
  done
  return "$rc"
}

step "node and toolchain" environment || {
  cat "$OUT/summary.txt"
  exit 1
}
if [[ -n "${DEVICE_BUILD:-}" ]]; then
  echo "programs from DEVICE_BUILD=$DEVICE_BUILD (not built here)" >>"$OUT/summary.txt"
  built=1
elif step "Kokkos" kokkos && step "build" build; then
  built=1
else
  built=0
  tail -30 "$OUT/build.log" "$OUT/kokkos.log" 2>/dev/null
fi
if ((built)); then
  step "kernel tests" kernel_tests
  step "circuits/s" bench
  [[ "$VARIANTS" == 1 ]] && step "threads-shape variants" variants
fi
tar -czf "$OUT.tar.gz" -C "$OUT" --exclude device-check.tar.gz . && mv "$OUT.tar.gz" "$OUT/device-check.tar.gz"
log "summary ($OUT)"
cat "$OUT/summary.txt" >&2
exit "$failed"
