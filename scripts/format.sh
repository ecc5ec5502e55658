#!/usr/bin/env bash
# Formats the C++ sources (*.hpp, *.cpp under src/ tests/ bench/ examples/)
# with clang-format and the repository's .clang-format.
#
# Usage: scripts/format.sh [--check] [--help]
#
#   (default)  rewrite the files in place (clang-format -i)
#   --check    change nothing; list the formatting problems and exit
#              non-zero if there are any (clang-format --dry-run -Werror)
#
# Files are those git tracks plus untracked ones it does not ignore (outside
# a git checkout: all matching files). CLANG_FORMAT selects the binary
# (default: clang-format).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FORMAT_DIRS=(src tests bench examples)

# list_sources: the C++ files to format, NUL-separated, relative to REPO_ROOT.
list_sources() {
  local -a specs=()
  local d
  for d in "${FORMAT_DIRS[@]}"; do
    specs+=("$d/*.hpp" "$d/*.cpp")
  done
  if git -C "$REPO_ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # In git pathspecs `*` also matches `/`, so these cover subdirectories.
    git -C "$REPO_ROOT" ls-files -z --cached --others --exclude-standard -- "${specs[@]}" |
      sort -zu
  else
    local -a existing=()
    for d in "${FORMAT_DIRS[@]}"; do
      [[ -d "$REPO_ROOT/$d" ]] && existing+=("$d")
    done
    ((${#existing[@]})) || return 0
    (cd "$REPO_ROOT" && find "${existing[@]}" -type f \( -name '*.hpp' -o -name '*.cpp' \) -print0 | sort -z)
  fi
}

main() {
  local check=0
  while (($#)); do
    case "$1" in
      --check) check=1 ;;
      -h | --help)
        print_usage "${BASH_SOURCE[0]}"
        return 0
        ;;
      *) die "unknown argument '$1' (see --help)" ;;
    esac
    shift
  done
  local clang_format="${CLANG_FORMAT:-clang-format}"
  command -v "$clang_format" >/dev/null 2>&1 ||
    die "$clang_format not found (scripts/setup.sh installs Debian's clang-format)"
  [[ -f "$REPO_ROOT/.clang-format" ]] ||
    warn "no .clang-format in $REPO_ROOT: clang-format falls back to its default style"

  local -a files=()
  mapfile -d '' -t files < <(list_sources)
  # Files git still lists but that were deleted in the working tree.
  local -a present=()
  local f
  for f in "${files[@]}"; do
    [[ -f "$REPO_ROOT/$f" ]] && present+=("$f")
  done
  if ((${#present[@]} == 0)); then
    log "no C++ files to format"
    return 0
  fi

  cd "$REPO_ROOT"
  if ((check)); then
    log "checking the format of ${#present[@]} files ($("$clang_format" --version))"
    if ! printf '%s\0' "${present[@]}" | xargs -0 "$clang_format" --dry-run -Werror; then
      die "some files are not formatted; run scripts/format.sh"
    fi
    log "all ${#present[@]} files are formatted"
  else
    log "formatting ${#present[@]} files ($("$clang_format" --version))"
    printf '%s\0' "${present[@]}" | xargs -0 "$clang_format" -i
    log "done"
  fi
}

main "$@"
