#!/usr/bin/env bash
# What a new user without Docker does (README, "Quick start"): `npm start` against the local
# PostgreSQL and NATS, on a database of its own. Passes when the demo pool is seeded, every
# member host has applied the log head, the dashboard answers and poolctl can migrate a VM.
# Needs the build (`npm test` made it). Stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
admin="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
db="poolnet_smoke_$$"
state="$(mktemp -d)"
log="$state/pool.log"
psql "$admin" -qc "CREATE DATABASE $db"
cleanup() {
  [ -n "${pid:-}" ] && kill -INT -- "-$pid" 2>/dev/null && sleep 2
  psql "$admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true
  rm -rf "$state"
}
trap cleanup EXIT
# Its own process group, so Ctrl-C (SIGINT to the group) stops the pool as it would a user's.
DATABASE_URL="${admin%/*}/$db" STATE_DIR="$state/hosts" SUBJECT_ROOT="smoke$$" \
  EVENTS_STREAM="SMOKE_EVENTS_$$" REPORTS_STREAM="SMOKE_REPORTS_$$" \
  setsid bash scripts/run-pool.sh >"$log" 2>&1 &
pid=$!

for _ in $(seq 1 120); do
  grep -q 'demo-seed: pool demo seeded' "$log" && break
  grep -q 'demo-seed: could not\|demo-seed: hosts never' "$log" && break
  sleep 1
done
grep 'demo-seed:' "$log" | tail -1
grep -q 'demo-seed: pool demo seeded' "$log" || { tail -50 "$log"; exit 1; }

behind() {
  curl -sf localhost:8080/api/pools/demo/hosts |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const h=JSON.parse(s).items;process.stdout.write(String(h.length===3&&h.every(x=>x.lagEvents===0)?0:1))})'
}
for _ in $(seq 1 60); do [ "$(behind || echo 1)" = 0 ] && break; sleep 1; done
[ "$(behind || echo 1)" = 0 ] || { echo "hosts never caught up"; tail -50 "$log"; exit 1; }
curl -sf -o /dev/null localhost:8080/
POOLNET_POOL=demo node dist/apps/poolctl/src/main.js vm migrate web-1 --to host-2 --wait --timeout 60
POOLNET_POOL=demo node dist/apps/poolctl/src/main.js vm list --output json |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s).find(x=>x.id==="web-1");if(v?.hostId!=="host-2"){console.error("web-1 is on",v?.hostId);process.exit(1)}})'
echo "npm start: demo pool seeded, 3 hosts at the head, dashboard up, web-1 migrated to host-2"
