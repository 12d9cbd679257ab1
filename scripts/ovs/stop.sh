#!/usr/bin/env bash
# Stop the Open vSwitch daemons that scripts/ovs/start.sh started in RUN_DIR.
#
#   scripts/ovs/stop.sh [--purge] [RUN_DIR]
#
#   --purge   also delete the run directory (database, logs)
#
# ovs-vswitchd leaves with `exit --cleanup`, which removes the userspace datapath and the tap
# devices of its bridges; a daemon that does not answer gets SIGTERM. Stopping what is not
# running is not an error.
set -euo pipefail

purge=0
run_dir="${POOLNET_OVS_RUN_DIR:-/tmp/poolnet-ovs}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --purge) purge=1; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) run_dir="$1"; shift ;;
  esac
done

stop_daemon() {
  local name="$1"; shift
  local pidfile="$run_dir/$name.pid"
  [[ -f "$pidfile" ]] || return 0
  local pid
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    ovs-appctl -t "$run_dir/$name.ctl" --timeout=10 exit "$@" >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
  rm -f "$pidfile"
}

if [[ -d "$run_dir" ]]; then
  stop_daemon ovs-vswitchd --cleanup
  stop_daemon ovsdb-server
  if [[ "$purge" == 1 ]]; then rm -rf "$run_dir"; fi
fi
