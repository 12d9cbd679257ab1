#!/usr/bin/env bash
# The README's first command, for real: `docker compose up` of docker-compose.yml, checked the way
# a new user would. CI runs it on every change (.ci/run).
#
#   1. a Docker engine (starts Debian's dockerd when none answers, and stops it at the end)
#   2. the base images: the real ones when present, else local stand-ins
#      (scripts/compose/stand-in-images.sh: for machines with no image registry)
#   3. build, `up -d`, every service healthy, `migrate` and `seed` exited 0
#   4. the demo pool seeded: 3 hosts at the log's head, 5 VMs; the dashboard and the read API
#      answering on the published port
#   5. the README's poolctl alias through `exec`: `status`, `vm migrate web-1 --to host-2 --wait`;
#      the `ovs` profile's NATS user, password and URL log in
#   6. `down` then `up`: the pool, its version and the migrated VM are still there
#   7. `down -v` (always, also on failure), so nothing it started is left
#
# Published ports are moved off the ones local services and `npm start` use (PostgreSQL 5432,
# NATS 4222, 3000/3001/8080/50051/50052) to ports free at the start, through the compose file's
# POOLNET_*_PORT variables (set one to choose it). The project name is its own (poolnet-smoke), so a user's `poolnet`
# stack is never touched.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's docker CLI (20.10) builds with BuildKit without the buildx plugin; a newer CLI
# earlier on PATH may lack it.
[ -x /usr/bin/docker ] && export PATH="/usr/bin:$PATH"
export COMPOSE_PROJECT_NAME="${COMPOSE_PROJECT_NAME:-poolnet-smoke}"
export COMPOSE_DOCKER_CLI_BUILD=1 DOCKER_BUILDKIT=1 BUILDKIT_PROGRESS=plain
# A port the kernel has free now, kept for the whole run (down/up publish the same ones).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
for var in POOLNET_MASTER_A_PORT POOLNET_MASTER_B_PORT POOLNET_GRPC_A_PORT POOLNET_GRPC_B_PORT \
  POOLNET_DASHBOARD_PORT POOLNET_NATS_PORT; do
  [ -n "${!var:-}" ] || export "$var=$(free_port)"
done
# Variables the compose file reads that a CI shell may have set for the local services.
unset NATS_URL DATABASE_URL HOST_NATS_URL
READER="Authorization: Bearer ${POOLNET_READER_TOKEN:-demo-reader-token-change-me}"
API="http://127.0.0.1:$POOLNET_DASHBOARD_PORT/api/pools/demo"
TIMEOUT="${SMOKE_TIMEOUT:-240}"

step() { printf '\ncompose-smoke: %s\n' "$*"; }
checked=()
ok() { checked+=("$*"); printf 'compose-smoke: ok: %s\n' "$*"; }
fail() {
  printf 'compose-smoke: FAILED: %s\n' "$*" >&2
  $DC ps >&2 || true
  $DC logs --no-color --tail 40 >&2 || true
  exit 1
}

step "Docker engine"
dockerd_pid="$(bash scripts/compose/start-dockerd.sh)"
if docker compose version >/dev/null 2>&1; then DC="docker compose"; else DC="docker-compose"; fi
echo "$(docker version --format 'engine {{.Server.Version}}'), $($DC version --short 2>/dev/null | head -1 || true) ($DC)"
upped=""
cleanup() {
  local rc=$?
  if [ -n "$upped" ]; then $DC down -v --remove-orphans >/dev/null 2>&1 || true; fi
  # dockerd was started by a child script, so it is not this shell's child: `wait` cannot reap
  # it (it returns 127, which errexit turned into this script's status). Poll until it is gone.
  if [ -n "$dockerd_pid" ] && kill "$dockerd_pid" 2>/dev/null; then
    for _ in $(seq 1 60); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.5; done
  fi
  exit $rc
}
trap cleanup EXIT

step "base images"
bash scripts/compose/stand-in-images.sh

step "build"
started=$SECONDS
$DC build >/tmp/poolnet-compose-build.log 2>&1 || { tail -40 /tmp/poolnet-compose-build.log; fail "build"; }
ok "image poolnet:local built ($((SECONDS - started)) s)"

# Every long-running service healthy, and the one-shots (migrate, seed) exited 0.
wait_healthy() {
  local deadline=$((SECONDS + TIMEOUT)) pending
  while :; do
    pending=""
    for id in $($DC ps -q); do
      read -r name status health code < <(docker inspect --format \
        '{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}-{{end}} {{.State.ExitCode}}' "$id")
      case "$name" in
        *migrate* | *seed*)
          [ "$status" = exited ] && [ "$code" = 0 ] && continue ;;
        *)
          [ "$status" = running ] && [ "$health" = healthy ] && continue ;;
      esac
      pending+=" ${name#/}($status/$health)"
    done
    [ -z "$pending" ] && return 0
    [ $SECONDS -gt $deadline ] && fail "not healthy after ${TIMEOUT} s:$pending"
    sleep 2
  done
}

json() { curl -sf -H "$READER" "$API$1"; }
# Prints "<log version> <hosts at that version> <hosts> <vms>" from the read API.
pool_state() {
  local pool hosts
  pool="$(json "")" && hosts="$(json /hosts)" || { echo "- - - -"; return; }
  python3 -c '
import json, sys
pool, hosts = json.loads(sys.argv[1]), json.loads(sys.argv[2])["items"]
at_head = sum(1 for h in hosts if h["appliedVersion"] == pool["version"] and h["lagEvents"] == 0)
print(pool["version"], at_head, len(hosts), pool["vms"])' "$pool" "$hosts"
}
wait_converged() {
  local deadline=$((SECONDS + TIMEOUT)) state
  while :; do
    state="$(pool_state)"
    read -r version at_head hosts vms <<<"$state"
    [ "$hosts" = 3 ] && [ "$at_head" = 3 ] && [ "$vms" = 5 ] && return 0
    [ $SECONDS -gt $deadline ] && fail "pool demo not converged: version hosts-at-head hosts vms = $state"
    sleep 1
  done
}
vm_host() {
  json "/vms/$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["hostId"])'
}

step "up"
started=$SECONDS
upped=1
$DC up -d >/tmp/poolnet-compose-up.log 2>&1 || { cat /tmp/poolnet-compose-up.log; fail "up"; }
wait_healthy
ok "every service healthy, migrate and seed exited 0 ($((SECONDS - started)) s after up)"
seed_log="$($DC logs --no-color seed)"
grep -q 'pool demo seeded' <<<"$seed_log" || fail "the seed did not say it seeded pool demo"
wait_converged
read -r version _ <<<"$(pool_state)"
ok "demo pool seeded: 3 hosts at the log's head (version $version), 5 VMs"

step "dashboard and read API on the published port $POOLNET_DASHBOARD_PORT"
# Read whole, then searched: `curl | grep -q` under pipefail fails when grep stops reading early.
page="$(curl -sf "http://127.0.0.1:$POOLNET_DASHBOARD_PORT/")" || fail "no dashboard page"
grep -qi '<html' <<<"$page" || fail "the dashboard answered with no HTML page"
status="$(curl -s -o /dev/null -w '%{http_code}' "$API/hosts")"
[ "$status" = 401 ] || fail "the read API answered $status without a token, not 401"
ok "dashboard page served; read API answers with the reader token, 401 without"
status="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$POOLNET_MASTER_A_PORT/health")"
[ "$status" = 200 ] || fail "pool-master-a /health on :$POOLNET_MASTER_A_PORT answered $status"
ok "pool-master REST answers on :$POOLNET_MASTER_A_PORT"

step "the README's poolctl alias through exec"
# The alias as the README writes it (`docker compose exec ... node dist/apps/poolctl/...`),
# run with this machine's compose and -T (no terminal here).
alias_line="$(sed -n "/^alias poolctl='docker compose exec/,/'\$/p" README.md | tr -d '\\\n')"
[ -n "$alias_line" ] || fail "README.md has no \"alias poolctl='docker compose exec ...'\" line"
exec_args="$(sed -E "s/^alias poolctl='docker compose exec +//; s/'\$//" <<<"$alias_line")"
poolctl() { eval "$DC exec -T $exec_args \"\$@\""; }
poolctl status | tee /tmp/poolnet-compose-status.txt
grep -q 'host-1' /tmp/poolnet-compose-status.txt || fail "poolctl status names no host-1"
ok "poolctl status through exec"
from="$(vm_host web-1)"
to=host-2; [ "$from" = host-2 ] && to=host-3
poolctl vm migrate web-1 --to "$to" --wait --timeout 60 || fail "poolctl vm migrate web-1 --to $to --wait"
[ "$(vm_host web-1)" = "$to" ] || fail "web-1 is on $(vm_host web-1), not $to"
ok "poolctl vm migrate web-1 --to $to --wait through exec (from $from)"
wait_converged
read -r version _ <<<"$(pool_state)"

step "the ovs profile's member host: its NATS defaults log in"
# What `docker compose --profile ovs up member-host-ovs` on this machine would use (host network,
# NATS published on 127.0.0.1; the port moved here, so HOST_NATS_URL says where): the user,
# password and URL it is configured with must log in and reach JetStream.
export HOST_NATS_URL="nats://127.0.0.1:$POOLNET_NATS_PORT"
ovs_env="$($DC --profile ovs config | python3 -c '
import sys, yaml
env = yaml.safe_load(sys.stdin)["services"]["member-host-ovs"]["environment"]
print(" ".join(f"-e {k}={env[k]}" for k in ("NATS_URL", "NATS_USER", "NATS_PASSWORD")))')"
# shellcheck disable=SC2086 # one word per -e NAME=value
docker run --rm --network host $ovs_env --entrypoint node poolnet:local --input-type=module -e "
  import { connect } from '@nats-io/transport-node';
  import { jetstreamManager } from '@nats-io/jetstream';
  const nc = await connect({ servers: process.env.NATS_URL, user: process.env.NATS_USER, pass: process.env.NATS_PASSWORD });
  await jetstreamManager(nc);
  console.log('logged in to', process.env.NATS_URL, 'as', process.env.NATS_USER);
  await nc.close();" || fail "the ovs profile's NATS defaults do not log in"
ok "the ovs profile's member host logs in to NATS with its defaults (user hypervisor-1)"

step "down, then up: the data is kept"
$DC down >/dev/null 2>&1 || fail "down"
$DC up -d >/tmp/poolnet-compose-up.log 2>&1 || { cat /tmp/poolnet-compose-up.log; fail "up again"; }
wait_healthy
wait_converged
read -r again _ <<<"$(pool_state)"
[ "$again" = "$version" ] || fail "the log was at version $version before down, is at $again after up"
[ "$(vm_host web-1)" = "$to" ] || fail "after down/up web-1 is on $(vm_host web-1), not $to"
ok "after down/up: pool at version $again, 3 hosts at the head, 5 VMs, web-1 still on $to"

step "down -v"
$DC down -v --remove-orphans >/dev/null 2>&1 || fail "down -v"
upped=""
[ -z "$(docker volume ls -q --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME")" ] ||
  fail "volumes left after down -v"
ok "down -v removed the containers and volumes"

printf '\ncompose-smoke: passed, checked:\n'
printf '  - %s\n' "${checked[@]}"
