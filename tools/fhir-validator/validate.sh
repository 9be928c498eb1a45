#!/usr/bin/env bash
# Validates FHIR R4 JSON resources with the HL7 (HAPI FHIR) instance validator, offline.
#
#   tools/fhir-validator/validate.sh [--definitions <dir>] <file.json | dir>...   → JSON report on stdout
#   tools/fhir-validator/validate.sh --fetch                                      → only fetch the jars
#
# The first run fetches the validator's jars from Maven Central (pom.xml beside this script) into
# $INFRA_DIR/fhir-validator/libs (default .infra/, gitignored), once per pom version, as scripts/infra.sh
# does for Kafka; later runs use them as they are. FhirValidate.java runs with Java's single-file launcher.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/tools/fhir-validator"
INFRA_DIR="${INFRA_DIR:-$ROOT/.infra}"
LIBS="$INFRA_DIR/fhir-validator/libs"
POM="$HERE/pom.xml"

die() { printf '[fhir-validator] ERROR: %s\n' "$*" >&2; exit 2; }

fetch() {
  local want stamp
  want=$(sha256sum "$POM" | cut -c1-16)
  stamp="$LIBS/.pom-$want"
  [ -f "$stamp" ] && return 0
  command -v java >/dev/null || die "java not found: install a JDK 17+ (apt-get install openjdk-17-jdk-headless)"
  command -v mvn >/dev/null || die "mvn not found: install Maven (apt-get install maven)"
  printf '[fhir-validator] fetching the HAPI FHIR validator jars from Maven Central (once)…\n' >&2
  # A sibling directory, renamed when complete: a run interrupted half-way leaves no half-filled libs.
  local tmp="$LIBS.tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  mvn -q -B -f "$POM" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" >"$tmp.log" 2>&1 \
    || { tail -20 "$tmp.log" >&2; rm -rf "$tmp"; die "could not fetch the validator jars (see $tmp.log)"; }
  rm -f "$tmp.log"
  touch "$tmp/.pom-$want"
  rm -rf "$LIBS" && mv "$tmp" "$LIBS"
}

fetch
[ "${1:-}" = "--fetch" ] && exit 0
exec java -Xss4m -cp "$LIBS/*" "$HERE/src/FhirValidate.java" "$@"
