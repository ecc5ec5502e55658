#!/usr/bin/env bash
# One resqunn sweep across two "nodes": two network namespaces of this
# machine joined by a veth pair, each with a host name of its own, Open MPI
# launching into the second one through an ssh stand-in and talking TCP over
# the veth, the results file on the file system both see. Its results must
# be bitwise equal to the same sweep on one rank without namespaces.
#
# Usage: tests/netns/two_namespaces.sh [--keep] [--help]
#
#   --keep   keep the working directory (results files, logs); the
#            namespaces and the veth pair are removed whatever happens
#
# What it runs (SPEC: examples/sweep_quickstart.toml, 4 points):
#   1. reference: resqunn sweep run SPEC -o D/reference.h5 -g 1 (1 rank)
#   2. probes: mpirun -> `hostname`+netns of each rank, `resqunn info --json`
#      (world_size 2, each rank alone on its node)
#   3. mpirun (2 ranks, one a node) resqunn sweep run SPEC -o D/two-g1.h5 -g 1
#      (two groups of one rank: points spread over the nodes)
#   4. the same with -g 2 -o D/two-g2.h5 (one group spanning both nodes: each
#      batch shared between them, gradients reduced over TCP)
#   and compares 3 and 4 with 1 (tests/netns/compare_results.py: every
#   dataset bitwise, checkpoints included, except the wall-clock ones).
#
# Exit status: 0 equal, 1 failure or a difference, 77 (ctest: skipped) when
# namespaces cannot be made here (not root, no ip/unshare, `ip netns add` or
# veth refused, e.g. in an unprivileged container) or the datasets are not
# fetched.
#
# Environment: RESQUNN_BIN (default: $RESQUNN_BUILD_DIR/bin/resqunn),
# RESQUNN_DATA (default: ~/.cache/resqunn/data), RESQUNN_NETNS_SPEC (default:
# examples/sweep_quickstart.toml), RESQUNN_NETNS_TIMEOUT (seconds per run,
# default 300), TMPDIR (where the working directory goes: it must be seen
# from both namespaces, which any local path is).
#
# Facts this relies on (Debian 12, Open MPI 4.1.4):
#   - Network namespaces share the UTS namespace, and Open MPI tells nodes
#     apart by host name: each side runs under `unshare --uts` with a name of
#     its own, or mpirun would take both for one node (and use shared memory).
#   - 10.77.0.1 is an address of mpirun's namespace, so --host 10.77.0.1:1 is
#     the local node; 10.77.0.2 is remote: orted is started there through
#     plm_rsh_agent (netns_rsh.sh beside this file), which gets "HOST WORD..."
#     as ssh would. The subnet is private to the namespace pair, so runs side
#     by side do not clash; only the names carry this shell's pid.
#   - --bind-to none: both daemons see the same cores and would each bind
#     their rank to core 0, halving the speed of every run.
#   - btl self,tcp + pml ob1, and both btl and oob restricted to the veth
#     subnet: the ranks can only talk TCP over the veth (its byte counters
#     are reported), as between real nodes.

# shellcheck disable=SC2317  # cleanup and its helpers run from a trap
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
# shellcheck source=scripts/lib.sh
source "$HERE/../../scripts/lib.sh"

if has_help_flag "$@"; then
  print_usage "${BASH_SOURCE[0]}"
  exit 0
fi

keep=0
for arg in "$@"; do
  case "$arg" in
    --keep) keep=1 ;;
    *)
      printf 'error: unknown argument %s (see --help)\n' "$arg" >&2
      exit 2
      ;;
  esac
done

skip() {
  printf 'SKIP: %s\n' "$*" >&2
  exit 77
}

RESQUNN_BIN="${RESQUNN_BIN:-$RESQUNN_BUILD_DIR/bin/resqunn}"
DATA_DIR="${RESQUNN_DATA:-${HOME:-/root}/.cache/resqunn/data}"
SPEC="${RESQUNN_NETNS_SPEC:-$REPO_ROOT/examples/sweep_quickstart.toml}"
TIMEOUT="${RESQUNN_NETNS_TIMEOUT:-300}"
AGENT="$HERE/netns_rsh.sh"

# Unique names (interface names: at most 15 characters).
TAG=$$
NS_A="rq-a-$TAG" NS_B="rq-b-$TAG"
VETH_A="rq-va-$TAG" VETH_B="rq-vb-$TAG"
HOST_A="rqa-$TAG" HOST_B="rqb-$TAG"
IP_A=10.77.0.1 IP_B=10.77.0.2 SUBNET=10.77.0.0/24
# A command prefix: run in namespace A under host name A (timeout can run it,
# unlike a function). unshare and sh exec, so the command stays the child.
# shellcheck disable=SC2016  # $1/$@ are the inner shell's
NODE_A=(ip netns exec "$NS_A" unshare --uts sh -c 'hostname "$1" && shift && exec "$@"' sh "$HOST_A")
CREATED_NS=()
D=""

# --- cleanup -----------------------------------------------------------------

# drain_namespace NS: wait (up to 10 s) for the processes left in NS to end
# (a daemonized orted exits shortly after mpirun), then kill the rest by pid:
# anything in this script's own namespaces was started by it.
drain_namespace() {
  local ns="$1" i pids=()
  for ((i = 0; i < 100; i++)); do
    mapfile -t pids < <(ip netns pids "$ns" 2>/dev/null)
    ((${#pids[@]})) || return 0
    sleep 0.1
  done
  warn "killing processes left in $ns: ${pids[*]}"
  kill -KILL "${pids[@]}" 2>/dev/null
  sleep 0.5
}

cleanup() {
  local rc=$? ns
  trap - EXIT INT TERM
  set +e
  for ns in "${CREATED_NS[@]}"; do
    drain_namespace "$ns"
    # The veth pair goes with the namespaces (it was never in this one).
    ip netns del "$ns" || warn "could not delete namespace $ns"
  done
  if ip link show "$VETH_A" >/dev/null 2>&1 || ip link show "$VETH_B" >/dev/null 2>&1; then
    warn "a veth of this run is left in the initial namespace"
    ip link del "$VETH_A" 2>/dev/null
  fi
  if [[ -n "$D" && -d "$D" ]]; then
    if ((rc != 0 && rc != 77)); then
      local f
      for f in "$D"/*.log; do
        [[ -s "$f" ]] && printf -- '--- last lines of %s:\n%s\n' "$f" "$(tail -n 20 "$f")" >&2
      done
    fi
    if ((keep)); then
      note "kept $D"
    else
      rm -rf "$D"
    fi
  fi
  exit "$rc"
}

# --- helpers -----------------------------------------------------------------

now() { date +%s.%N; }
# seconds_since T0: elapsed seconds, one decimal.
seconds_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# veth_bytes: bytes through the veth so far (sent + received, rq-a's end).
veth_bytes() {
  local tx rx
  tx="$(ip netns exec "$NS_A" cat "/sys/class/net/$VETH_A/statistics/tx_bytes")"
  rx="$(ip netns exec "$NS_A" cat "/sys/class/net/$VETH_A/statistics/rx_bytes")"
  echo $((tx + rx))
}

# in_node_a CMD...: CMD in namespace A under host name A (where mpirun runs).
in_node_a() { "${NODE_A[@]}" "$@"; }

# mpirun_two CMD...: CMD on two ranks, rank 0 on node A, rank 1 on node B.
mpirun_two() {
  timeout --kill-after=10 "$TIMEOUT" env RESQUNN_NETNS_HOSTS="$IP_A=$NS_A=$HOST_A $IP_B=$NS_B=$HOST_B" \
    "${NODE_A[@]}" \
    mpirun --host "$IP_A:1,$IP_B:1" --bind-to none \
    --mca plm_rsh_agent "$AGENT" --mca plm_rsh_no_tree_spawn 1 \
    --mca pml ob1 --mca btl self,tcp \
    --mca btl_tcp_if_include "$SUBNET" --mca oob_tcp_if_include "$SUBNET" \
    --mca mpi_yield_when_idle 1 \
    -x OMP_NUM_THREADS=1 -x OMP_PROC_BIND=false \
    "$@"
}

# --- steps ---------------------------------------------------------------------

preconditions() {
  is_root || skip "network namespaces need root (uid $(id -u))"
  local tool
  for tool in ip unshare timeout mpirun; do
    command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
  done
  mpirun --version 2>/dev/null | grep -q 'Open MPI' ||
    skip "mpirun is not Open MPI (the launcher options here are Open MPI's)"
  [[ "$AGENT" != *' '* ]] || skip "the path of $AGENT has a space (Open MPI splits plm_rsh_agent on spaces)"
  [[ -x "$RESQUNN_BIN" ]] || die "no resqunn binary at $RESQUNN_BIN (scripts/build.sh, or set RESQUNN_BIN)"
  [[ -d "$DATA_DIR/mnist" ]] || skip "no MNIST under $DATA_DIR (resqunn data fetch, or set RESQUNN_DATA)"
  "$SYSTEM_PYTHON" -c 'import h5py, numpy' 2>/dev/null || die "$SYSTEM_PYTHON lacks h5py/numpy"
}

setup_namespaces() {
  local ns
  for ns in "$NS_A" "$NS_B"; do
    ip netns add "$ns" 2>"$D/netns.log" || skip "ip netns add refused: $(cat "$D/netns.log")"
    CREATED_NS+=("$ns")
  done
  # Both ends are created inside their namespaces: nothing appears here.
  ip link add "$VETH_A" netns "$NS_A" type veth peer name "$VETH_B" netns "$NS_B" 2>"$D/netns.log" ||
    skip "no veth pair: $(cat "$D/netns.log")"
  ip -n "$NS_A" addr add "$IP_A/24" dev "$VETH_A"
  ip -n "$NS_B" addr add "$IP_B/24" dev "$VETH_B"
  for ns in "$NS_A" "$NS_B"; do
    # orted and the ranks also use loopback inside their node.
    ip -n "$ns" link set lo up
  done
  ip -n "$NS_A" link set "$VETH_A" up
  ip -n "$NS_B" link set "$VETH_B" up
  in_node_a true 2>"$D/netns.log" || skip "unshare --uts refused: $(cat "$D/netns.log")"
  note "$NS_A ($HOST_A, $IP_A) <-> $NS_B ($HOST_B, $IP_B) over $VETH_A/$VETH_B"
}

# probe: each rank must run on its own node: its host name, its namespace,
# alone on its node (local size 1); and resqunn must see a world of 2.
probe() {
  local out lines
  # shellcheck disable=SC2016  # expanded by each rank's shell
  out="$(mpirun_two sh -c 'echo "${OMPI_COMM_WORLD_RANK:-?} $(hostname) $(readlink /proc/self/ns/net) ${OMPI_COMM_WORLD_LOCAL_SIZE:-?}"' \
    2>"$D/probe.log")" || die "mpirun could not start ranks on both nodes (see $D/probe.log):"$'\n'"$(cat "$D/probe.log")"
  lines="$(sort <<<"$out")"
  note "ranks: $(tr '\n' ';' <<<"$lines")"
  local ns_a ns_b
  ns_a="$(ip netns exec "$NS_A" readlink /proc/self/ns/net)"
  ns_b="$(ip netns exec "$NS_B" readlink /proc/self/ns/net)"
  [[ "$lines" == "0 $HOST_A $ns_a 1"$'\n'"1 $HOST_B $ns_b 1" ]] ||
    die "the ranks are not one on each node; expected '0 $HOST_A $ns_a 1' and '1 $HOST_B $ns_b 1', got:"$'\n'"$out"
  mpirun_two "$RESQUNN_BIN" info --json >"$D/info.json" 2>"$D/info.log" || die "resqunn info failed under mpirun"
  "$SYSTEM_PYTHON" -c 'import json, sys; sys.exit(json.load(open(sys.argv[1]))["mpi"]["world_size"] != 2)' \
    "$D/info.json" || die "resqunn info under mpirun does not report world_size 2: $(cat "$D/info.json")"
}

# sweep_args OUT GROUP: the sweep run's arguments.
sweep_args() {
  printf '%s\n' sweep run "$SPEC" -o "$1" -g "$2" --data-dir "$DATA_DIR"
}

# The report's lines, printed at the end.
REPORT=()

run_reference() {
  local t0 args=()
  mapfile -t args < <(sweep_args "$D/reference.h5" 1)
  t0="$(now)"
  OMP_NUM_THREADS=1 timeout --kill-after=10 "$TIMEOUT" "$RESQUNN_BIN" "${args[@]}" >"$D/reference.log" 2>&1 ||
    die "the reference sweep failed (exit $?)"
  REPORT+=("$(printf '%-10s %-32s %6s s' reference "1 rank, no namespace" "$(seconds_since "$t0")")")
}

# run_two GROUP: the sweep on the two nodes with group size GROUP, compared.
run_two() {
  local g="$1" out="$D/two-g$1.h5" t0 b0 wall bytes verdict args=()
  mapfile -t args < <(sweep_args "$out" "$g")
  b0="$(veth_bytes)"
  t0="$(now)"
  mpirun_two "$RESQUNN_BIN" --log-all-ranks "${args[@]}" >"$D/two-g$g.log" 2>&1 ||
    die "the two-node sweep with -g $g failed (exit $?; 124: timed out after $TIMEOUT s)"
  wall="$(seconds_since "$t0")"
  bytes=$(($(veth_bytes) - b0))
  if ((g == 1)); then
    # With groups of one, the points should have been spread over both
    # nodes (--log-all-ranks: "[rank R/2] point P (...): epoch E/N").
    local r counts=()
    for r in 0 1; do
      counts+=("$(grep -oE "\[rank $r/2\] point [0-9]+ \([0-9a-f]+\): epoch" "$D/two-g$g.log" |
        sort -u | wc -l)")
    done
    note "points trained: ${counts[0]} on $HOST_A, ${counts[1]} on $HOST_B"
    ((counts[1] > 0)) || warn "node $HOST_B trained no point: the -g 1 check then says little"
  fi
  if "$SYSTEM_PYTHON" "$HERE/compare_results.py" "$D/reference.h5" "$out" >"$D/compare-g$g.log" 2>&1; then
    verdict="bitwise equal"
  else
    verdict="DIFFERENT"
  fi
  local what="2 groups of 1 rank"
  ((g == 2)) && what="1 group of 2 ranks"
  REPORT+=("$(printf '%-10s %-32s %6s s  %8s KiB over veth  %s' "-g $g" "2 nodes, $what" "$wall" \
    "$((bytes / 1024))" "$verdict")")
  note "$(tail -n 1 "$D/compare-g$g.log")"
  [[ "$verdict" == "bitwise equal" ]] || {
    cat "$D/compare-g$g.log" >&2
    return 1
  }
}

main() {
  local t_start rc=0
  t_start="$(now)"
  preconditions
  D="$(mktemp -d "${TMPDIR:-/tmp}/resqunn-netns.XXXXXX")"
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  log "two namespaces"
  setup_namespaces
  log "probe: one rank on each node"
  probe
  log "reference sweep (1 rank, no namespace)"
  run_reference
  log "sweep on two nodes, -g 1"
  run_two 1 || rc=1
  log "sweep on two nodes, -g 2"
  run_two 2 || rc=1
  printf '\n%s: %s\n' "$(basename "$SPEC")" "$(grep -m1 -o '[0-9]* points' "$D/reference.log" || echo '?')"
  printf '  %s\n' "${REPORT[@]}"
  printf '  total %s s (namespaces, probes, three sweeps, comparisons)\n' "$(seconds_since "$t_start")"
  if ((rc == 0)); then
    printf 'OK: the two-node results are bitwise equal to the single-rank ones\n'
  else
    printf 'FAILED: the two-node results differ from the single-rank ones (above)\n'
  fi
  return "$rc"
}

# (main is called on the last line: bash has then read the whole file, so
# editing it while a run is going on cannot change that run)
main "$@"
