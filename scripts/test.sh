#!/usr/bin/env bash
# The test command of the README (`npm test`): provides the test peers, builds, typechecks, lints, runs
# every test on SQLite and PostgreSQL, and ends with one plain "N passed, M failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."

LIGHTBOX_TEST_POSTGRES_URL=$(bash scripts/provide-test-peers.sh) || { echo "0 passed, 1 failed (test peers unavailable)"; exit 1; }
export LIGHTBOX_TEST_POSTGRES_URL
export TCP_NODELAY=1 # Debian's DCMTK otherwise waits ~45 ms per message (DESIGN §3)

failed_steps=()
run_step() {
  local name=$1; shift
  echo "== $name"
  if ! "$@"; then failed_steps+=("$name"); fi
}

run_step build npm run build --silent
run_step typecheck-tests npx tsc -p tsconfig.test.json
run_step typecheck-web npx tsc -p packages/web
run_step lint npx eslint .
run_step format npx prettier --check . --log-level warn

report=.vitest-report.json
rm -f "$report"
echo "== tests"
npx vitest run --reporter=default --reporter=json --outputFile="$report"
vitest_status=$?

node -e '
const fs = require("node:fs");
const steps = JSON.parse(process.argv[2]);
let passed = 0, failed = steps.length;
try {
  const r = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  passed += r.numPassedTests; failed += r.numFailedTests + (r.numTotalTestSuites > 0 && r.success === false && r.numFailedTests === 0 ? 1 : 0);
} catch { failed += 1; }
if (steps.length) console.log("failed steps: " + steps.join(", "));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
' "$report" "$(printf '%s\n' "${failed_steps[@]+"${failed_steps[@]}"}" | node -e 'const l=require("fs").readFileSync(0,"utf8").split("\n").filter(Boolean);console.log(JSON.stringify(l))')"
status=$?
if [[ $vitest_status -ne 0 && $status -eq 0 ]]; then status=$vitest_status; fi
exit $status
