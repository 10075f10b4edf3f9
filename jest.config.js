/**
 * One Temporal dev server serves the whole run (test/global-setup.ts). Set
 * FANOUT_TEST_NO_SERVER=1 to run pure unit tests without it; server tests then fail loudly.
 * @type {import('jest').Config}
 */
const withServer = process.env.FANOUT_TEST_NO_SERVER !== '1';

module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  ...(withServer
    ? { globalSetup: '<rootDir>/test/global-setup.ts', globalTeardown: '<rootDir>/test/global-teardown.ts' }
    : {}),
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  testTimeout: 120000,
  maxWorkers: 2,
};
