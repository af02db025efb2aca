#!/usr/bin/env bash
# `npm test`: everything, in order of speed — build, lint, type check, unit and
# integration tests (vitest: real Postgres, real agent processes), then end-to-end
# tests in Chromium against a real `gantry up`. Ends with one line
# "tests: N passed, M failed" and a non-zero exit if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 NEXT_TELEMETRY_DISABLED=1
results=$(mktemp -d)
failed_steps=()

step() {
  local name=$1; shift
  echo "── $name"
  if ! "$@"; then failed_steps+=("$name"); fi
}

step "chromium" bash scripts/ensure-chromium.sh
step "slapd" bash scripts/ensure-slapd.sh
step "build" npm run build --silent
step "lint" npx eslint . --max-warnings 0
step "typecheck" npx turbo run typecheck --output-logs=errors-only
step "unit + integration" npx vitest run --reporter=default --reporter=json --outputFile.json="$results/vitest.json"
step "end-to-end" env PLAYWRIGHT_JSON_OUTPUT_NAME="$results/e2e.json" npx playwright test -c e2e/playwright.config.ts --reporter=list,json

node scripts/test-summary.js "$results/vitest.json" "$results/e2e.json" "${failed_steps[@]}"
