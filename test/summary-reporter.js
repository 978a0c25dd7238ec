// Prints one plain closing line, "jest: N passed, N failed, N skipped", that any CI log reader understands; files
// that failed outside any test (a syntax error, a hook) are counted apart, so a failing test is not counted twice.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests: p, numFailedTests: f, numPendingTests: s, testResults } = results;
    const broken = testResults.filter(
      (r) => r.testExecError || (r.failureMessage && r.numFailingTests === 0),
    ).length;
    const files = broken ? `, ${broken} file${broken === 1 ? "" : "s"} failed outside a test` : "";
    process.stdout.write(`\njest: ${p} passed, ${f} failed, ${s} skipped${files}\n`);
  }
}
module.exports = SummaryReporter;
