#!/usr/bin/env bash
# `npm start`: the whole platform on this machine, without Docker.
#   1. dependencies (npm ci when needed) and infrastructure (Kafka, Postgres, Redis)
#   2. topics from the registry, a development signing key
#   3. every service built by Nx and started from its build output with plain node
#   4. a realistic demo: a synthetic province whose hospitals register their patients, who then give,
#      refuse and withdraw consents; a few decisions of the consent decision point with their reasons;
#      the first-contact facilities send their MoH XML 130, and the provincial hospital's reuse checks
#      for referred patients reuse some tests and repeat others, with the tests and VND avoided
# Ctrl-C (or SIGTERM to this script) stops the services (infrastructure keeps running: `npm run infra:down` stops Kafka).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export NX_DAEMON=false NX_TUI=false NX_NO_CLOUD=true KAFKAJS_NO_PARTITIONER_WARNING=1
RUN_DIR="$ROOT/tmp/run"
mkdir -p "$RUN_DIR"

# name:port — the services `npm start` runs (DESIGN.md default ports).
SERVICES=(identity-service:3001 consent-service:3004 lab-results-service:3003)

log() { printf '[start] %s\n' "$*" >&2; }

bash scripts/ensure-deps.sh
bash scripts/infra.sh up
node scripts/run-ts.cjs scripts/provision-topics.ts
node scripts/token.cjs --facility 01901 --scope system/Patient.r >/dev/null # creates .infra/dev-auth once

names=(); for s in "${SERVICES[@]}"; do names+=("${s%%:*}"); done
log "building ${names[*]}"
npx nx run-many -t build -p "${names[@]}" --outputStyle=static >"$RUN_DIR/build.log" 2>&1 \
  || { tail -40 "$RUN_DIR/build.log" >&2; exit 1; }

# Schema migrations, once, before any service starts (as the compose one-shots and k8s Jobs do).
for name in "${names[@]}"; do
  if [ -f "dist/apps/$name/migrate.js" ]; then
    ( set -a; [ -f "apps/$name/local.env" ] && . "apps/$name/local.env"; set +a; exec node "dist/apps/$name/migrate.js" ) \
      >"$RUN_DIR/$name.migrate.log" 2>&1 || { cat "$RUN_DIR/$name.migrate.log" >&2; log "$name: migrations failed"; exit 1; }
    log "$name: migrations applied"
  fi
done

pids=()
stop() {
  trap - EXIT INT TERM # once: a signal's trap would otherwise run again at exit
  log "stopping services"
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM

for s in "${SERVICES[@]}"; do
  name=${s%%:*} port=${s##*:}
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    log "port $port is taken: is $name already running? (stop it, or free the port)"; exit 1
  fi
  env_file="apps/$name/local.env"
  (
    set -a; [ -f "$env_file" ] && . "$env_file"; set +a
    export PORT="$port"
    exec node "dist/apps/$name/main.js"
  ) >"$RUN_DIR/$name.log" 2>&1 &
  pids+=($!)
  log "$name: pid $!, http://127.0.0.1:$port (logs: tmp/run/$name.log)"
done

for s in "${SERVICES[@]}"; do
  name=${s%%:*} port=${s##*:}
  deadline=$((SECONDS + 60))
  until curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then log "$name did not become ready; last log lines:"; tail -30 "$RUN_DIR/$name.log" >&2; exit 1; fi
    sleep 0.3
  done
  log "$name ready — OpenAPI: http://127.0.0.1:$port/docs"
done

node scripts/run-ts.cjs scripts/demo.ts

log "platform running. Tokens: npm run token -- --facility 79901 --scope 'system/Patient.rs'. Ctrl-C stops."
wait
