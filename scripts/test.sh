#!/usr/bin/env bash
# The README's test command (`npm test`): system tools, typecheck, lint, then every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh
npx tsc -p tsconfig.json --noEmit
npx eslint src test bench scripts
npx tsc -p tsconfig.build.json   # the CLI tests run the built command, as users do
node scripts/run-tests.mjs "$@"
