#!/usr/bin/env bash
# Open MPI's "ssh" into a network namespace: the plm_rsh_agent of
# tests/netns/two_namespaces.sh, which makes two network namespaces of this
# machine look like two nodes to mpirun.
#
# Usage (by mpirun, as it would call ssh): netns_rsh.sh HOST WORD...
#
#   HOST is looked up in RESQUNN_NETNS_HOSTS, whitespace-separated entries
#   HOST=NETNS=HOSTNAME (e.g. "10.77.0.2=rq-b-123=rqb-123"); the WORDs are
#   joined with spaces and run by sh inside NETNS, in a UTS namespace of its
#   own whose host name is HOSTNAME.
#
# Why each part:
#   - mpirun passes the remote command (orted and its options) as words meant
#     for the remote shell: quotes are part of the words (-mca ess "env"), so
#     the words are joined and given to `sh -c`, exactly what ssh does.
#   - Open MPI tells nodes apart by host name, and network namespaces share
#     the UTS namespace: `unshare --uts` + `hostname` gives the "node" a name
#     of its own (the machine's host name is not touched).
#   - ssh would not carry mpirun's environment to the remote node: the
#     command gets a fresh one (PATH, HOME, the run-as-root switches), so
#     anything a rank needs must travel the way it would between nodes
#     (mpirun -x, --mca).
set -euo pipefail

if (($# < 2)); then
  echo "netns_rsh.sh: usage: netns_rsh.sh HOST COMMAND..." >&2
  exit 255 # ssh's status for "could not connect"
fi
host="$1"
shift

netns="" name=""
for entry in ${RESQUNN_NETNS_HOSTS:-}; do
  if [[ "${entry%%=*}" == "$host" ]]; then
    IFS='=' read -r _ netns name <<<"$entry"
    break
  fi
done
if [[ -z "$netns" || ! "$name" =~ ^[A-Za-z0-9-]+$ ]]; then
  echo "netns_rsh.sh: unknown host '$host' (RESQUNN_NETNS_HOSTS='${RESQUNN_NETNS_HOSTS:-}')" >&2
  exit 255
fi

exec ip netns exec "$netns" unshare --uts \
  env -i PATH="${PATH:-/usr/local/bin:/usr/bin:/bin}" HOME="${HOME:-/root}" \
  OMPI_ALLOW_RUN_AS_ROOT="${OMPI_ALLOW_RUN_AS_ROOT:-}" \
  OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="${OMPI_ALLOW_RUN_AS_ROOT_CONFIRM:-}" \
  sh -c "hostname $name && $*"
