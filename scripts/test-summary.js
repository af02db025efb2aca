// Adds up vitest's and Playwright's JSON reports into the one closing line CI reads:
// "tests: N passed, M failed". A step that failed without a report (build, lint,
// typecheck) counts as a failure too, so a broken build can never pass as "0 failed".
import { existsSync, readFileSync } from 'node:fs';

const [vitestReport, e2eReport, ...failedSteps] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;

if (existsSync(vitestReport)) {
  const r = JSON.parse(readFileSync(vitestReport, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests + (r.numFailedTestSuites ?? 0) - countFailedSuitesWithFailedTests(r);
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
} else failed += 1;

if (existsSync(e2eReport)) {
  const s = JSON.parse(readFileSync(e2eReport, 'utf8')).stats;
  passed += s.expected;
  failed += s.unexpected + s.flaky; // flaky is broken
  skipped += s.skipped;
} else failed += 1;

for (const step of failedSteps.filter((s) => s !== 'unit + integration' && s !== 'end-to-end')) {
  console.log(`step failed: ${step}`);
  failed += 1;
}

// A suite that failed to load has no failed tests of its own: count it once.
function countFailedSuitesWithFailedTests(r) {
  return r.testResults.filter((s) => s.status === 'failed' && s.assertionResults.some((a) => a.status === 'failed')).length;
}

console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || failedSteps.length > 0 ? 1 : 0);
