#!/usr/bin/env bash
# The one command that runs every test: `npm test` (and .ci/run).
# Installs dependencies if needed, brings up local infrastructure (Kafka from Maven Central jars,
# the machine's Postgres and Redis), then runs, in order: lint + typecheck + unit tests, integration
# tests (real Kafka/Postgres/Redis), end-to-end tests (built services as processes), deploy checks.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export NX_DAEMON=false NX_TUI=false NX_NO_CLOUD=true FORCE_COLOR=0 KAFKAJS_NO_PARTITIONER_WARNING=1
LOG_DIR="$ROOT/tmp/test-logs"
rm -rf "$LOG_DIR" && mkdir -p "$LOG_DIR"

bash scripts/ensure-deps.sh || exit 1
bash scripts/infra.sh up || exit 1

declare -a names=() results=() durations=()
failed=0
stage() { # stage <name> <command…>
  local name=$1; shift
  local start=$SECONDS log="$LOG_DIR/${name//[^a-z0-9]/-}.log"
  echo
  echo "=== $name: $*"
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  names+=("$name"); durations+=($((SECONDS - start)))
  if [ "$rc" -eq 0 ]; then results+=(ok); else results+=(FAILED); failed=1; fi
}

stage "lint+typecheck+unit" npx nx run-many -t lint typecheck test --parallel=2 --outputStyle=static
stage "integration" npx nx run-many -t test:int --parallel=1 --outputStyle=static
stage "end-to-end" npx nx run-many -t test:e2e --parallel=1 --outputStyle=static
if [ -f deploy/project.json ]; then
  stage "deploy" npx nx run deploy:validate --outputStyle=static
fi

# Jest prints "Tests: [N failed, ][N skipped, ]N passed, N total" per run; add them up.
sum() { sed 's/\x1b\[[0-9;]*m//g' "$LOG_DIR"/*.log | grep -E '^Tests:' | grep -oE "[0-9]+ $1" | awk '{s+=$1} END {print s+0}'; }
passed=$(sum passed); tests_failed=$(sum failed); skipped=$(sum skipped)

echo
echo "=== summary"
for i in "${!names[@]}"; do printf '  %-22s %-7s %4ss\n' "${names[$i]}" "${results[$i]}" "${durations[$i]}"; done
echo "  logs: $LOG_DIR"
echo "tests: $passed passed, $tests_failed failed, $skipped skipped"
exit $failed
