#!/usr/bin/env bash
# Shared helpers for the resqunn scripts (setup.sh, build.sh, test.sh,
# quickstart.sh, format.sh). Source it; do not execute it:
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# It defines logging (log, warn, die), privilege escalation (sudo_if_needed),
# the repository root and the common locations/settings, each of which can be
# overridden from the environment:
#
#   RESQUNN_BUILD_DIR  CMake build tree           (default: $REPO_ROOT/build)
#   RESQUNN_DEPS_DIR   project-local dependencies (default: $REPO_ROOT/.deps)
#   RESQUNN_JOBS       parallel build jobs        (default: nproc)
#
# It also exports the variables Open MPI needs to run as root (containers, CI).

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  echo "scripts/lib.sh holds helpers for the other scripts: source it, do not run it" >&2
  exit 2
fi
if [[ -n "${RESQUNN_LIB_SOURCED:-}" ]]; then
  return 0
fi
RESQUNN_LIB_SOURCED=1

# --- logging ---------------------------------------------------------------

# log MESSAGE...: one "==> step" line on stderr.
log() { printf '==> %s\n' "$*" >&2; }
# note MESSAGE...: a detail line under the current step.
note() { printf '    %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
# die MESSAGE...: print an error and exit 1.
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# Under `set -e`, name the command that stopped the script (otherwise it
# would end silently). Reported once, by the top-level shell.
_resqunn_on_error() {
  local rc="$1" line="$2" cmd="$3"
  # A function that returned an error: name what failed in it, if known.
  if [[ "$cmd" == return* && -n "${_RESQUNN_FAILED_RUN:-}" ]]; then
    cmd="$_RESQUNN_FAILED_RUN"
  fi
  if ((BASH_SUBSHELL == 0)); then
    printf 'error: command failed (exit %s) at %s:%s: %s\n' "$rc" "${BASH_SOURCE[1]:-?}" "$line" "$cmd" >&2
  fi
}
set -o errtrace
trap '_resqunn_on_error $? $LINENO "$BASH_COMMAND"' ERR

# run CMD...: print the command (as a shell-quoted line), then run it.
run() {
  local quoted
  printf -v quoted '%q ' "$@"
  printf '    $ %s\n' "${quoted% }" >&2
  # A failure is reported by the ERR trap where run was called.
  "$@" || {
    local rc=$?
    _RESQUNN_FAILED_RUN="${quoted% }"
    return "$rc"
  }
}

# --- privileges ------------------------------------------------------------

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# sudo_if_needed CMD...: run CMD directly as root, otherwise through sudo
# (non-interactively: never waits for a password). Fails if neither is
# possible. Pass environment with `sudo_if_needed env VAR=value CMD...`.
sudo_if_needed() {
  if is_root; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo --non-interactive "$@"
  else
    die "'$*' needs root, and sudo is not installed (run as root, or use --no-apt)"
  fi
}

# --- locations and settings -----------------------------------------------

# The repository root: the parent of the directory holding this file.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
# Debian's interpreter, which sees python3-pytest/h5py/numpy even when another
# python3 comes first on PATH (virtualenvs, conda).
SYSTEM_PYTHON=/usr/bin/python3
RESQUNN_BUILD_DIR="${RESQUNN_BUILD_DIR:-$REPO_ROOT/build}"
RESQUNN_DEPS_DIR="${RESQUNN_DEPS_DIR:-$REPO_ROOT/.deps}"
RESQUNN_JOBS="${RESQUNN_JOBS:-$(nproc 2>/dev/null || echo 2)}"
# Written by setup.sh, read by build.sh: KEY=VALUE lines (Kokkos_ROOT=...).
# shellcheck disable=SC2034
KOKKOS_ENV_FILE="$RESQUNN_DEPS_DIR/kokkos.env"
export REPO_ROOT SYSTEM_PYTHON RESQUNN_BUILD_DIR RESQUNN_DEPS_DIR RESQUNN_JOBS

# Open MPI refuses to start as root unless told otherwise (containers, CI).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

# kokkos_root: the Kokkos prefix to build against: $Kokkos_ROOT, else the one
# setup.sh recorded (build.sh and every check's own build use it).
kokkos_root() {
  if [[ -n "${Kokkos_ROOT:-}" ]]; then
    printf '%s\n' "$Kokkos_ROOT"
  elif read_kv "$KOKKOS_ENV_FILE" Kokkos_ROOT; then
    :
  else
    die "no Kokkos recorded in $KOKKOS_ENV_FILE: run scripts/setup.sh first (or set Kokkos_ROOT)"
  fi
}

# missing WHAT: a check's tool or input is missing: stop with WHAT, or, where
# the check runs with --if-available (its script sets if_available=1 and
# CHECK_NAME), exit 0 with a note that it was skipped.
missing() {
  if ((${if_available:-0})); then
    note "${CHECK_NAME:-check} skipped: $1"
    exit 0
  fi
  die "$1"
}

# kokkos_snapshot FILE: the path of FILE of the Kokkos 4 source snapshot
# (kokkos-*.tar.gz or kokkos-cuda13.patch), looked for in
# $RESQUNN_KOKKOS_SNAPSHOT_DIR, <repo>/.deps/device-src (what a GPU node that gets
# the repository alone has: bench/device_check.sh --prepare copies it there)
# and <repo>/../shared/deps (CI and developers' machines). Fails if absent.
kokkos_snapshot() {
  local dir f
  for dir in "${RESQUNN_KOKKOS_SNAPSHOT_DIR:-}" "$RESQUNN_DEPS_DIR/device-src" "$REPO_ROOT/../shared/deps"; do
    [[ -n "$dir" ]] || continue
    for f in "$dir"/$1; do
      if [[ -f "$f" ]]; then
        printf '%s\n' "$f"
        return 0
      fi
    done
  done
  return 1
}

# build_kokkos_snapshot PREFIX CMAKE_ARG...: configure, build and install the
# Kokkos source snapshot (patched for CUDA 13) into PREFIX with CMAKE_ARGs,
# unless PREFIX holds an install made with the same snapshot and arguments.
# @SRC@ in an argument stands for the unpacked source (e.g.
# -DCMAKE_CXX_COMPILER=@SRC@/bin/nvcc_wrapper). Its log goes to PREFIX.log.
# Prints PREFIX.
build_kokkos_snapshot() {
  local prefix="$1"
  shift
  local tarball patch stamp work
  tarball="$(kokkos_snapshot 'kokkos-*.tar.gz')" ||
    die "no Kokkos source snapshot (kokkos-*.tar.gz) in .deps/device-src or ../shared/deps (see ../shared/deps/README.md)"
  patch="$(kokkos_snapshot kokkos-cuda13.patch)" || patch=""
  stamp="$(basename "$tarball") ${patch:+patched} $*"
  if [[ -f "$prefix/.resqunn-stamp" && "$(cat "$prefix/.resqunn-stamp")" == "$stamp" ]]; then
    printf '%s\n' "$prefix"
    return 0
  fi
  work="$prefix.work"
  rm -rf "$work" "$prefix"
  mkdir -p "$work"
  {
    tar -xzf "$tarball" -C "$work"
    if [[ -n "$patch" ]]; then
      patch -p1 -d "$work/kokkos" <"$patch"
    fi
    cmake -S "$work/kokkos" -B "$work/build" -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_INSTALL_PREFIX="$prefix" "${@//@SRC@/$work/kokkos}"
    cmake --build "$work/build" -j "$RESQUNN_JOBS"
    cmake --install "$work/build"
  } >"$prefix.log" 2>&1 || die "building Kokkos into $prefix failed: see $prefix.log"
  # The source stays: Kokkos' config records the compiler it was built with
  # (for CUDA: the snapshot's bin/nvcc_wrapper, @SRC@ in the arguments).
  printf '%s\n' "$stamp" >"$prefix/.resqunn-stamp"
  rm -rf "$work/build"
  printf '%s\n' "$prefix"
}

# kokkos4_cpu_root: Kokkos 4 (OpenMP + Serial) for CPUs from the snapshot,
# built once into .deps/kokkos-4-openmp with the default compiler; prints
# its prefix, or fails (status 1, nothing printed) without the snapshot.
# check-kokkos4.sh (the whole suite) and the MPICH and sanitizer variants
# build against it, so that CI runs resqunn on Kokkos 4 as well as on the
# default 3.4.1. Not safe to run twice at once (the scripts run in turn).
kokkos4_cpu_root() {
  kokkos_snapshot 'kokkos-*.tar.gz' >/dev/null || return 1
  build_kokkos_snapshot "$RESQUNN_DEPS_DIR/kokkos-4-openmp" -DCMAKE_CXX_COMPILER="${CXX:-g++}" \
    -DKokkos_ENABLE_OPENMP=ON -DKokkos_ENABLE_SERIAL=ON
}

# variant_kokkos_root: the Kokkos a check variant (MPICH, sanitizers) builds
# against: Kokkos 4 (kokkos4_cpu_root) where the snapshot is there, unless
# RESQUNN_VARIANT_KOKKOS=default; else kokkos_root.
variant_kokkos_root() {
  if [[ "${RESQUNN_VARIANT_KOKKOS:-4}" != default ]] && kokkos_snapshot 'kokkos-*.tar.gz' >/dev/null; then
    kokkos4_cpu_root
  else
    kokkos_root
  fi
}

# mpi_local_defaults: settings for running several ranks on one small machine
# (the same as the MPI tests use); variables already set are left alone.
mpi_local_defaults() {
  # Oversubscribed ranks must yield, or they spin against each other.
  export OMPI_MCA_mpi_yield_when_idle="${OMPI_MCA_mpi_yield_when_idle:-1}"
  export OMPI_MCA_rmaps_base_oversubscribe="${OMPI_MCA_rmaps_base_oversubscribe:-1}"
  # Two ranks each spawning all-core OpenMP pools would thrash.
  export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
  export OMP_PROC_BIND="${OMP_PROC_BIND:-false}"
}

# read_kv FILE KEY: print the value of KEY=VALUE in FILE (no shell evaluation).
read_kv() {
  local file="$1" key="$2" line
  [[ -r "$file" ]] || return 1
  while IFS= read -r line || [[ -n "$line" ]]; do
    if [[ "$line" == "$key="* ]]; then
      printf '%s\n' "${line#"$key="}"
      return 0
    fi
  done <"$file"
  return 1
}

# cmake_cache_value BUILD_DIR KEY: print KEY's value from
# BUILD_DIR/CMakeCache.txt (nothing if there is no cache or no such key).
cmake_cache_value() {
  [[ -f "$1/CMakeCache.txt" ]] || return 0
  sed -n -E "s/^$2:[A-Z]+=(.*)$/\\1/p" "$1/CMakeCache.txt" | head -n 1
}

# has_help_flag ARGS...: true if -h or --help is among ARGS.
has_help_flag() {
  local a
  for a in "$@"; do
    [[ "$a" == "-h" || "$a" == "--help" ]] && return 0
  done
  return 1
}

# print_usage FILE: print the leading comment block of FILE (after the
# shebang) without the "# " prefixes; the scripts' --help text.
print_usage() {
  local line
  while IFS= read -r line; do
    [[ "$line" == '#!'* ]] && continue
    [[ "$line" == '#'* ]] || break
    line="${line#\#}"
    printf '%s\n' "${line# }"
  done <"$1"
}
