#!/usr/bin/env bash
# Start Open vSwitch in userspace (no kernel module): ovsdb-server and ovs-vswitchd with every
# socket, pid file, log and the database inside one run directory. Idempotent: daemons already
# running there are left alone. Bridges must use datapath_type=netdev (the vswitch driver does).
#
#   scripts/ovs/start.sh [--netns NAME] [RUN_DIR]
#
#   RUN_DIR   default: $POOLNET_OVS_RUN_DIR, else /tmp/poolnet-ovs
#   --netns   run both daemons inside network namespace NAME (created if missing), so several
#             simulated hosts can each have their own switch on one machine
#
# Prints shell assignments for the caller (eval-able): OVS_RUNDIR and POOLNET_OVS_DB.
# Runs the daemons directly rather than through ovs-ctl, whose paths assume /etc and /var/run
# and which tries to load the kernel module.
set -euo pipefail

netns=''
run_dir="${POOLNET_OVS_RUN_DIR:-/tmp/poolnet-ovs}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --netns) netns="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) run_dir="$1"; shift ;;
  esac
done

for tool in ovsdb-tool ovsdb-server ovs-vswitchd ovs-vsctl ovs-appctl; do
  command -v "$tool" >/dev/null || {
    echo "start.sh: $tool not found (apt-get install -y openvswitch-switch)" >&2
    exit 1
  }
done

schema=''
for candidate in /usr/share/openvswitch/vswitch.ovsschema /usr/local/share/openvswitch/vswitch.ovsschema; do
  [[ -f "$candidate" ]] && schema="$candidate" && break
done
[[ -n "$schema" ]] || { echo "start.sh: vswitch.ovsschema not found" >&2; exit 1; }

mkdir -p "$run_dir"
run_dir="$(cd "$run_dir" && pwd)"
db="$run_dir/conf.db"
sock="$run_dir/db.sock"
# ovs-vswitchd puts each bridge's OpenFlow socket (<bridge>.mgmt) in OVS_RUNDIR.
export OVS_RUNDIR="$run_dir" OVS_LOGDIR="$run_dir" OVS_DBDIR="$run_dir"

in_ns() {
  if [[ -n "$netns" ]]; then ip netns exec "$netns" "$@"; else "$@"; fi
}

# A pid file whose process is gone (a reboot, a kill -9) must not stop a restart.
alive() {
  local pidfile="$run_dir/$1.pid"
  [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

if [[ -n "$netns" ]] && ! ip netns list | awk '{print $1}' | grep -qxF -- "$netns"; then
  ip netns add "$netns"
  ip -n "$netns" link set lo up
fi

[[ -f "$db" ]] || ovsdb-tool create "$db" "$schema"

if ! alive ovsdb-server; then
  rm -f "$run_dir/ovsdb-server.pid" "$sock"
  in_ns ovsdb-server "$db" \
    --remote="punix:$sock" \
    --remote=db:Open_vSwitch,Open_vSwitch,manager_options \
    --pidfile="$run_dir/ovsdb-server.pid" \
    --unixctl="$run_dir/ovsdb-server.ctl" \
    --log-file="$run_dir/ovsdb-server.log" \
    --detach --no-chdir -vconsole:off
fi

vsctl=(ovs-vsctl "--db=unix:$sock" --timeout=20)
"${vsctl[@]}" --no-wait init
system_id="${netns:-$(hostname)}"
"${vsctl[@]}" --no-wait set Open_vSwitch . "external_ids:system-id=$system_id" \
  external_ids:hostname="$system_id"

if ! alive ovs-vswitchd; then
  rm -f "$run_dir/ovs-vswitchd.pid"
  in_ns ovs-vswitchd "unix:$sock" \
    --pidfile="$run_dir/ovs-vswitchd.pid" \
    --unixctl="$run_dir/ovs-vswitchd.ctl" \
    --log-file="$run_dir/ovs-vswitchd.log" \
    --detach --no-chdir -vconsole:off
fi

# Without --no-wait, ovs-vsctl returns once ovs-vswitchd has applied the change: the switch is up.
"${vsctl[@]}" set Open_vSwitch . external_ids:poolnet-started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"

echo "OVS_RUNDIR=$run_dir"
echo "POOLNET_OVS_DB=unix:$sock"
