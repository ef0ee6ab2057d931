#!/usr/bin/env bash
# Integration tests on both databases Vitrine supports: the Postgres in DATABASE_URL (when set)
# and the embedded PGlite. Both must pass.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${DATABASE_URL:-}" ]; then
  echo "== integration tests on Postgres (DATABASE_URL)"
  npx vitest run --project integration
else
  echo "== DATABASE_URL is not set: skipping the Postgres run (set it to a server where databases may be created)"
fi
echo "== integration tests on embedded PGlite"
VITRINE_TEST_DB=embedded npx vitest run --project integration
