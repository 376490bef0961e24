#!/usr/bin/env bash
# A throw-away PostgreSQL server on loopback for the tests that need a real one.
#
#   export DATABASE_URL="$(bash scripts/postgres.sh)"   # start (or reuse) it, print its URL
#   bash scripts/postgres.sh stop                        # stop it
#
# Installs Debian's postgresql package when no server binaries are found
# (needs root), creates a cluster under $SVC_PG_DIR (default
# ${TMPDIR:-/tmp}/svc-postgres) owned by the postgres user, listening on
# 127.0.0.1:$SVC_PG_PORT (default 55432) only, with user svc, password svc and
# database svc. Progress goes to stderr; stdout carries only the URL.
set -euo pipefail

DIR="${SVC_PG_DIR:-${TMPDIR:-/tmp}/svc-postgres}"
PORT="${SVC_PG_PORT:-55432}"
URL="postgres://svc:svc@127.0.0.1:${PORT}/svc?sslmode=disable"

log() { echo "postgres: $*" >&2; }

bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  return 1
}

# Runs a command as the postgres user (the server refuses to run as root).
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

BIN="$(bindir || true)"

if [ "${1:-start}" = "stop" ]; then
  if [ -n "$BIN" ] && [ -f "$DIR/data/postmaster.pid" ]; then
    as_postgres "$BIN/pg_ctl" -D "$DIR/data" -m fast stop >&2 || true
  fi
  exit 0
fi

if [ -z "$BIN" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    log "no PostgreSQL server found and not root: install Debian's postgresql package" && exit 1
  fi
  log "installing Debian's postgresql package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends postgresql >&2
  BIN="$(bindir)"
fi

if [ ! -f "$DIR/data/PG_VERSION" ]; then
  log "creating a cluster in $DIR/data ($("$BIN/postgres" --version))"
  mkdir -p "$DIR"
  printf 'svc\n' > "$DIR/pwfile"
  if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$DIR"; fi
  as_postgres "$BIN/initdb" -D "$DIR/data" -U svc --pwfile="$DIR/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
    || { cat "$DIR/initdb.log" >&2; exit 1; }
fi

if ! as_postgres "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
  log "starting on 127.0.0.1:$PORT"
  # Sockets in the cluster's folder, so nothing outside it is needed; fsync off:
  # the data is thrown away, speed matters more.
  as_postgres "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >&2 || { cat "$DIR/server.log" >&2; exit 1; }
fi

if ! as_postgres "$BIN/psql" -h "$DIR" -p "$PORT" -U svc -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'svc'" | grep -q 1; then
  as_postgres "$BIN/psql" -h "$DIR" -p "$PORT" -U svc -d postgres -qc "CREATE DATABASE svc" >&2
fi
log "ready: $URL"
echo "$URL"
