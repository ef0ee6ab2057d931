#!/usr/bin/env bash
# The README's test command: lint, types, unit, integration (Postgres and embedded), browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== lint";        npx biome check .
echo "== typecheck";   npm run -s typecheck
echo "== unit tests";  npx vitest run --project unit
bash scripts/test-integration.sh
echo "== browser tests (Playwright, against next build + next start)"
npx playwright test
