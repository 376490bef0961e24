#!/usr/bin/env bash
# A throw-away single-node Kafka (KRaft, broker and controller in one JVM) on
# loopback, for the event tests that need a real one (package event's Kafka
# tests run when KAFKA_BROKERS is set).
#
#   export KAFKA_BROKERS="$(bash scripts/kafka.sh)"   # install if needed, start (or reuse) it, print host:port
#   bash scripts/kafka.sh stop                        # stop it
#
# Kafka's jars come from Maven Central through Maven (a pom naming
# org.apache.kafka:kafka_2.13, copied with dependency:copy-dependencies; no
# binary download); Debian's openjdk-17-jre-headless and maven are installed
# when java or mvn is missing (needs root). The node listens on
# 127.0.0.1:$SVC_KAFKA_PORT (default 59092, its controller on the next port)
# with its data under $SVC_KAFKA_DIR (default ${TMPDIR:-/tmp}/svc-kafka).
# Progress goes to stderr; stdout carries only the broker address. The first
# run downloads about 40 MB of jars; starting takes about 10 s.
set -euo pipefail

KAFKA_VERSION=4.1.1
PORT="${SVC_KAFKA_PORT:-59092}"
CONTROLLER_PORT=$((PORT + 1))
DIR="${SVC_KAFKA_DIR:-${TMPDIR:-/tmp}/svc-kafka}"
ADDR="127.0.0.1:${PORT}"

log() { echo "kafka: $*" >&2; }

# running prints the pid of the node this script started, if it still runs.
running() {
  local pid
  pid="$(cat "$DIR/kafka.pid" 2>/dev/null || true)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then echo "$pid"; return 0; fi
  return 1
}

if [ "${1:-start}" = "stop" ]; then
  if pid="$(running)"; then
    log "stopping (pid $pid)"
    kill "$pid"
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  fi
  rm -f "$DIR/kafka.pid"
  exit 0
fi

if ! command -v java >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    log "java or mvn missing and not root: install Debian's openjdk-17-jre-headless and maven" && exit 1
  fi
  log "installing Debian's openjdk-17-jre-headless and maven"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless maven >&2
fi

mkdir -p "$DIR"
if [ ! -f "$DIR/libs/kafka_2.13-$KAFKA_VERSION.jar" ]; then
  log "fetching Kafka $KAFKA_VERSION's jars with Maven into $DIR/libs"
  rm -rf "$DIR/libs"
  cat >"$DIR/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>svc.tools</groupId>
  <artifactId>kafka-server</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>$KAFKA_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-simple</artifactId>
      <version>1.7.36</version>
    </dependency>
  </dependencies>
</project>
POM
  mvn -q -B -Dstyle.color=never -f "$DIR/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$DIR/libs" >&2
fi

kafka() { java -Xms256m -Xmx768m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$DIR/libs/*" "$@"; }

if ! running >/dev/null; then
  cat >"$DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DIR/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  if [ ! -f "$DIR/data/meta.properties" ]; then
    log "formatting $DIR/data"
    kafka kafka.tools.StorageTool format -t "$(kafka kafka.tools.StorageTool random-uuid)" -c "$DIR/server.properties" >&2
  fi
  log "starting on $ADDR"
  nohup java -Xms256m -Xmx768m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$DIR/libs/*" \
    kafka.Kafka "$DIR/server.properties" >"$DIR/server.log" 2>&1 &
  echo $! >"$DIR/kafka.pid"
  for _ in $(seq 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
    if ! running >/dev/null; then tail -50 "$DIR/server.log" >&2; log "the node exited"; exit 1; fi
    sleep 0.2
  done
fi
log "ready: $ADDR"
echo "$ADDR"
