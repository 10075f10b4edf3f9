/**
 * Gives the cluster run its own temporary folder (helpers/test-tmpdir.ts), removed by
 * global-teardown.ts. Traversable by others: each cluster's PostgreSQL runs as the `postgres`
 * user (harness/postgres.ts) and keeps its data directory inside this folder.
 */
import { chmodSync } from 'node:fs';
import { useRunTmpdir } from '../helpers/test-tmpdir';

export default function globalSetup(): void {
  chmodSync(useRunTmpdir(), 0o711);
}
