#!/usr/bin/env bash
# Runs a whole pool on this machine against your PostgreSQL and NATS (JetStream on):
# migrations, two pool-master replicas, the projection service and three member hosts
# (memory datapath). Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export NATS_URL="${NATS_URL:-nats://127.0.0.1:4222}"
export POOL_ID="${POOL_ID:-demo}"
state="${STATE_DIR:-.state}"
mkdir -p "$state"

node dist/migrations/run.js
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait' EXIT INT TERM
run() { "$@" & pids+=($!); }

run env PORT=3000 GRPC_URL=127.0.0.1:50051 REPLICA_ID=master-a node dist/apps/pool-master/src/main.js
run env PORT=3001 GRPC_URL=127.0.0.1:50052 REPLICA_ID=master-b node dist/apps/pool-master/src/main.js
run env PORT=8080 node dist/apps/projection/src/main.js
for i in 1 2 3; do
  run env PORT=$((3100 + i)) HOST_NAME="host-$i" DRIVER=memory PIF_DEVICES=eth0,eth1,eth2 \
    STATE_DIR="$state/host-$i" node dist/apps/member-host/src/main.js
done
# Creates pool demo and configures it once its hosts joined; a no-op when it is already seeded.
MASTER_URL=http://127.0.0.1:3000 node dist/apps/demo-seed/src/main.js &
echo "pool-master: http://127.0.0.1:3000 (replica b on :3001), projection: http://127.0.0.1:8080"
wait
