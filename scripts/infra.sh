#!/usr/bin/env bash
# Local infrastructure without Docker: a single-node KRaft Kafka broker run from Apache Kafka's jars
# (fetched from Maven Central by deploy/kafka/pom.xml), and the machine's PostgreSQL and Redis.
#
#   scripts/infra.sh up | down | status
#
# Idempotent: "up" returns at once when everything already answers. Env overrides:
#   KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), PGHOST/PGPORT (127.0.0.1/5432),
#   REDIS_HOST/REDIS_PORT (127.0.0.1/6379), INFRA_DIR (.infra)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INFRA_DIR="${INFRA_DIR:-$ROOT/.infra}"
KAFKA_DIR="$INFRA_DIR/kafka"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
REDIS_HOST="${REDIS_HOST:-127.0.0.1}"
REDIS_PORT="${REDIS_PORT:-6379}"
POM="$ROOT/deploy/kafka/pom.xml"

log() { printf '[infra] %s\n' "$*" >&2; }
die() { printf '[infra] ERROR: %s\n' "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_until() { # wait_until <seconds> <description> <command...>
  local deadline=$((SECONDS + $1)) what="$2"; shift 2
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

# ---------------------------------------------------------------- Kafka
kafka_pid() { [ -f "$KAFKA_DIR/kafka.pid" ] && cat "$KAFKA_DIR/kafka.pid" || true; }
kafka_running() { local p; p=$(kafka_pid); [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

kafka_fetch() {
  local stamp want
  want=$(sha256sum "$POM" | cut -c1-16)
  stamp="$KAFKA_DIR/libs/.pom-$want"
  [ -f "$stamp" ] && return 0
  command -v java >/dev/null || die "java not found: install a JDK 17+ (apt-get install openjdk-17-jre-headless)"
  command -v mvn >/dev/null || die "mvn not found: install Maven (apt-get install maven)"
  log "fetching Kafka jars from Maven Central (once)…"
  rm -rf "$KAFKA_DIR/libs" && mkdir -p "$KAFKA_DIR/libs"
  mvn -q -B -f "$POM" dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$KAFKA_DIR/libs" >"$KAFKA_DIR/mvn.log" 2>&1 \
    || { tail -20 "$KAFKA_DIR/mvn.log" >&2; die "could not fetch Kafka jars (see $KAFKA_DIR/mvn.log)"; }
  touch "$stamp"
}

kafka_config() {
  mkdir -p "$KAFKA_DIR/data" "$KAFKA_DIR/logs"
  cat >"$KAFKA_DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$KAFKA_DIR/data
# Topics are created explicitly (libs/contracts provisioning); a typo must not create a topic.
auto.create.topics.enable=false
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
min.insync.replicas=1
log.retention.hours=168
PROPS
  cat >"$KAFKA_DIR/log4j2.properties" <<PROPS
status = warn
appender.file.type = RollingFile
appender.file.name = FILE
appender.file.fileName = $KAFKA_DIR/logs/server.log
appender.file.filePattern = $KAFKA_DIR/logs/server.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 20MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.apache.name = org.apache.kafka
logger.apache.level = WARN
PROPS
}

kafka_up() {
  if kafka_running && port_open 127.0.0.1 "$KAFKA_PORT"; then log "kafka: up (pid $(kafka_pid), 127.0.0.1:$KAFKA_PORT)"; return 0; fi
  if ! kafka_running && port_open 127.0.0.1 "$KAFKA_PORT"; then
    log "kafka: 127.0.0.1:$KAFKA_PORT already answers and is not ours; using it (set KAFKA_PORT to run our own)"
    return 0
  fi
  if ! kafka_running && port_open 127.0.0.1 "$KAFKA_CONTROLLER_PORT"; then
    die "port $KAFKA_CONTROLLER_PORT (Kafka controller) is taken by another process; set KAFKA_CONTROLLER_PORT"
  fi
  kafka_fetch
  kafka_config
  local cp="$KAFKA_DIR/libs/*"
  if [ ! -f "$KAFKA_DIR/data/meta.properties" ]; then
    java -cp "$cp" kafka.tools.StorageTool format -t "$(java -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)" \
      -c "$KAFKA_DIR/server.properties" >"$KAFKA_DIR/logs/format.log" 2>&1 \
      || { cat "$KAFKA_DIR/logs/format.log" >&2; die "kafka storage format failed"; }
  fi
  log "kafka: starting on 127.0.0.1:$KAFKA_PORT"
  nohup java -Xms256m -Xmx768m -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.properties" -Dkafka.logs.dir="$KAFKA_DIR/logs" \
    -cp "$cp" kafka.Kafka "$KAFKA_DIR/server.properties" >"$KAFKA_DIR/logs/stdout.log" 2>&1 &
  echo $! >"$KAFKA_DIR/kafka.pid"
  if ! wait_until 90 kafka kafka_ready; then
    tail -30 "$KAFKA_DIR/logs/stdout.log" "$KAFKA_DIR/logs/server.log" >&2 2>/dev/null || true
    die "kafka did not start within 90 s (logs in $KAFKA_DIR/logs)"
  fi
  log "kafka: up (pid $(kafka_pid))"
}

kafka_ready() {
  kafka_running || return 1
  port_open 127.0.0.1 "$KAFKA_PORT" || return 1
  grep -q "Kafka Server started" "$KAFKA_DIR/logs/server.log" 2>/dev/null
}

kafka_down() {
  if kafka_running; then
    local p; p=$(kafka_pid)
    log "kafka: stopping (pid $p)"
    kill "$p"
    wait_until 60 "kafka stop" bash -c "! kill -0 $p 2>/dev/null" || kill -9 "$p" 2>/dev/null || true
  fi
  rm -f "$KAFKA_DIR/kafka.pid"
}

# ---------------------------------------------------------------- Postgres
pg_up() {
  if pg_isready -q -h "$PGHOST" -p "$PGPORT"; then log "postgres: up ($PGHOST:$PGPORT)"; return 0; fi
  command -v pg_ctlcluster >/dev/null || die "postgres does not answer on $PGHOST:$PGPORT and pg_ctlcluster is missing (apt-get install postgresql)"
  log "postgres: starting the machine's cluster"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start \
    || die "could not start postgres"
  wait_until 30 postgres pg_isready -q -h "$PGHOST" -p "$PGPORT" || die "postgres did not answer within 30 s"
  log "postgres: up"
}

# Each service owns a database and a role of its own (DESIGN.md: no service reads another's tables).
SERVICES=(sample identity records lab consent exchange analytics)
pg_provision() {
  local svc
  for svc in "${SERVICES[@]}"; do
    psql -q -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres -v ON_ERROR_STOP=1 >/dev/null <<SQL
SELECT 'CREATE ROLE lt_$svc LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'lt_$svc')\gexec
SELECT 'CREATE DATABASE lt_$svc OWNER lt_$svc' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'lt_$svc')\gexec
SQL
  done
}

# ---------------------------------------------------------------- Redis
redis_up() {
  if redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then log "redis: up ($REDIS_HOST:$REDIS_PORT)"; return 0; fi
  command -v redis-server >/dev/null || die "redis does not answer on $REDIS_HOST:$REDIS_PORT and redis-server is missing (apt-get install redis-server)"
  log "redis: starting"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no >/dev/null \
    || die "could not start redis"
  wait_until 15 redis bash -c "redis-cli -p $REDIS_PORT ping 2>/dev/null | grep -q PONG" || die "redis did not answer within 15 s"
  log "redis: up"
}

status() {
  local rc=0
  if port_open 127.0.0.1 "$KAFKA_PORT"; then echo "kafka     up    127.0.0.1:$KAFKA_PORT $(kafka_running && echo "(pid $(kafka_pid))" || echo "(external)")"; else echo "kafka     down"; rc=1; fi
  if pg_isready -q -h "$PGHOST" -p "$PGPORT"; then echo "postgres  up    $PGHOST:$PGPORT"; else echo "postgres  down"; rc=1; fi
  if redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then echo "redis     up    $REDIS_HOST:$REDIS_PORT"; else echo "redis     down"; rc=1; fi
  return $rc
}

case "${1:-}" in
  up) pg_up; pg_provision; redis_up; kafka_up ;;
  down) kafka_down; log "postgres and redis belong to the machine and are left running" ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
