/**
 * `npm run test:cluster`: the suite against a real Temporal cluster (test/cluster). Each file
 * starts a cluster of its own (PostgreSQL and four Temporal services, test/cluster/harness) and
 * stops it afterwards, so the files run one at a time. Needs `npm run provision:cluster` and
 * Debian's postgresql; `npm test` does not run these files (they end in `.cluster.ts`).
 * @type {import('jest').Config}
 */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/cluster'],
  testMatch: ['**/*.cluster.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  testTimeout: 600000,
  maxWorkers: 1,
};
