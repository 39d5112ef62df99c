#!/usr/bin/env bash
# The project's test command (`npm test`): type-check, lint, format check (Prettier), build, every vitest suite and the Go
# reference service's tests; ends with one line `N passed, N failed` over all of them.
# Integration tests need a Docker engine (`npm run setup`); BENCH_REQUIRE_DOCKER=1 / BENCH_REQUIRE_K8S=1
# turn a missing engine or cluster into failures instead of skips (CI sets them).
set -uo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
status=0

# The static checks count in the summary line too: one failure each.
static_failed=0
for check in typecheck lint format:check build; do
  npm run --silent "$check" || { status=1; static_failed=$((static_failed + 1)); echo "npm run $check: FAILED"; }
done

npx vitest run --reporter=default --reporter=json --outputFile="$out/vitest.json" || status=1

(cd infra/refsvc && go test -json ./... >"$out/go.json" 2>"$out/go.stderr"); go_status=$?
[ $go_status -eq 0 ] || status=1
# Show Go failures readably.
node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean).map((l) => { try { return JSON.parse(l); } catch { return null; } }).filter(Boolean);
const failed = lines.filter((e) => e.Action === "fail" && e.Test);
for (const f of failed) {
  console.log(`go test FAIL ${f.Package} ${f.Test}`);
  for (const e of lines) if (e.Test === f.Test && e.Package === f.Package && e.Action === "output") process.stdout.write("    " + e.Output);
}
const skipped = lines.filter((e) => e.Action === "skip" && e.Test);
for (const s of skipped) console.log(`go test SKIP ${s.Package} ${s.Test}`);
' "$out/go.json"
cat "$out/go.stderr" >&2

STATIC_FAILED=$static_failed node -e '
const fs = require("fs");
const [vitestFile, goFile] = process.argv.slice(1);
let passed = 0, failed = Number(process.env.STATIC_FAILED ?? 0), skipped = 0;
try {
  const v = JSON.parse(fs.readFileSync(vitestFile, "utf8"));
  passed += v.numPassedTests; failed += v.numFailedTests; skipped += v.numPendingTests + v.numTodoTests;
  if (v.numFailedTestSuites && !v.numFailedTests) failed += v.numFailedTestSuites;
} catch { failed += 1; console.log("vitest: no result file (it crashed)"); }
const failedPackages = new Set(), packagesWithFailedTests = new Set();
for (const line of fs.readFileSync(goFile, "utf8").split("\n")) {
  let e; try { e = JSON.parse(line); } catch { continue; }
  if (!e.Test) { if (e.Action === "fail") failedPackages.add(e.Package); continue; }
  if (e.Action === "pass") passed++; else if (e.Action === "fail") { failed++; packagesWithFailedTests.add(e.Package); } else if (e.Action === "skip") skipped++;
}
// A package that failed without a failing test did not build or crashed: count it as a failure.
for (const p of failedPackages) if (!packagesWithFailedTests.has(p)) failed++;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$out/vitest.json" "$out/go.json"
exit $status
