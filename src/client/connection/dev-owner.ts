/**
 * `<db file>.owner.json`: while a local dev server (local-temporal.ts) runs, which process owns its
 * state file and where it serves. Kept apart from local-temporal.ts so that commands which only
 * read it (for a Web UI link) do not load the worker.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Where `dev`, `run --embedded` and `demo` keep the server's state, under the working directory. */
export const DEFAULT_DB_FILE = path.join('.agent', 'temporal-dev.sqlite');

export interface OwnerRecord {
  readonly pid: number;
  readonly address: string;
  readonly uiUrl: string;
  readonly namespace: string;
  readonly taskQueue: string;
}

export function ownerFileOf(dbFile: string): string {
  return `${dbFile}.owner.json`;
}

/** The owner of `dbFile` when it is alive and not this process. */
export function liveOwner(dbFile: string): OwnerRecord | undefined {
  const ownerFile = ownerFileOf(dbFile);
  if (!existsSync(ownerFile)) return undefined;
  try {
    const record = JSON.parse(readFileSync(ownerFile, 'utf8')) as OwnerRecord;
    if (record.pid === process.pid) return undefined;
    process.kill(record.pid, 0);
    return record;
  } catch {
    return undefined; // unreadable, or its process is gone: a leftover of a crash
  }
}
