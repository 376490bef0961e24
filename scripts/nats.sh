#!/usr/bin/env bash
# A throw-away NATS server with JetStream on loopback, for the event tests
# that need a real broker (package event's NATS tests run when NATS_URL is set).
#
#   export NATS_URL="$(bash scripts/nats.sh)"   # install if needed, start (or reuse) it, print its URL
#   bash scripts/nats.sh stop                   # stop it
#
# Installs nats-server, pinned, with `go install` from the Go module proxy (no
# binary download) into $SVC_GOBIN (default .tools/gobin), and runs it on
# 127.0.0.1:$SVC_NATS_PORT (default 54222) with its JetStream store under
# $SVC_NATS_DIR (default ${TMPDIR:-/tmp}/svc-nats). Progress goes to stderr;
# stdout carries only the URL. Building it takes a minute or two on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

NATS_MODULE=github.com/nats-io/nats-server/v2
NATS_VERSION=v2.12.15
PORT="${SVC_NATS_PORT:-54222}"
DIR="${SVC_NATS_DIR:-${TMPDIR:-/tmp}/svc-nats}"
GOBIN_DIR="${SVC_GOBIN:-$PWD/.tools/gobin}"
BIN="$GOBIN_DIR/nats-server"
URL="nats://127.0.0.1:${PORT}"

log() { echo "nats: $*" >&2; }

# running prints the pid of the server this script started, if it still runs.
running() {
  local pid
  pid="$(cat "$DIR/nats.pid" 2>/dev/null || true)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then echo "$pid"; return 0; fi
  return 1
}

if [ "${1:-start}" = "stop" ]; then
  if pid="$(running)"; then
    log "stopping (pid $pid)"
    kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$DIR/nats.pid"
  exit 0
fi

have="$(go version -m "$BIN" 2>/dev/null | awk -v m="$NATS_MODULE" '$1 == "mod" && $2 == m { print $3 }' || true)"
if [ "$have" != "$NATS_VERSION" ]; then
  if ! command -v go >/dev/null 2>&1; then
    log "go is not on PATH: cannot install nats-server $NATS_VERSION" && exit 1
  fi
  log "go install $NATS_MODULE@$NATS_VERSION into $GOBIN_DIR"
  mkdir -p "$GOBIN_DIR"
  GOBIN="$GOBIN_DIR" GOFLAGS=-buildvcs=false go install "$NATS_MODULE@$NATS_VERSION" >&2
fi

if ! running >/dev/null; then
  mkdir -p "$DIR/store"
  log "starting on 127.0.0.1:$PORT with JetStream in $DIR/store"
  nohup "$BIN" -js -sd "$DIR/store" -a 127.0.0.1 -p "$PORT" >"$DIR/server.log" 2>&1 &
  echo $! >"$DIR/nats.pid"
  # Ready when the port answers with the server's INFO line.
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
    if ! running >/dev/null; then cat "$DIR/server.log" >&2; log "the server exited"; exit 1; fi
    sleep 0.1
  done
fi
log "ready: $URL"
echo "$URL"
