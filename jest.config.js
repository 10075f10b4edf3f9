/**
 * One Temporal dev server serves the whole run (test/global-setup.ts), and the run has a
 * temporary folder of its own, removed at its end. Set FANOUT_TEST_NO_SERVER=1 to run pure unit
 * tests without the server; server tests then fail loudly.
 * @type {import('jest').Config}
 */

module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  testTimeout: 120000,
  maxWorkers: 2,
};
