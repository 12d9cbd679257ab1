#!/usr/bin/env bash
# Local stand-ins for the base images the Dockerfile and docker-compose.yml name, for machines
# that run a Docker engine but reach no image registry (CI's). Builds only the tags that are
# absent: where the real images were pulled, this does nothing.
#
#   node:22-bookworm-slim  a Debian bookworm rootfs + this machine's node and npm, a `node`
#                          user (uid 1000) and the official image's entrypoint
#   postgres:16-alpine     Debian's PostgreSQL with an entrypoint doing what the official one
#                          does for our compose file (POSTGRES_USER/PASSWORD/DB, first-start
#                          init on the socket only, then `postgres` as the postgres user)
#   nats:2.10-alpine       Debian's nats-server and wget (the compose health check uses it)
#
# They carry the versions this machine and Debian have (Node 20, PostgreSQL 15, nats-server
# 2.9), not the tags' versions: a stand-in proves the compose wiring, not those versions.
# The bookworm rootfs comes from debootstrap and the mirror apt already uses, and is cached in
# $STANDIN_CACHE. Needs root, debootstrap and a running dockerd.
set -euo pipefail
CACHE=${STANDIN_CACHE:-/var/cache/poolnet-standins}
NODE_TAG=node:22-bookworm-slim PG_TAG=postgres:16-alpine NATS_TAG=nats:2.10-alpine
cd "$(dirname "$0")/../.."
# The tags above must be the ones the project names, or a stand-in would stand in for nothing.
named="$(awk 'toupper($1)=="FROM"{print $2}' Dockerfile; awk '$1=="image:"{print $2}' docker-compose.yml)"
for tag in "$NODE_TAG" "$PG_TAG" "$NATS_TAG"; do
  grep -qxF "$tag" <<<"$named" || { echo "stand-in-images.sh builds $tag, which neither Dockerfile nor docker-compose.yml names: update it" >&2; exit 1; }
done
while read -r tag; do
  case "$tag" in poolnet:* | runtime | build | "$NODE_TAG" | "$PG_TAG" | "$NATS_TAG") ;;
    *) echo "the project names base image $tag, which stand-in-images.sh does not build: add it" >&2; exit 1 ;;
  esac
done <<<"$named"
mkdir -p "$CACHE"
log() { printf 'stand-in: %s\n' "$*"; }
present() { docker image inspect "$1" >/dev/null 2>&1; }

base_rootfs() {
  [ -f "$CACHE/bookworm-base.tar" ] && return
  local mirror dir="$CACHE/rootfs-base"
  mirror=${MIRROR:-$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null ||
    true)}
  mirror=${mirror:-$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list)}
  log "debootstrap bookworm from $mirror"
  rm -rf "$dir"
  debootstrap --variant=minbase bookworm "$dir" "$mirror" >"$CACHE/debootstrap.log" 2>&1 ||
    { tail -20 "$CACHE/debootstrap.log" >&2; exit 1; }
  rm -rf "$dir/var/lib/apt/lists/"* "$dir/var/cache/apt/archives/"*.deb
  tar -C "$dir" -cf "$CACHE/bookworm-base.tar" .
  rm -rf "$dir"
}

new_rootfs() { # DIR: an unpacked copy of the base, where no service starts from a postinst
  rm -rf "$1"; mkdir -p "$1"; tar -C "$1" -xf "$CACHE/bookworm-base.tar"
  cp /etc/resolv.conf "$1/etc/resolv.conf"
  printf '#!/bin/sh\nexit 101\n' >"$1/usr/sbin/policy-rc.d"; chmod 0755 "$1/usr/sbin/policy-rc.d"
}

chroot_apt() { # DIR PKG...: apt-get install inside the rootfs, from the host's mirror
  local d=$1; shift
  mount -t proc proc "$d/proc"
  local run=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive chroot "$d")
  if ! { "${run[@]}" apt-get update -qq &&
    "${run[@]}" apt-get install -y -qq --no-install-recommends "$@"; } >"$CACHE/apt.log" 2>&1; then
    tail -20 "$CACHE/apt.log" >&2; umount "$d/proc"; exit 1
  fi
  "${run[@]}" apt-get clean
  umount "$d/proc"
  rm -rf "$d/var/lib/apt/lists/"*
}

# import_rootfs DIR TAG [--change ...]: the rootfs, its docker-entrypoint.sh as ENTRYPOINT, as
# image TAG; the rootfs is removed after.
import_rootfs() {
  local r=$1 tag=$2; shift 2
  chmod 0755 "$r/usr/local/bin/docker-entrypoint.sh"
  rm -f "$r/usr/sbin/policy-rc.d"; : >"$r/etc/resolv.conf"
  tar -C "$r" -c . | docker import --change 'ENTRYPOINT ["docker-entrypoint.sh"]' "$@" - "$tag" >/dev/null
  rm -rf "$r"
}

node_image() {
  local r="$CACHE/rootfs-node" node npm_dir ca_env=()
  node=$(readlink -f "$(command -v node)")
  npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  new_rootfs "$r"
  install -D -m 0755 "$node" "$r/usr/local/bin/node"
  mkdir -p "$r/usr/local/lib/node_modules"
  cp -a "$npm_dir" "$r/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$r/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$r/usr/local/bin/npx"
  chroot "$r" groupadd --gid 1000 node
  chroot "$r" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  cat >"$r/usr/local/bin/docker-entrypoint.sh" <<'SH'
#!/bin/sh
set -e
# As the official image: `node ARGS` when the first argument is an option or not a command.
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi
exec "$@"
SH
  # A machine whose npm registry sits behind a TLS-intercepting proxy trusts its CA in
  # /usr/local/share/ca-certificates; npm inside the image must too (Node uses its own roots).
  if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
    cat /usr/local/share/ca-certificates/*.crt >"$r/usr/local/share/extra-ca.pem"
    ca_env=(--change "ENV NODE_EXTRA_CA_CERTS=/usr/local/share/extra-ca.pem")
  fi
  import_rootfs "$r" "$NODE_TAG" "${ca_env[@]}" \
    --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change "ENV NODE_VERSION=$(node --version | sed 's/^v//')" --change 'CMD ["node"]'
}

postgres_image() {
  local r="$CACHE/rootfs-postgres" v
  new_rootfs "$r"
  mkdir -p "$r/etc/postgresql-common"
  echo 'create_main_cluster = false' >"$r/etc/postgresql-common/createcluster.conf"
  chroot_apt "$r" postgresql postgresql-client locales-all
  v=$(ls "$r/usr/lib/postgresql" | sort -n | tail -1)
  sed -ri "s!^#?(listen_addresses)\s*=\s*\S+.*!\1 = '*'!" \
    "$r/usr/share/postgresql/$v/postgresql.conf.sample"
  mkdir -p "$r/var/lib/postgresql/data" "$r/var/run/postgresql" "$r/docker-entrypoint-initdb.d"
  chroot "$r" chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
  chmod 0700 "$r/var/lib/postgresql/data"; chmod 3777 "$r/var/run/postgresql"
  cat >"$r/usr/local/bin/docker-entrypoint.sh" <<'SH'
#!/bin/bash
# What the official postgres image's entrypoint does for docker-compose.yml.
set -Eeo pipefail
: "${PGDATA:=/var/lib/postgresql/data}"; export PGDATA
if [ "${1:0:1}" = '-' ]; then set -- postgres "$@"; fi
if [ "$1" = 'postgres' ] && [ "$(id -u)" = '0' ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  find "$PGDATA" \! -user postgres -exec chown postgres:postgres '{}' +
  chmod 0700 "$PGDATA"; chmod 3777 /var/run/postgresql
  exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi
if [ "$1" = 'postgres' ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_USER:=postgres}"; : "${POSTGRES_DB:=$POSTGRES_USER}"
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "${POSTGRES_HOST_AUTH_METHOD:-}" != 'trust' ]; then
    echo 'Error: Database is uninitialized and superuser password is not specified.' >&2; exit 1
  fi
  pw=$(mktemp); printf '%s\n' "${POSTGRES_PASSWORD:-}" >"$pw"
  initdb --username="$POSTGRES_USER" --pwfile="$pw" ${POSTGRES_INITDB_ARGS:-} -D "$PGDATA"
  rm -f "$pw"
  printf '\nhost all all all %s\n' "${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}" >>"$PGDATA/pg_hba.conf"
  # Initialisation listens on the socket only, as the official image: TCP clients are refused
  # until the real server starts (docker-compose.yml's health check goes over TCP for that).
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p ${PGPORT:-5432}" -w start
  export PGUSER="$POSTGRES_USER" PGPASSWORD="${POSTGRES_PASSWORD:-}"
  if [ "$POSTGRES_DB" != 'postgres' ]; then
    psql -v ON_ERROR_STOP=1 --dbname postgres -c "CREATE DATABASE \"$POSTGRES_DB\";"
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh) . "$f" ;;
      *.sql) psql -v ON_ERROR_STOP=1 --dbname "$POSTGRES_DB" -f "$f" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop
  unset PGPASSWORD
fi
exec "$@"
SH
  import_rootfs "$r" poolnet-standin/postgres-imported \
    --change "ENV PATH=/usr/lib/postgresql/$v/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change 'ENV PGDATA=/var/lib/postgresql/data' --change 'ENV LANG=en_US.utf8' \
    --change 'VOLUME /var/lib/postgresql/data' --change 'EXPOSE 5432' --change 'CMD ["postgres"]'
  # `docker import --change` takes no STOPSIGNAL (dockerd 20.10); the official image stops on
  # SIGINT (a fast shutdown).
  printf 'FROM poolnet-standin/postgres-imported\nSTOPSIGNAL SIGINT\n' | docker build -q -t "$PG_TAG" - >/dev/null
}

nats_image() {
  local r="$CACHE/rootfs-nats"
  new_rootfs "$r"
  chroot_apt "$r" nats-server wget
  ln -sf /usr/sbin/nats-server "$r/usr/local/bin/nats-server"
  mkdir -p "$r/etc/nats"
  printf 'port: 4222\nhttp: 8222\njetstream: enabled\n' >"$r/etc/nats/nats-server.conf"
  cat >"$r/usr/local/bin/docker-entrypoint.sh" <<'SH'
#!/bin/sh
set -e
# As the official image: arguments that start with '-' go to nats-server.
if [ "${1#-}" != "$1" ]; then set -- nats-server "$@"; fi
exec "$@"
SH
  import_rootfs "$r" "$NATS_TAG" \
    --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change 'EXPOSE 4222 8222 6222' \
    --change 'CMD ["nats-server", "--config", "/etc/nats/nats-server.conf"]'
}

for pair in "$NODE_TAG node_image" "$PG_TAG postgres_image" "$NATS_TAG nats_image"; do
  set -- $pair
  if present "$1"; then log "$1 present"; continue; fi
  command -v debootstrap >/dev/null || { echo "no debootstrap: apt-get install debootstrap" >&2; exit 1; }
  base_rootfs
  started=$SECONDS
  "$2"
  log "$1 built ($((SECONDS - started)) s)"
done
