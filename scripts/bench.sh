#!/usr/bin/env bash
# Benchmarks against the local infrastructure (started if needed).
#
#   npm run bench -- <name> [options…]
#
# Each name maps to a TypeScript file run as a plain Node process (scripts/run-ts.cjs). Results are
# printed; record them in docs/benchmarks.md with the machine and its load.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
name="${1:-}"
[ $# -gt 0 ] && shift

case "$name" in
  outbox) file="libs/messaging/bench/outbox.bench.ts" ;;
  identity)
    # The bench drives the built service as a process: build it first (cached when unchanged).
    (cd "$ROOT" && npx nx build identity-service >&2)
    file="apps/identity-service/bench/identity.bench.ts" ;;
  key-rotation)
    # Measures the built rotate-keys.js job, as an operator runs it.
    (cd "$ROOT" && npx nx build identity-service >&2)
    file="apps/identity-service/bench/key-rotation.bench.ts" ;;
  consent)
    # The bench drives the built service as a process: build it first (cached when unchanged).
    (cd "$ROOT" && npx nx build consent-service >&2)
    file="apps/consent-service/bench/consent.bench.ts" ;;
  lab)
    # The bench drives the built identity, consent and lab-results services as processes: build them first.
    (cd "$ROOT" && npx nx run-many -t build -p identity-service consent-service lab-results-service >&2)
    file="apps/lab-results-service/bench/lab.bench.ts" ;;
  *)
    echo "usage: npm run bench -- <name> [options]" >&2
    echo "  outbox    outbox relay throughput and commit-to-consume latency (libs/messaging)" >&2
    echo "  identity  registrations/s and CCCD lookup latency with 1 M patients loaded (identity-service; --patients N)" >&2
    echo "  consent   decision latency (cached, uncached) and batch decisions/s with 1 M consents stored (consent-service; --consents N --batch N)" >&2
    echo "  key-rotation  identifier rows re-encrypted/s by rotate-keys.js on 1 M rows (identity-service; --rows N --batch N)" >&2
    echo "  lab       XML 130 results stored/s with patients known, and reuse-check latency with 1 M results stored (lab-results-service; --only xml|reuse --visits N --results N)" >&2
    exit 2
    ;;
esac

bash "$ROOT/scripts/infra.sh" up
cd "$ROOT"
exec node -r ./scripts/run-ts.cjs "$file" "$@"
