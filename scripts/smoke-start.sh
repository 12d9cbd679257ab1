#!/usr/bin/env bash
# What a new user without Docker does (README, "Quick start"): `npm start` on a database of its
# own and a NATS server of its own (fresh JetStream, default subjects and streams, so the
# README's examples run as written), then every README block fenced as ```sh smoke, verbatim.
# Passes when:
# - the ready line comes, after the demo pool is seeded and every host applied the log's head;
# - the first boot logs no warning or error but the expected open-mode ones;
# - every service listens on 127.0.0.1 only;
# - each README example exits 0 (curl with --fail-with-body: a 4xx or 5xx fails it);
# - Ctrl-C stops the pool, and a second `npm start` finds the pool seeded and is ready again.
# Needs nats-server (Debian's package), psql and ss. Stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
admin="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
db="poolnet_smoke_$$"
work="$(mktemp -d)"
nats_port=$((20000 + $$ % 20000))
say() { printf '\n== smoke: %s\n' "$*"; }

cleanup() {
  [ -n "${pool:-}" ] && kill -INT -- "-$pool" 2>/dev/null && sleep 3
  [ -n "${nats:-}" ] && kill "$nats" 2>/dev/null
  psql "$admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true
  rm -rf "$work"
}
trap cleanup EXIT

nats-server -a 127.0.0.1 -p "$nats_port" -js -sd "$work/nats" >"$work/nats.log" 2>&1 &
nats=$!
psql "$admin" -qc "CREATE DATABASE $db"
export DATABASE_URL="${admin%/*}/$db" NATS_URL="nats://127.0.0.1:$nats_port"
export STATE_DIR="$work/state"

# `npm start` in a process group of its own, so SIGINT to the group is the user's Ctrl-C.
start() {
  : >"$1" # exists before the first grep: the background job opens it only when it runs
  setsid npm start >"$1" 2>&1 &
  pool=$!
  local started=$SECONDS
  until grep -q '^poolnet ready' "$1"; do
    if grep -q '^poolnet: .* exited\|^poolnet: the demo pool is not ready' "$1" ||
      ! kill -0 "$pool" 2>/dev/null || ((SECONDS - started > 150)); then
      tail -40 "$1"
      echo "smoke: npm start did not get ready" >&2
      exit 1
    fi
    sleep 0.5
  done
  echo "ready after $((SECONDS - started)) s:"
  grep -v '^{' "$1"
}
# Ctrl-C; every process of the pool must be gone within 15 s.
stop() {
  kill -INT -- "-$pool"
  for _ in $(seq 1 30); do
    pgrep -g "$pool" >/dev/null || break
    sleep 0.5
  done
  if pgrep -g "$pool" >/dev/null; then
    echo "smoke: still running 15 s after Ctrl-C:" >&2
    pgrep -ag "$pool" >&2
    exit 1
  fi
  pool=''
}
# Warnings and errors in a log, but the open-mode one each API service says at boot.
alarms() {
  grep '"level":"\(warn\|error\|fatal\)"' "$1" |
    grep -v '"context":"Auth","msg":"no bearer token configured' || true
}

say "npm start on an empty database and a fresh NATS"
start "$work/first.log"
if [ -n "$(alarms "$work/first.log")" ]; then
  alarms "$work/first.log"
  echo "smoke: a normal first boot logged the warnings or errors above" >&2
  exit 1
fi
echo "no warnings or errors at first boot but the open-mode ones"
wide="$(ss -Hltn | awk '{print $4}' |
  grep -E ':(3000|3001|8080|50051|50052|3101|3102|3103)$' | grep -v '^127\.0\.0\.1:' || true)"
if [ -n "$wide" ]; then
  echo "smoke: listening beyond 127.0.0.1: $wide" >&2
  exit 1
fi
echo "every service listens on 127.0.0.1 only"

say "the README's examples, verbatim"
blocks="$work/blocks"
mkdir -p "$blocks"
# A block in a list item is indented like its fence: that indentation is not the command's.
awk -v dir="$blocks" '
  /^ *```sh smoke *$/ { file = sprintf("%s/%02d.sh", dir, ++n); indent = index($0, "`") - 1; next }
  file && /^ *``` *$/ { close(file); file = ""; next }
  file { line = substr($0, 1, indent) ~ /^ *$/ ? substr($0, indent + 1) : $0; print line > file }
' README.md
shopt -s nullglob
examples=("$blocks"/*.sh)
((${#examples[@]} > 0)) || { echo "smoke: README.md has no \`\`\`sh smoke block" >&2; exit 1; }
for block in "${examples[@]}"; do
  echo "--- README block $(basename "$block" .sh):"
  sed 's/^/    /' "$block"
  # curl fails on an HTTP error and shows the status; the block's own text is unchanged.
  {
    echo 'curl() { command curl --fail-with-body -sS -w "\n[HTTP %{http_code}]\n" "$@"; }'
    cat "$block"
  } | bash -O expand_aliases -e -o pipefail -s 2>&1 |
    awk '{ line = length($0) > 300 ? substr($0, 1, 300) "..." : $0; print line }' || {
    echo "smoke: README block $(basename "$block" .sh) failed (above)" >&2
    exit 1
  }
done
node dist/apps/poolctl/src/main.js --pool demo vm list --output json |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s).find(x=>x.id==="web-1");if(v?.hostId!=="host-2"){console.error("smoke: web-1 is on",v?.hostId);process.exit(1)}})'
echo "web-1 runs on host-2, as the README's migration said"

say "Ctrl-C, then npm start again on the same database, NATS and state"
stop
grep -q '^poolnet: stopped' "$work/first.log" ||
  { echo "smoke: npm start did not say it stopped" >&2; exit 1; }
echo "stopped: no process of the pool left"
start "$work/second.log"
grep -q 'demo-seed: pool demo is already seeded' "$work/second.log" ||
  { echo "smoke: the second start did not find the pool seeded" >&2; exit 1; }
if [ -n "$(alarms "$work/second.log")" ]; then
  alarms "$work/second.log"
  echo "smoke: a restart logged the warnings or errors above" >&2
  exit 1
fi
stop
say "passed: ready line after the seed and convergence, a quiet first boot, loopback only," \
  "${#examples[@]} README blocks verbatim, Ctrl-C and a restart that kept the pool"
