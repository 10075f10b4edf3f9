/**
 * `npm run test:cluster`: the suite against a real Temporal cluster (test/cluster). Each file
 * starts a cluster of its own (PostgreSQL and four Temporal services, test/cluster/harness) and
 * stops it afterwards, so the files run one at a time. Needs `npm run provision:cluster` and
 * Debian's postgresql; `npm test` does not run these files (they end in `.cluster.ts`). The run
 * has a temporary folder of its own, removed at its end (test/cluster/global-setup.ts).
 * @type {import('jest').Config}
 */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/cluster'],
  testMatch: ['**/*.cluster.ts'],
  globalSetup: '<rootDir>/test/cluster/global-setup.ts',
  globalTeardown: '<rootDir>/test/cluster/global-teardown.ts',
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  testTimeout: 600000,
  maxWorkers: 1,
};
