/**
 * One open shared-workspace run per checkout (SPEC §8.6).
 *
 * The hold is the run's, not the client's: `<repo>/.agent/run-hold.json` names the run that took
 * the checkout, and that run holds it exactly while Temporal says the run is open. So a client or
 * worker that dies leaves the hold standing, and any way the run closes (completed, failed,
 * cancelled, terminated, timed out) releases it without any process having to let go. A run
 * that continues as new stays the holder: its workflow id is described, and that follows the
 * chain to its latest execution.
 *
 * Between two clients starting at the same moment, a lock file beside the record makes
 * "check, start, record" one step.
 */
import { constants } from 'node:fs';
import { open, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import {
  makeDirectories,
  readFileNoFollow,
  refuseLinks,
  SymbolicLinkRefused,
  writeFileAtomically,
} from '../../activities/containment/safe-write';
import { UsageError } from '../errors';
import type { FanoutHandle } from '../fanout-client';

/** What the record holds: the run and when it took the checkout. */
export interface CheckoutHolder {
  readonly workflowId: string;
  readonly startedAt: string;
}

/** A lock older than this was left by a client that died between check and record (a start takes
 * seconds); shorter than the wait below, so the next start clears it instead of giving up. */
const STALE_LOCK_MS = 12_000;
/** How long a start waits for another client's check-and-start to finish. */
const LOCK_WAIT_MS = 20_000;
const LOCK_POLL_MS = 100;

export function holdPaths(repo: string): { dir: string; record: string; lock: string } {
  const dir = join(repo, '.agent');
  return { dir, record: join(dir, 'run-hold.json'), lock: join(dir, 'run-hold.lock') };
}

/** The SPEC §8.6 refusal. */
export function checkoutInUse(repo: string, holder: CheckoutHolder): string {
  return (
    `${repo} is in use by run ${holder.workflowId} (started ${holder.startedAt}). ` +
    `Wait for it, cancel it with 'agent-fanout cancel ${holder.workflowId}', or use workspace: git.`
  );
}

/**
 * Starts a run on `repo` unless another open run holds the checkout, and records the new run as
 * the holder. Refused with a {@link UsageError} (exit 2, nothing started) while the holder runs.
 * A holder with the id being started is left to Temporal's own duplicate-id refusal.
 */
export async function startHoldingCheckout(
  client: Client,
  repo: string,
  workflowId: string,
  start: () => Promise<FanoutHandle>,
): Promise<FanoutHandle> {
  const paths = holdPaths(repo);
  await refusingLinks(() => makeDirectories(repo, paths.dir));
  const releaseLock = await refusingLinks(() => takeLock(paths.lock, repo));
  try {
    const holder = await refusingLinks(() => openHolder(client, paths.record));
    if (holder !== null && holder.workflowId !== workflowId)
      throw new UsageError(checkoutInUse(repo, holder));
    await refusingLinks(() => refuseLinks(repo, paths.record));
    const handle = await start();
    const record: CheckoutHolder = { workflowId: handle.workflowId, startedAt: secondsIso(new Date()) };
    await writeFileAtomically(repo, paths.record, `${JSON.stringify(record, null, 2)}\n`);
    return handle;
  } finally {
    await releaseLock();
  }
}

/** A link where the hold lives is the user's to remove (SPEC §8.4): a usage error, nothing started. */
async function refusingLinks<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof SymbolicLinkRefused) throw new UsageError(error.message);
    throw error;
  }
}

/** The recorded holder when that run is still open; null when there is none or it has closed. */
async function openHolder(client: Client, recordPath: string): Promise<CheckoutHolder | null> {
  const recorded = await readHolder(recordPath);
  if (recorded === null) return null;
  try {
    const description = await client.workflow.getHandle(recorded.workflowId).describe();
    if (description.status.name !== 'RUNNING') return null;
    return { workflowId: recorded.workflowId, startedAt: secondsIso(description.startTime) };
  } catch (error) {
    // A run this server does not know (another server, or its history was deleted) holds nothing.
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
}

async function readHolder(recordPath: string): Promise<CheckoutHolder | null> {
  let text: string;
  try {
    text = (await readFileNoFollow(recordPath)).toString('utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<CheckoutHolder>;
    return typeof parsed.workflowId === 'string' && parsed.workflowId !== ''
      ? { workflowId: parsed.workflowId, startedAt: String(parsed.startedAt ?? '') }
      : null;
  } catch {
    return null; // a damaged record names no run, so it holds nothing
  }
}

/** Takes the start lock (O_EXCL, never through a link); returns its release. */
async function takeLock(lockPath: string, repo: string): Promise<() => Promise<void>> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  for (;;) {
    try {
      const handle = await open(lockPath, flags, 0o644);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return () => unlink(lockPath).catch(() => undefined);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') throw new SymbolicLinkRefused(lockPath);
      if (code !== 'EEXIST') throw error;
    }
    const age = await stat(lockPath).then(
      (stats) => Date.now() - stats.mtimeMs,
      () => 0,
    );
    if (age > STALE_LOCK_MS) await unlink(lockPath).catch(() => undefined);
    else if (Date.now() > deadline)
      throw new UsageError(
        `another agent-fanout is starting a run on ${repo} (${lockPath} is held); try again in a moment, or remove that file if no start is under way`,
      );
    else await delay(LOCK_POLL_MS);
  }
}

function secondsIso(date: Date | undefined): string {
  return (date ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
