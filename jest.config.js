/**
 * Tests are compiled by `tsc` first (`npm test` builds), so jest runs plain JS with source maps.
 * `unit` needs nothing running; `integration` gets a real PostgreSQL database and Temporal dev server
 * from its global setup (started once per run).
 */
const common = { testEnvironment: 'node' };
module.exports = {
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/jest.summary-reporter.js'],
  testTimeout: 180000,
  projects: [
    { ...common, displayName: 'unit', roots: ['<rootDir>/dist/test/unit'], testMatch: ['**/*.test.js'] },
    {
      ...common,
      displayName: 'integration',
      roots: ['<rootDir>/dist/test/integration'],
      testMatch: ['**/*.test.js'],
      globalSetup: '<rootDir>/dist/test/support/global-setup.js',
      globalTeardown: '<rootDir>/dist/test/support/global-teardown.js',
    },
  ],
};
