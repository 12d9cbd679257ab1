#!/usr/bin/env bash
# Makes sure a Docker engine answers. Starts Debian's dockerd in the background when none does
# and prints its PID on stdout (empty when one was already running), so the caller can stop
# exactly what it started: `kill "$pid"`. Log: ${DOCKERD_LOG:-/var/log/poolnet-dockerd.log}.
set -euo pipefail
if docker info >/dev/null 2>&1; then exit 0; fi
command -v dockerd >/dev/null || { echo "no dockerd: apt-get install docker.io" >&2; exit 1; }
nohup dockerd ${DOCKERD_ARGS:-} >"${DOCKERD_LOG:-/var/log/poolnet-dockerd.log}" 2>&1 &
pid=$!
for _ in $(seq 1 60); do
  docker info >/dev/null 2>&1 && { echo "$pid"; exit 0; }
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.5
done
echo "dockerd did not come up; its log:" >&2
tail -20 "${DOCKERD_LOG:-/var/log/poolnet-dockerd.log}" >&2
exit 1
