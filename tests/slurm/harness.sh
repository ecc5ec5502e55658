#!/usr/bin/env bash
# shellcheck disable=SC2317  # cleanup and its helpers run from a trap
# A throwaway single-node Slurm cluster on localhost for the job-script tests:
# installs Debian's slurm-wlm + munge if missing, starts munged, slurmctld and
# slurmd (no systemd, no cgroups) with everything under one temporary
# directory, runs a command against that cluster, then stops exactly the
# daemons it started and removes the directory.
#
# Usage: tests/slurm/harness.sh [COMMAND [ARG...]]
#
#   COMMAND runs with SLURM_CONF pointing at the cluster (sbatch, squeue,
#   scancel, scontrol, srun all talk to it) and RESQUNN_SLURM_DIR (the
#   temporary directory; tests may put their files under $RESQUNN_SLURM_DIR/work).
#   Its exit status is the harness's. Default COMMAND: the pytest suite beside
#   this file (/usr/bin/python3 -m pytest -q tests/slurm).
#
#   tests/slurm/harness.sh bash     an interactive shell on a live cluster
#
# Exit status 77 (ctest: skipped): the cluster cannot be had here (not root
# and no passwordless sudo to install or start the daemons, or
# RESQUNN_SLURM_TESTS=skip).
#
# Environment:
#   RESQUNN_SLURM_TESTS       "skip": exit 77 at once; "no-install": never apt-get
#   RESQUNN_SLURM_CPUS        CPUs the node advertises (default: max(nproc, 4);
#                             more than the cores is allowed, jobs then share them)
#   RESQUNN_SLURM_KEEP=1      keep the temporary directory (logs, job files) on exit
#   RESQUNN_SLURM_TMPDIR      where the temporary directory goes (default: $TMPDIR or /tmp)
#   RESQUNN_SLURM_TIMEOUT     seconds COMMAND may run (default 900; none when
#                             stdin is a terminal), so that the harness, not
#                             ctest's TIMEOUT (SIGKILL), ends it and cleans up
#
# Facts this relies on (Debian 12, Slurm 22.05, Open MPI 4.1):
#   - munged runs as user munge (as root it refuses its key), with a key and
#     a socket of its own under the temporary directory (AuthInfo=socket=...):
#     /etc/munge and a munged already running on this machine are left alone,
#     and several harnesses can run side by side.
#   - Debian's Open MPI has PMIx only: MpiDefault=pmix (pmi2/none fail in MPI_Init).
#   - No cgroups in containers: proctrack/linuxproc, task/none.
#   - A requeued job is held for AuthInfo cred_expire seconds before it may
#     start again (default 120): 10 here, and the scheduler runs every second
#     (not every 30-60 s), so a requeued job restarts ~12 s after it stopped.
#   - slurmstepd outlives slurmd: jobs are cancelled before the daemons stop.
#   - Ports are picked free, so a cluster already on this machine (on the
#     default ports 6817/6818) is not disturbed.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"

say() { printf '[slurm-harness %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
skip() {
  say "SKIP: $*"
  exit 77
}
fail() {
  say "ERROR: $*"
  exit 1
}

[[ "${RESQUNN_SLURM_TESTS:-}" == skip ]] && skip "RESQUNN_SLURM_TESTS=skip"

# --- privileges (as scripts/lib.sh's sudo_if_needed, without dying) --------

if [[ "$(id -u)" -eq 0 ]]; then
  as_root() { "$@"; }
elif command -v sudo >/dev/null 2>&1 && sudo --non-interactive true 2>/dev/null; then
  as_root() { sudo --non-interactive "$@"; }
else
  skip "the daemons need root: run as root or with passwordless sudo"
fi

# --- packages --------------------------------------------------------------

install_packages() {
  local need=()
  command -v slurmctld >/dev/null 2>&1 || need+=(slurmctld)
  command -v slurmd >/dev/null 2>&1 || need+=(slurmd)
  command -v sbatch >/dev/null 2>&1 || need+=(slurm-client)
  command -v munged >/dev/null 2>&1 || need+=(munge)
  ((${#need[@]})) || return 0
  [[ "${RESQUNN_SLURM_TESTS:-}" == no-install ]] &&
    fail "missing ${need[*]} and RESQUNN_SLURM_TESTS=no-install"
  command -v apt-get >/dev/null 2>&1 || fail "missing ${need[*]} and no apt-get to install them"
  say "installing ${need[*]} (apt-get, log: $D/apt.log)"
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends)
  # Postinst scripts cannot start services without systemd; that is fine,
  # the daemons are started below. Retry once after refreshing the lists.
  if ! as_root "${apt[@]}" "${need[@]}" >"$D/apt.log" 2>&1 </dev/null; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$D/apt.log" 2>&1 </dev/null || true
    as_root "${apt[@]}" "${need[@]}" >>"$D/apt.log" 2>&1 </dev/null ||
      fail "apt-get install ${need[*]} failed; see $D/apt.log:"$'\n'"$(tail -n 20 "$D/apt.log")"
  fi
}

# --- pid files: only what we started is ever signalled ----------------------

# live_pid FILE COMM: print the pid in FILE if that process is alive and is COMM.
live_pid() {
  local pid
  [[ -s "$1" ]] || return 1
  pid="$(as_root cat "$1" 2>/dev/null | tr -dc '0-9')"
  [[ -n "$pid" && -r "/proc/$pid/comm" && "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$2" ]] || return 1
  echo "$pid"
}

# stop_daemon FILE COMM: TERM the process named by FILE (if it is COMM), KILL after 20 s.
stop_daemon() {
  local pid i
  pid="$(live_pid "$1" "$2")" || return 0
  as_root kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 200; i++)); do
    [[ -d "/proc/$pid" ]] || break
    sleep 0.1
  done
  if [[ -d "/proc/$pid" ]]; then
    say "$2 ($pid) ignored TERM; killing it"
    as_root kill -KILL "$pid" 2>/dev/null || true
  fi
  say "stopped $2 ($pid)"
}

# marked_pids: processes that carry this cluster's marker in their
# environment: the job step daemons (slurmstepd inherits slurmd's
# environment) and anything the test command started (jobs, launchers).
marked_pids() {
  local f pid
  while IFS= read -r f; do
    pid="${f#/proc/}"
    pid="${pid%/environ}"
    [[ "$pid" == "$$" ]] || echo "$pid"
  done < <(as_root grep -lzxF "RESQUNN_SLURM_MARK=$D" /proc/[0-9]*/environ 2>/dev/null)
}

cleanup() {
  local rc=$? i jobs pids
  trap - EXIT INT TERM
  set +e
  if [[ -n "${SLURM_CONF:-}" ]] && live_pid "$CTLD_PID" slurmctld >/dev/null; then
    # Jobs first: their step daemons would outlive slurmd.
    if [[ -n "$(squeue -h -o %A 2>/dev/null)" ]]; then
      say "cancelling leftover jobs"
      mapfile -t jobs < <(squeue -h -o %A | sort -u)
      scancel "${jobs[@]}" 2>/dev/null
      for ((i = 0; i < 60; i++)); do
        [[ -z "$(squeue -h -o %A 2>/dev/null)" ]] && break
        sleep 0.5
      done
    fi
  fi
  stop_daemon "$SLURMD_PID" slurmd
  stop_daemon "$CTLD_PID" slurmctld
  stop_daemon "$MUNGE_PID" munged
  # Anything of ours still alive (a step daemon, an orphaned rank) is killed by pid.
  mapfile -t pids < <(marked_pids)
  if ((${#pids[@]})); then
    say "killing leftover processes of this cluster: ${pids[*]}"
    as_root kill -KILL "${pids[@]}" 2>/dev/null
  fi
  if ((rc != 0 && rc != 77)); then
    # What the daemons said, for a failure in CI where the directory is gone.
    local f
    for f in "$D/log/slurmctld.log" "$D/log/slurmd.log"; do
      [[ -s "$f" ]] && say "last lines of $f:" && tail -n 25 "$f" >&2
    done
  fi
  if [[ "${RESQUNN_SLURM_KEEP:-0}" == 1 || ($rc -ne 0 && $rc -ne 77 && "${CI:-}" != true && -t 2) ]]; then
    say "kept $D (logs: $D/log)"
  else
    as_root rm -rf "$D"
  fi
  exit "$rc"
}

# --- configuration -----------------------------------------------------------

# free_port START: the first port from START on that nothing listens on.
free_port() {
  local p
  for ((p = $1; p < $1 + 200; p++)); do
    [[ " ${TAKEN_PORTS:-} " == *" $p "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      TAKEN_PORTS="${TAKEN_PORTS:-} $p"
      echo "$p"
      return 0
    fi
  done
  return 1
}

write_conf() {
  local cpus ctld_port slurmd_port
  cpus="${RESQUNN_SLURM_CPUS:-$(nproc)}"
  ((cpus >= 4)) || cpus=4
  ctld_port="$(free_port 17817)" || fail "no free port for slurmctld"
  slurmd_port="$(free_port "$((ctld_port + 1))")" || fail "no free port for slurmd"
  cat >"$SLURM_CONF" <<EOF
# Generated by tests/slurm/harness.sh: one node on loopback, for tests only.
ClusterName=resqunntest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# This cluster's own munged; cred_expire: how long a requeued job is held
# before it may start again (default 120 s).
AuthInfo=cred_expire=10,socket=$MUNGE_SOCKET
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$CTLD_PID
SlurmdPidFile=$SLURMD_PID
SlurmctldLogFile=$D/log/slurmctld.log
SlurmdLogFile=$D/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups in containers: plain /proc process tracking, no binding.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
# Schedule every second, not every 30-60 s: a requeued job starts as soon
# as its hold (cred_expire) is over.
SchedulerParameters=sched_interval=1,bf_interval=1
# No slurmdbd: sacct does not work; finished jobs stay in scontrol for MinJobAge.
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$D/log/jobcomp.txt
# Debian's Open MPI has a PMIx client only.
MpiDefault=pmix
ReturnToService=2
# Lets the node advertise more CPUs than the machine has.
SlurmdParameters=config_overrides
MinJobAge=600
# Seconds between SIGTERM and SIGKILL at cancel/time limit: time to checkpoint.
KillWait=20
InactiveLimit=0
Waittime=0
SlurmctldTimeout=30
SlurmdTimeout=30
JobRequeue=0
NodeName=localhost NodeAddr=127.0.0.1 NodeHostname=localhost CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
  chmod 644 "$SLURM_CONF"
}

munge_works() { munge -S "$MUNGE_SOCKET" -n 2>/dev/null | unmunge -S "$MUNGE_SOCKET" >/dev/null 2>&1; }

start_munge() {
  local key="$D/munge/munge.key"
  as_root mkdir -p "$D/munge"
  # A key of its own: nothing under /etc/munge is read or changed.
  if command -v mungekey >/dev/null 2>&1; then
    as_root mungekey --create --keyfile="$key"
  else
    as_root dd if=/dev/urandom of="$key" bs=1024 count=1 status=none
  fi
  as_root chown -R munge:munge "$D/munge"
  as_root chmod 0755 "$D/munge"
  as_root chmod 0400 "$key"
  as_root runuser -u munge -- env "RESQUNN_SLURM_MARK=$D" munged --socket="$MUNGE_SOCKET" \
    --key-file="$key" --pid-file="$MUNGE_PID" --log-file="$D/munge/munged.log" \
    --seed-file="$D/munge/munged.seed" --num-threads=2 ||
    fail "munged did not start; see $D/munge/munged.log"
  local i
  for ((i = 0; i < 100; i++)); do
    munge_works && {
      say "munged up (pid $(live_pid "$MUNGE_PID" munged || echo ?))"
      return 0
    }
    sleep 0.1
  done
  fail "munge does not answer; see $D/munge/munged.log"
}

start_slurm() {
  local i st=""
  as_root env "RESQUNN_SLURM_MARK=$D" SLURM_CONF="$SLURM_CONF" slurmctld -f "$SLURM_CONF" ||
    fail "slurmctld did not start; see $D/log/slurmctld.log"
  for ((i = 0; i < 150; i++)); do
    scontrol ping 2>/dev/null | grep -q 'is UP' && break
    sleep 0.2
  done
  # -N: the node is "localhost" whatever this machine's host name is.
  as_root env "RESQUNN_SLURM_MARK=$D" SLURM_CONF="$SLURM_CONF" slurmd -f "$SLURM_CONF" -N localhost ||
    fail "slurmd did not start; see $D/log/slurmd.log"
  for ((i = 0; i < 300; i++)); do
    st="$(sinfo -h -n localhost -o '%T' 2>/dev/null | head -n 1 || true)"
    [[ "$st" == idle* ]] && break
    sleep 0.2
  done
  [[ "$st" == idle* ]] || fail "the node is '${st:-unknown}', not idle, after 60 s; logs:"$'\n'"$(tail -n 15 "$D/log/slurmctld.log" "$D/log/slurmd.log" 2>&1)"
  say "cluster up: slurmctld $(live_pid "$CTLD_PID" slurmctld), slurmd $(live_pid "$SLURMD_PID" slurmd); node localhost idle ($(sinfo -h -o %c) CPUs)"
}

# --- main --------------------------------------------------------------------

main() {
  umask 022
  D="$(mktemp -d "${RESQUNN_SLURM_TMPDIR:-${TMPDIR:-/tmp}}/resqunn-slurm.XXXXXX")"
  chmod 755 "$D"
  mkdir -p "$D/etc" "$D/state" "$D/spool" "$D/log" "$D/run" "$D/work"
  export SLURM_CONF="$D/etc/slurm.conf"
  CTLD_PID="$D/run/slurmctld.pid"
  SLURMD_PID="$D/run/slurmd.pid"
  MUNGE_PID="$D/munge/munged.pid"
  MUNGE_SOCKET="$D/munge/munge.socket"
  # PMIx (srun --mpi=pmix) authenticates with its native method rather than
  # looking for a munged on the default socket, which this cluster does not use.
  export PMIX_MCA_psec=native
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  t0=$SECONDS
  install_packages
  write_conf
  start_munge
  start_slurm
  say "ready in $((SECONDS - t0)) s; SLURM_CONF=$SLURM_CONF"

  if (($# == 0)); then
    set -- /usr/bin/python3 -m pytest -q -p no:cacheprovider "$HERE"
  fi
  export RESQUNN_SLURM_DIR="$D"
  # The marker lets cleanup find whatever the command leaves behind. A
  # non-interactive command gets a time limit of its own, shorter than
  # ctest's TIMEOUT: ctest kills with SIGKILL, which would leave the
  # daemons running; a command that runs out of time here is stopped and
  # the cluster cleaned up as usual.
  local limit=()
  if [[ ! -t 0 ]]; then
    limit=(timeout --kill-after=30 "${RESQUNN_SLURM_TIMEOUT:-900}")
  fi
  set +e
  "${limit[@]}" env "RESQUNN_SLURM_MARK=$D" "$@"
  rc=$?
  set -e
  ((rc == 124)) && say "ERROR: the command ran out of time (RESQUNN_SLURM_TIMEOUT=${RESQUNN_SLURM_TIMEOUT:-900} s)"
  exit "$rc"
}

# (main is called on the last line: bash has then read the whole file, so
# editing it while a run is going on cannot change that run)
main "$@"
