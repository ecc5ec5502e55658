#!/usr/bin/env bash
# Regenerates docs/results/ (the paper and depth-scaling findings) from the
# study sweeps' results files. Assumes a build (scripts/build.sh) and the
# datasets (resqunn data fetch), as after scripts/quickstart.sh.
#
# Usage: scripts/results.sh [--run] [--from-tables] [--help]
#
#   (default)      extract the per-point tables from results/paper.h5 and
#                  results/depth_scaling.h5 into docs/results/tables/, then
#                  write docs/results/README.md and its figures from them, and
#                  the "Results" summary of README.md
#   --run          first run (or resume) both sweeps on 2 MPI ranks:
#                    mpirun -n 2 resqunn sweep run examples/paper.toml \
#                           -o results/paper.h5
#                    mpirun -n 2 resqunn sweep run examples/depth_scaling.toml \
#                           -o results/depth_scaling.h5
#                  (about 6 and 8 minutes on 2 cores; finished points are
#                  skipped on a re-run)
#   --from-tables  only rewrite the page from the committed tables
#
# Environment: RESQUNN_BUILD_DIR, RESQUNN_RESULTS (folder of the .h5 files,
# default results/), RESQUNN_RANKS (default 2).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if has_help_flag "$@"; then
  print_usage "${BASH_SOURCE[0]}"
  exit 0
fi

do_run=0
extract=1
for a in "$@"; do
  case "$a" in
    --run) do_run=1 ;;
    --from-tables) extract=0 ;;
    *) die "unknown argument: $a (see --help)" ;;
  esac
done
((do_run == 0 || extract == 1)) || die "--run and --from-tables exclude each other"

RESULTS="${RESQUNN_RESULTS:-$REPO_ROOT/results}"
RANKS="${RESQUNN_RANKS:-2}"
OUT="$REPO_ROOT/docs/results"
BIN="$RESQUNN_BUILD_DIR/bin/resqunn"

if ((do_run)); then
  [[ -x "$BIN" ]] || die "no resqunn binary at $BIN: run scripts/build.sh first"
  export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
  mkdir -p "$RESULTS"
  for study in paper depth_scaling; do
    log "sweep $study on $RANKS ranks"
    run mpirun -n "$RANKS" "$BIN" sweep run "$REPO_ROOT/examples/$study.toml" \
      -o "$RESULTS/$study.h5"
  done
fi

args=(-o "$OUT" --readme "$REPO_ROOT/README.md")
if ((extract)); then
  for study in paper depth_scaling; do
    [[ -f "$RESULTS/$study.h5" ]] ||
      die "$RESULTS/$study.h5 does not exist: run the sweep (scripts/results.sh --run), or use --from-tables"
  done
  args+=(--paper "$RESULTS/paper.h5" --depth "$RESULTS/depth_scaling.h5")
fi
log "docs/results"
PYTHONPATH="$REPO_ROOT/analysis" run "$SYSTEM_PYTHON" -m resqunn_analysis studies "${args[@]}"
