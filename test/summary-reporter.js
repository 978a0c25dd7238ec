// Prints one plain closing line, "jest: N passed, N failed, N skipped", that any CI log reader understands.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests: p, numFailedTests: f, numPendingTests: s, numFailedTestSuites: fs } = results;
    process.stdout.write(`\njest: ${p} passed, ${f + fs} failed, ${s} skipped\n`);
  }
}
module.exports = SummaryReporter;
