#!/usr/bin/env bash
# Checks a sweep spec, then submits it as a Slurm job.
#
# Usage: jobs/submit.sh [-t TEMPLATE] [-o RESULTS.h5] [-g GROUP_SIZE] SWEEP.toml [SBATCH_OPTION...]
#
#   1. `resqunn sweep plan SWEEP.toml`: an invalid spec is reported and
#      nothing is submitted (exit 2).
#   2. `sbatch [SBATCH_OPTION...] TEMPLATE SWEEP.toml RESULTS.h5`, with
#      absolute paths, and RESQUNN_BIN set to the binary that checked the spec.
#   3. Prints the job id and how to follow the job: the log (tail -f) and
#      `resqunn status RESULTS.h5`.
#
# Options (before SWEEP.toml; everything after it goes to sbatch):
#   -t, --template T   sweep (default: jobs/sweep.sbatch), requeue
#                      (jobs/sweep-requeue.sbatch: checkpoints and requeues
#                      itself before the time limit), multinode
#                      (jobs/sweep-multinode.sbatch), or a path to a job script
#                      taking the same arguments
#   -o, --output FILE  results file (default: the spec's sweep.output,
#                      relative to the current directory)
#   -g, --group-size G MPI ranks per group (exported as RESQUNN_GROUP_SIZE)
#   -h, --help         this text
#
# Examples:
#   jobs/submit.sh examples/sweep_quickstart.toml
#   jobs/submit.sh -t requeue -o /scratch/me/big.h5 big.toml --ntasks=16 --time=12:00:00
#
# Environment: RESQUNN_BIN (default: build/bin/resqunn of this repository),
# and everything the templates read (RESQUNN_DATA, MAX_RESTARTS, ...; see
# jobs/README.md), which sbatch passes on to the job.
#
# Exit status: 0 submitted, 2 invalid spec or usage (nothing submitted),
# 1 anything else (no binary, no sbatch, sbatch refused the job).
set -uo pipefail

JOBS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$JOBS_DIR/.." && pwd -P)"

usage() {
  local line
  while IFS= read -r line; do
    [[ "$line" == '#!'* ]] && continue
    [[ "$line" == '#'* ]] || break
    line="${line#\#}"
    printf '%s\n' "${line# }"
  done <"${BASH_SOURCE[0]}"
}
say() { echo "submit.sh: $*" >&2; }
die() {
  say "error: $1"
  exit "${2:-1}"
}

# absolute PATH: PATH made absolute against the current directory.
absolute() {
  case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "$PWD/${1#./}" ;;
  esac
}

template=sweep
output=""
group_size=""
while (($#)); do
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    -t | --template)
      (($# >= 2)) || die "$1 needs a value" 2
      template="$2"
      shift 2
      ;;
    -o | --output)
      (($# >= 2)) || die "$1 needs a value" 2
      output="$2"
      shift 2
      ;;
    -g | --group-size)
      (($# >= 2)) || die "$1 needs a value" 2
      group_size="$2"
      shift 2
      ;;
    --)
      shift
      break
      ;;
    -*) die "unknown option '$1' (sbatch options go after SWEEP.toml; see --help)" 2 ;;
    *) break ;;
  esac
done
(($# >= 1)) || {
  usage >&2
  exit 2
}
spec="$1"
shift
sbatch_args=("$@")

case "$template" in
  sweep | requeue | multinode)
    [[ "$template" == sweep ]] && script="$JOBS_DIR/sweep.sbatch" || script="$JOBS_DIR/sweep-$template.sbatch"
    ;;
  *) script="$(absolute "$template")" ;;
esac
[[ -f "$script" ]] || die "no job script $script (--template: sweep, requeue, multinode or a file)" 2
if [[ -n "$group_size" && ! "$group_size" =~ ^[1-9][0-9]*$ ]]; then
  die "--group-size must be a positive number, not '$group_size'" 2
fi
[[ -f "$spec" ]] || die "no sweep spec '$spec'" 2
spec="$(absolute "$spec")"

RESQUNN_BIN="$(absolute "${RESQUNN_BIN:-$REPO_ROOT/build/bin/resqunn}")"
[[ -x "$RESQUNN_BIN" ]] || die "no resqunn binary at $RESQUNN_BIN: build it (scripts/build.sh) or set RESQUNN_BIN"
export RESQUNN_BIN

# 1. The spec, checked by the binary the job will run: every point expanded
#    and validated, nothing trained. Errors go straight to the terminal.
plan="$("$RESQUNN_BIN" sweep plan "$spec")"
rc=$?
if ((rc == 2)); then
  die "invalid sweep spec $spec (see above); nothing submitted" 2
elif ((rc != 0)); then
  die "\`resqunn sweep plan $spec\` failed (exit $rc); nothing submitted"
fi
summary="$(head -n 1 <<<"$plan")"
total="$(grep -m 1 '^total:' <<<"$plan" || true)"
if [[ -z "$output" ]]; then
  output="$(sed -n 's/^results: *//p' <<<"$plan" | head -n 1)"
  [[ -n "$output" ]] || die "could not read the results file from \`resqunn sweep plan\`; pass -o RESULTS.h5"
fi
output="$(absolute "$output")"
echo "$summary"
[[ -n "$total" ]] && echo "$total"
if [[ -e "$output" ]]; then
  echo "results file exists: $output (the job resumes it if it holds this sweep)"
fi

# 2. Submit.
command -v sbatch >/dev/null 2>&1 || die "sbatch not found: run this on a Slurm login node"
[[ -n "$group_size" ]] && export RESQUNN_GROUP_SIZE="$group_size"
submitted="$(sbatch --parsable "${sbatch_args[@]}" "$script" "$spec" "$output")" ||
  die "sbatch refused the job (see above)"
job="${submitted%%;*}"
[[ "$job" =~ ^[0-9]+$ ]] || die "unexpected answer from sbatch: '$submitted'"

# 3. Where to look. The log path as Slurm resolved it (the template's
#    --output, or one given on the command line).
log="$(scontrol show job "$job" 2>/dev/null | sed -n 's/^ *StdOut=//p' | head -n 1)"
[[ -n "$log" ]] || log="$PWD/resqunn-sweep-$job.out"
log="${log//%j/$job}"
cat <<EOF
submitted job $job ($(basename "$script"))
  results: $output
  log:     $log
follow it:
  tail -f $log
  $RESQUNN_BIN status $output
stop it (checkpoints; submitting the same command again resumes):
  scancel $job
EOF
