/** How test/global-setup.ts hands the shared Temporal dev server to the tests. */

/** Environment variables that test workers inherit from the Jest parent process. */
export const TEST_SERVER_ENV = {
  address: 'TEMPORAL_TEST_ADDRESS',
  uiUrl: 'TEMPORAL_TEST_UI_URL',
  namespace: 'TEMPORAL_TEST_NAMESPACE',
} as const;

/** Where global-setup.ts leaves the server for global-teardown.ts (same process). */
export const TEST_SERVER_GLOBAL = Symbol.for('agent-fanout.test-temporal-server');
