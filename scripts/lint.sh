#!/usr/bin/env bash
# Runs clang-tidy with the repository's .clang-tidy (bugprone-*, performance-*,
# mpi-*, a few readability-* checks, e.g. no function over 80 lines; every
# finding is an error) over the C++ sources of src/resqunn/, using the build
# tree's compile_commands.json, in parallel. Exits non-zero on any finding
# and ends with a summary (findings per check and per file, time taken).
#
# Usage: scripts/lint.sh [--changed [REF]] [--if-available] [FILE...] [--help]
#
#   (default)      every src/resqunn/**/*.cpp (their headers through them)
#   FILE...        only these .cpp files (paths relative to the repository)
#   --changed REF  only the .cpp files changed since the merge-base with REF
#                  (default: origin/HEAD, else main), uncommitted and
#                  untracked changes included, and the .cpp files that
#                  directly include a changed src/resqunn header: a quick
#                  check before pushing; the full run stays the reference
#   --if-available exit 0 with a note when clang-tidy is not installed (CI)
#
#   run-clang-tidy-14 -p $RESQUNN_BUILD_DIR -j $RESQUNN_JOBS -quiet FILE...
#   (xargs -P $RESQUNN_JOBS clang-tidy ... when run-clang-tidy is missing)
#
# The build tree must be configured (scripts/build.sh); a source file that
# is not in its compile_commands.json is reported and skipped. The whole
# clang-tidy output is kept in $RESQUNN_BUILD_DIR/clang-tidy.log. A full run
# costs about 8 CPU-minutes (about 4 minutes on 2 idle cores, 12 on a busy
# 2-core machine): before pushing, --changed is the quick check.
#
# Environment: RESQUNN_BUILD_DIR (default: <repo>/build), RESQUNN_JOBS
# (default: nproc), CLANG_TIDY (default: clang-tidy-14, else clang-tidy),
# RUN_CLANG_TIDY (default: run-clang-tidy-14, else run-clang-tidy; "xargs":
# do without).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LINT_DIR=src/resqunn

# first_command NAME...: print the path of the first NAME that is installed.
first_command() {
  local c
  for c in "$@"; do
    if command -v "$c" >/dev/null 2>&1; then
      command -v "$c"
      return 0
    fi
  done
  return 1
}

# all_sources: every .cpp under LINT_DIR, relative to REPO_ROOT, one a line
# (those git tracks plus untracked ones it does not ignore).
all_sources() {
  if git -C "$REPO_ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git -C "$REPO_ROOT" ls-files --cached --others --exclude-standard -- "$LINT_DIR/*.cpp" |
      sort -u
  else
    (cd "$REPO_ROOT" && find "$LINT_DIR" -type f -name '*.cpp' | sort)
  fi
}

# changed_sources BASE: the .cpp files changed since commit BASE (in the
# working tree too), and those that directly include a changed header.
changed_sources() {
  local base="$1"
  local -a paths=()
  mapfile -t paths < <(
    git -C "$REPO_ROOT" diff --name-only "$base" -- "$LINT_DIR/*.cpp" "$LINT_DIR/*.hpp"
    git -C "$REPO_ROOT" ls-files --others --exclude-standard -- "$LINT_DIR/*.cpp" "$LINT_DIR/*.hpp"
  )
  local f
  for f in "${paths[@]}"; do
    [[ -f "$REPO_ROOT/$f" ]] || continue
    case "$f" in
      *.cpp) printf '%s\n' "$f" ;;
      *.hpp)
        # grep exits 1 when no file includes it.
        (cd "$REPO_ROOT" && grep -rlF --include='*.cpp' "#include \"${f#src/}\"" "$LINT_DIR") || :
        ;;
    esac
  done | sort -u
}

# default_ref: the branch --changed compares with when none is named.
default_ref() {
  if git -C "$REPO_ROOT" rev-parse --verify -q origin/HEAD >/dev/null; then
    echo origin/HEAD
  else
    echo main
  fi
}

# database_files DB: the absolute paths of the files in compile_commands.json.
database_files() {
  sed -n -E 's/^[[:space:]]*"file":[[:space:]]*"(.*)",?[[:space:]]*$/\1/p' "$1" | sort -u
}

# regex_quote TEXT: TEXT with the characters special to Python's re escaped.
# shellcheck disable=SC2016 # the $ is sed's text, not the shell's
regex_quote() { printf '%s' "$1" | sed -e 's/[][\.*^$()+?{}|]/\\&/g'; }

# tidy_output TIDY LOG: clang-tidy's output (stdin), without colours, into
# LOG; on stderr, one line per file checked (for the invocation TIDY ...)
# and the diagnostics.
tidy_output() {
  local tidy="$1" line
  sed -u -e 's/\x1b\[[0-9;]*m//g' | tee "$2" | while IFS= read -r line; do
    case "$line" in
      "$tidy "*" -p="*) note "${line##* "$REPO_ROOT"/}" ;;
      *" warning generated." | *" warnings generated." | "Suppressed "*) ;;
      *) printf '%s\n' "$line" >&2 ;;
    esac
  done
}

# run_xargs TIDY BUILD_DIR FILE...: run-clang-tidy's work without it: one
# clang-tidy per file, RESQUNN_JOBS at a time, each file's output in one piece.
run_xargs() {
  local tidy="$1" build="$2"
  shift 2
  local tmp rc=0
  tmp="$(mktemp -d)"
  # shellcheck disable=SC2016
  printf '%s\0' "$@" | xargs -0 -n 1 -P "$RESQUNN_JOBS" sh -c '
    out="$(mktemp "$0/tidy.XXXXXX")"
    "$1" --quiet -p="$2" "$3" >"$out" 2>&1; rc=$?
    { echo "$1 --quiet -p=$2 $3"; cat "$out"; } >"$out.done"; rm -f "$out"
    exit $((rc != 0))' "$tmp" "$tidy" "$build" || rc=1
  cat "$tmp"/*.done 2>/dev/null || true
  rm -rf "$tmp"
  return "$rc"
}

# summarize LOG SECONDS FILES: the findings in LOG, each counted once (a
# header's finding comes once per file that includes it).
summarize() {
  local log="$1" seconds="$2" files="$3" findings
  findings="$(sed -n -E 's/^(\/[^:]+:[0-9]+:[0-9]+): (warning|error): .* \[([^],]+)(,-warnings-as-errors)?\]$/\1 \3/p' "$log" |
    sort -u)"
  local elapsed
  elapsed="$(printf '%dm%02ds' $((seconds / 60)) $((seconds % 60)))"
  if [[ -z "$findings" ]]; then
    log "clang-tidy: no findings ($files files checked in $elapsed)"
    return 0
  fi
  log "clang-tidy: $(wc -l <<<"$findings") findings ($files files checked in $elapsed); log: $log"
  note "by check:"
  awk '{ print $2 }' <<<"$findings" | sort | uniq -c | sort -rn |
    awk '{ printf "      %4d  %s\n", $1, $2 }' >&2
  note "by file:"
  awk '{ sub(/:[0-9]+:[0-9]+$/, "", $1); print $1 }' <<<"$findings" |
    sed "s|^$REPO_ROOT/||" | sort | uniq -c | sort -rn |
    awk '{ printf "      %4d  %s\n", $1, $2 }' >&2
}

main() {
  local changed=0 ref="" if_available=0
  local -a requested=()
  while (($#)); do
    case "$1" in
      --changed)
        changed=1
        if [[ $# -gt 1 && "$2" != -* && ! -f "$REPO_ROOT/$2" ]]; then
          ref="$2"
          shift
        fi
        ;;
      --if-available) if_available=1 ;;
      -h | --help)
        print_usage "${BASH_SOURCE[0]}"
        return 0
        ;;
      -*) die "unknown option '$1' (see --help)" ;;
      *) requested+=("$1") ;;
    esac
    shift
  done

  local tidy runner=""
  if ! tidy="$(first_command ${CLANG_TIDY:+"$CLANG_TIDY"} clang-tidy-14 clang-tidy)"; then
    if ((if_available)); then
      note "clang-tidy is not installed: lint skipped (apt-get install clang-tidy)"
      return 0
    fi
    die "clang-tidy not found (apt-get install clang-tidy, or set CLANG_TIDY)"
  fi
  if [[ "${RUN_CLANG_TIDY:-}" != xargs ]]; then
    runner="$(first_command ${RUN_CLANG_TIDY:+"$RUN_CLANG_TIDY"} run-clang-tidy-14 run-clang-tidy)" || :
  fi

  local db="$RESQUNN_BUILD_DIR/compile_commands.json"
  [[ -f "$db" ]] || die "no $db: configure the build first (scripts/build.sh)"
  [[ -f "$REPO_ROOT/.clang-tidy" ]] || die "no .clang-tidy in $REPO_ROOT"

  local -a sources=()
  if ((${#requested[@]})); then
    ((changed == 0)) || die "give either --changed or FILEs, not both"
    sources=("${requested[@]}")
  elif ((changed)); then
    ref="${ref:-$(default_ref)}"
    local base
    base="$(git -C "$REPO_ROOT" merge-base HEAD "$ref")" ||
      die "no merge-base of HEAD and '$ref' (name another REF: scripts/lint.sh --changed REF)"
    note "files changed since $(git -C "$REPO_ROOT" rev-parse --short "$base") (the merge-base with $ref)"
    mapfile -t sources < <(changed_sources "$base")
  else
    mapfile -t sources < <(all_sources)
  fi

  # Keep the files the build knows how to compile.
  local -a known=() files=() regexes=()
  mapfile -t known < <(database_files "$db")
  local -A in_db=()
  local f
  for f in "${known[@]}"; do in_db["$f"]=1; done
  local missing=0
  for f in "${sources[@]}"; do
    f="${f#"$REPO_ROOT"/}"
    f="${f#./}"
    [[ -f "$REPO_ROOT/$f" ]] || die "no such file: $f"
    if [[ -n "${in_db["$REPO_ROOT/$f"]:-}" ]]; then
      files+=("$REPO_ROOT/$f")
      regexes+=("^$(regex_quote "$REPO_ROOT/$f")\$")
    else
      warn "$f is not in $db (re-run scripts/build.sh to configure it): not checked"
      missing=$((missing + 1))
    fi
  done
  if ((${#files[@]} == 0)); then
    log "no files to lint"
    return 0
  fi

  local log_file="$RESQUNN_BUILD_DIR/clang-tidy.log" rc=0
  log "clang-tidy: ${#files[@]} files, $RESQUNN_JOBS jobs ($("$tidy" --version | sed -n 's/.*LLVM version /LLVM /p'))"
  SECONDS=0
  if [[ -n "$runner" ]]; then
    # It takes regular expressions, matched against the database's paths.
    note "\$ $runner -clang-tidy-binary $tidy -p $RESQUNN_BUILD_DIR -j $RESQUNN_JOBS -quiet <${#files[@]} files>"
    "$runner" -clang-tidy-binary "$tidy" -p "$RESQUNN_BUILD_DIR" -j "$RESQUNN_JOBS" -quiet \
      "${regexes[@]}" 2>&1 | tidy_output "$tidy" "$log_file" || rc=$?
  else
    note "without run-clang-tidy: xargs -P $RESQUNN_JOBS $tidy"
    run_xargs "$tidy" "$RESQUNN_BUILD_DIR" "${files[@]}" 2>&1 | tidy_output "$tidy" "$log_file" || rc=$?
  fi
  summarize "$log_file" "$SECONDS" "${#files[@]}"
  ((missing == 0)) || warn "$missing source files were not checked (not in $db)"
  if ((rc != 0)) || grep -qE '^/[^:]+:[0-9]+:[0-9]+: (warning|error): ' "$log_file"; then
    die "clang-tidy found problems (see above; fix them, or suppress a false positive with NOLINTNEXTLINE(check) and a reason)"
  fi
}

main "$@"
