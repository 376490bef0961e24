#!/usr/bin/env bash
# A throw-away Redis server on loopback for the tests that need a real one.
#
#   export REDIS_URL="$(bash scripts/redis.sh)"   # start (or reuse) it, print its URL
#   bash scripts/redis.sh stop                     # stop it
#
# Installs Debian's redis-server package when no server binary is found
# (needs root), then runs it in the background on 127.0.0.1:$SVC_REDIS_PORT
# (default 56379) only, without persistence (no RDB snapshots, no AOF), with
# its pid file, log and working folder under $SVC_REDIS_DIR (default
# ${TMPDIR:-/tmp}/svc-redis). Progress goes to stderr; stdout carries only the
# URL.
set -euo pipefail

DIR="${SVC_REDIS_DIR:-${TMPDIR:-/tmp}/svc-redis}"
PORT="${SVC_REDIS_PORT:-56379}"
URL="redis://127.0.0.1:${PORT}"

log() { echo "redis: $*" >&2; }

# Is our server up and answering? redis-cli comes with redis-server (redis-tools).
alive() { command -v redis-cli >/dev/null 2>&1 && [ "$(redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null)" = "PONG" ]; }

if [ "${1:-start}" = "stop" ]; then
  if [ -f "$DIR/redis.pid" ]; then
    pid="$(cat "$DIR/redis.pid")"
    if kill -0 "$pid" 2>/dev/null; then
      log "stopping (pid $pid)"
      kill "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$DIR/redis.pid"
  fi
  exit 0
fi

if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    log "no redis-server found and not root: install Debian's redis-server package" && exit 1
  fi
  log "installing Debian's redis-server package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends redis-server >&2
fi

if ! alive; then
  log "starting on 127.0.0.1:$PORT ($(redis-server --version | cut -d' ' -f1-3))"
  mkdir -p "$DIR"
  # No persistence: the data is thrown away; protected mode stays on (loopback only).
  redis-server --bind 127.0.0.1 --port "$PORT" --dir "$DIR" \
    --save '' --appendonly no \
    --daemonize yes --pidfile "$DIR/redis.pid" --logfile "$DIR/server.log" >&2
  for _ in $(seq 1 100); do alive && break; sleep 0.1; done
  if ! alive; then
    log "did not start"
    cat "$DIR/server.log" >&2 || true
    exit 1
  fi
fi
log "ready: $URL"
echo "$URL"
