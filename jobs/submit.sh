#!/usr/bin/env bash
# Checks a sweep spec, then submits it as a Slurm job.
#
# Usage: jobs/submit.sh [-t TEMPLATE] [-o RESULTS.h5] [-g GROUP_SIZE] SWEEP.toml [SBATCH_OPTION...]
#
#   1. `resqunn sweep plan SWEEP.toml`: an invalid spec is reported and
#      nothing is submitted (exit 2).
#   2. `sbatch [PRESET...] [SBATCH_OPTION...] jobs/sweep.sbatch SWEEP.toml RESULTS.h5`,
#      with absolute paths, and RESQUNN_BIN set to the binary that checked the spec.
#   3. Prints the job id and how to follow the job: the log (tail -f) and
#      `resqunn status RESULTS.h5`.
#
# Options (before SWEEP.toml; everything after it goes to sbatch, after the
# preset, so it overrides both the preset and the script's #SBATCH lines):
#   -t, --template T   sweep (default): jobs/sweep.sbatch as it is; or a preset
#                      of it that stands for one of the former templates:
#                        requeue    MAX_RESTARTS=10 (unless set) --time=04:00:00:
#                                   checkpoints and requeues itself before the
#                                   time limit until the sweep is done
#                        multinode  --nodes=2 --ntasks-per-node=4
#                                   --cpus-per-task=4 --exclusive --time=04:00:00
#                      or a path to a job script taking the same arguments
#   -o, --output FILE  results file (default: the spec's sweep.output,
#                      relative to the current directory)
#   -g, --group-size G MPI ranks per group (exported as RESQUNN_GROUP_SIZE)
#   -h, --help         this text
#
# --ntasks-per-node without --ntasks: submit.sh adds --ntasks=NODES x
# NTASKS_PER_NODE, since the script's `#SBATCH --ntasks` would take precedence.
#
# Examples:
#   jobs/submit.sh examples/sweep_quickstart.toml
#   jobs/submit.sh -t requeue -o /scratch/me/big.h5 big.toml --ntasks=16 --time=12:00:00
#   jobs/submit.sh -t multinode -g 4 big.toml --nodes=4      # 16 ranks of 4 threads
#
# Environment: RESQUNN_BIN (default: the build/bin/resqunn of this checkout,
# RESQUNN_BUILD_DIR as in scripts/), and everything the job script reads
# (RESQUNN_DATA, MAX_RESTARTS, ...; see jobs/README.md), which sbatch passes on
# to the job.
#
# Exit status: 0 submitted, 2 invalid spec or usage (nothing submitted),
# 1 anything else (no binary, no sbatch, sbatch refused the job).
set -uo pipefail

JOBS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
# The checkout's helpers: RESQUNN_BUILD_DIR (where build.sh builds), print_usage.
# shellcheck source=scripts/lib.sh
source "$JOBS_DIR/../scripts/lib.sh"
# lib.sh reports failed commands of `set -e` scripts (an ERR trap); this one
# checks the exit statuses it cares about itself.
trap - ERR
set +o errtrace

usage() { print_usage "${BASH_SOURCE[0]}"; }
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

# The former templates jobs/sweep-requeue.sbatch and jobs/sweep-multinode.sbatch
# are presets of jobs/sweep.sbatch now; their paths still work.
case "$template" in
  sweep-requeue.sbatch | */sweep-requeue.sbatch | sweep-multinode.sbatch | */sweep-multinode.sbatch)
    if [[ ! -f "$template" ]]; then
      old="$template"
      template="${template##*sweep-}"
      template="${template%.sbatch}"
      say "$old is gone: jobs/sweep.sbatch does it (-t $template); submitting that"
    fi
    ;;
esac
preset=()
script="$JOBS_DIR/sweep.sbatch"
case "$template" in
  sweep) ;;
  requeue)
    export MAX_RESTARTS="${MAX_RESTARTS:-10}"
    preset=(--time=04:00:00)
    ;;
  multinode) preset=(--nodes=2 --ntasks-per-node=4 --cpus-per-task=4 --exclusive --time=04:00:00) ;;
  *) script="$(absolute "$template")" ;;
esac
[[ -f "$script" ]] || die "no job script $script (--template: sweep, requeue, multinode or a file)" 2
sbatch_args=("${preset[@]}" "${sbatch_args[@]}")

# sbatch_value LONG SHORT: the last value given to --LONG (=V or V) or -SHORT
# (V or -SHORTV) among the sbatch options; nothing if none.
sbatch_value() {
  local i a v=""
  for ((i = 0; i < ${#sbatch_args[@]}; i++)); do
    a="${sbatch_args[i]}"
    case "$a" in
      "--$1="*) v="${a#*=}" ;;
      "--$1") v="${sbatch_args[i + 1]:-}" ;;
      -?*)
        [[ -n "$2" && "$a" == "-$2"* ]] || continue
        v="${a#"-$2"}"
        [[ -n "$v" ]] || v="${sbatch_args[i + 1]:-}"
        ;;
    esac
  done
  printf '%s' "$v"
}

# sbatch gives the script's `#SBATCH --ntasks` precedence over a
# --ntasks-per-node from the command line: ask for all the ranks.
if [[ "$script" == "$JOBS_DIR/sweep.sbatch" && -n "$(sbatch_value ntasks-per-node "")" && -z "$(sbatch_value ntasks n)" ]]; then
  per_node="$(sbatch_value ntasks-per-node "")"
  nodes="$(sbatch_value nodes N)"
  nodes="${nodes:-1}"
  [[ "$per_node" =~ ^[1-9][0-9]*$ && "$nodes" =~ ^[1-9][0-9]*$ ]] ||
    die "--ntasks-per-node=$per_node with --nodes=$nodes: give --ntasks (all the ranks) as well" 2
  sbatch_args+=("--ntasks=$((nodes * per_node))")
  say "--nodes=$nodes x --ntasks-per-node=$per_node: adding --ntasks=$((nodes * per_node))"
fi
if [[ -n "$group_size" && ! "$group_size" =~ ^[1-9][0-9]*$ ]]; then
  die "--group-size must be a positive number, not '$group_size'" 2
fi
[[ -f "$spec" ]] || die "no sweep spec '$spec'" 2
spec="$(absolute "$spec")"

RESQUNN_BIN="$(absolute "${RESQUNN_BIN:-$RESQUNN_BUILD_DIR/bin/resqunn}")"
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
requeue_note=""
if [[ "${MAX_RESTARTS:-0}" =~ ^[0-9]+$ ]] && ((${MAX_RESTARTS:-0} > 0)); then
  requeue_note=", requeues itself up to $MAX_RESTARTS times"
fi
cat <<EOF
submitted job $job ($(basename "$script")$requeue_note)
  results: $output
  log:     $log
follow it:
  tail -f $log
  $RESQUNN_BIN status $output
stop it (checkpoints; submitting the same command again resumes):
  scancel $job
EOF
