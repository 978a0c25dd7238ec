// The fast set's test environment: Node's, with CLOUDLOCK_TEST_SET=fast in the worker's real environment while a
// file runs (so child processes inherit it too) and in the test's own copy. pulumiRoot() and
// scripts/ensure-pulumi.sh refuse to find the Pulumi CLI under it, saying where an engine test belongs. A worker
// runs one file at a time and may run an engine file next, hence the restore in teardown.
const { TestEnvironment } = require("jest-environment-node");

const KEY = "CLOUDLOCK_TEST_SET";

class FastEnvironment extends TestEnvironment {
  async setup() {
    await super.setup();
    this.saved = process.env[KEY];
    process.env[KEY] = "fast";
    this.global.process.env[KEY] = "fast";
  }

  async teardown() {
    if (this.saved === undefined) delete process.env[KEY];
    else process.env[KEY] = this.saved;
    await super.teardown();
  }
}

module.exports = FastEnvironment;
