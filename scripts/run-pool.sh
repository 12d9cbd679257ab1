#!/usr/bin/env bash
# `npm start`: a whole pool on this machine against your PostgreSQL and NATS (JetStream on):
# migrations, two pool-master replicas, the projection service, three member hosts (memory
# datapath) and the demo pool, then one "poolnet ready" line with the URLs. Ctrl-C stops it all;
# the log (PostgreSQL) and the hosts' state (STATE_DIR, default .state/) stay for the next start.
#
# It runs without tokens, so whoever reaches it is admin: every service listens on 127.0.0.1
# unless HOST says otherwise (HOST=0.0.0.0 for every interface).
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export NATS_URL="${NATS_URL:-nats://127.0.0.1:4222}"
export HOST="${HOST:-127.0.0.1}"
export POOL_ID="${POOL_ID:-demo}"
# Warnings and errors only, so the ready line and anything wrong stand out; LOG_LEVEL=info
# shows each service's whole log.
export LOG_LEVEL="${LOG_LEVEL:-warn}"
state="${STATE_DIR:-.state}"
mkdir -p "$state"
# Where a browser or poolctl on this machine reaches a service listening on HOST.
case "$HOST" in
  0.0.0.0 | ::) here=127.0.0.1 ;;
  *:*) here="[$HOST]" ;;
  *) here="$HOST" ;;
esac
# gRPC listens where HTTP does (an IPv6 address in brackets).
grpc="$HOST"
[[ "$HOST" == *:* ]] && grpc="[$HOST]"

if [[ "$HOST" == 127.* || "$HOST" == localhost || "$HOST" == ::1 ]]; then
  reach="they listen on $HOST only (HOST=0.0.0.0 opens them to the network)"
else
  reach="they listen on $HOST: whoever reaches this machine there is admin"
fi
echo "poolnet: starting without tokens, so the services warn that they are open; $reach"
node dist/migrations/run.js

# What runs, by index: its pid and its name (plain arrays: macOS still ships bash 3.2).
pids=()
names=()
run() {
  names+=("$1")
  shift
  "$@" &
  pids+=($!)
}
# Passes the signal on (Ctrl-C in a terminal reaches the services too; they shut down once) and
# waits for their graceful close, which each bounds to 8 s.
stop() {
  trap '' INT TERM
  trap - EXIT
  ((${#pids[@]})) && kill "-$1" "${pids[@]}" 2>/dev/null
  wait
}
stopped() { echo "poolnet: stopped; the log (PostgreSQL) and $state/ stay for the next start"; }
trap 'stop INT; stopped; exit 130' INT
trap 'stop TERM; stopped; exit 143' TERM
trap 'stop TERM' EXIT

run pool-master-a env PORT=3000 GRPC_URL="$grpc:50051" REPLICA_ID=master-a \
  node dist/apps/pool-master/src/main.js
run pool-master-b env PORT=3001 GRPC_URL="$grpc:50052" REPLICA_ID=master-b \
  node dist/apps/pool-master/src/main.js
# The others start once a master is up: it creates the events and reports streams they read
# and answers the snapshot a new host asks for, which they would warn about if started first.
healthy() {
  node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
    "$1"
}
until healthy "http://$here:3000/health"; do
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || break 2 # a service died: the loop below says which
  done
  sleep 0.5
done
run projection env PORT=8080 node dist/apps/projection/src/main.js
for i in 1 2 3; do
  run "member-host host-$i" env PORT=$((3100 + i)) HOST_NAME="host-$i" DRIVER=memory \
    PIF_DEVICES=eth0,eth1,eth2 STATE_DIR="$state/host-$i" node dist/apps/member-host/src/main.js
done
# Creates the pool and configures it once its hosts joined (a no-op when it already is), then
# waits until every host has applied the log's head.
run demo-seed env MASTER_URL="http://$here:3000" PROJECTION_URL="http://$here:8080" \
  node dist/apps/demo-seed/src/main.js

# Watches them: the seed's end says whether the pool is ready; any other end stops the pool.
while ((${#pids[@]})); do
  for i in "${!pids[@]}"; do
    kill -0 "${pids[$i]}" 2>/dev/null && continue
    status=0
    wait "${pids[$i]}" || status=$?
    name="${names[$i]}"
    unset "pids[$i]" "names[$i]"
    if [ "$name" != demo-seed ]; then
      echo "poolnet: $name exited (status $status), so the pool is stopping; its log is above" >&2
      exit 1
    elif ((status == 0)); then
      echo "poolnet ready: dashboard http://$here:8080 · REST http://$here:3000 and :3001" \
        "(OpenAPI at /docs) · gRPC $here:50051 and :50052 · try: npm run poolctl -- --pool" \
        "$POOL_ID status · Ctrl-C stops it (the log and $state/ stay)"
    else
      echo "poolnet: the demo pool is not ready (demo-seed exited with status $status, see" \
        "above); the services keep running, Ctrl-C stops them" >&2
    fi
  done
  sleep 0.5
done
