#!/usr/bin/env bash
# The README's test command: lint, types, unit, integration (Postgres and embedded), hostile input, browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== lint";        npx biome check .
echo "== typecheck";   npm run -s typecheck
echo "== unit tests";  npx vitest run --project unit
# One production build of the current code, used by the HTTP integration tests and the browser tests.
export VITRINE_NEXT_DIST_DIR=.next-e2e
echo "== next build ($VITRINE_NEXT_DIST_DIR)"; NEXT_TELEMETRY_DISABLED=1 npx next build
bash scripts/test-integration.sh
echo "== overload without loss (short: 4x the sustainable ingest rate, a Postgres restart, an app SIGKILL)"; npm run -s bench:overload -- --duration 8 --ci
echo "== hostile input corpus (tests/adversarial, against the same build)"; npm run -s test:adversarial
echo "== browser tests (Playwright, against next start)"
E2E_SKIP_BUILD=1 npx playwright test
