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
