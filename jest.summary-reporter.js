/** Ends the run with a plain `N passed, N failed` line that CI tooling reads in any language. */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    console.log(`${results.numPassedTests} passed, ${results.numFailedTests} failed`);
  }
}

module.exports = SummaryReporter;
