/**
 * The worker's clone of a run's remote for the activities that are not attempts (SPEC §10):
 * integration, the run's end, the summary, a retry's checks. They run on any worker of the shared
 * queue, in that worker's work directory.
 */

import { ApplicationFailure } from '@temporalio/common';
import type { AttemptDeps } from '../agent/attempt-deps';
import { ensureRemoteClone, RemoteUnreachable, worktreeRoot } from './git-plumbing';

/** What these activities need of the worker: its host (work directory) and environment. */
export type WorkerDeps = Partial<Pick<AttemptDeps, 'host' | 'env'>>;

/** The worker's work directory: its host's, else the default working-tree root. */
export function workdirOf(deps: WorkerDeps): string {
  return deps.host?.workdir ?? worktreeRoot(deps.env ?? process.env);
}

/** The worker's bare clone of `url`, made on first use. */
export function cloneOf(deps: WorkerDeps, url: string): Promise<string> {
  return ensureRemoteClone(workdirOf(deps), url);
}

/** A remote that cannot be reached as a retryable `RemoteUnreachable` failure; anything else as it is. */
export function unreachableFailure(error: unknown): unknown {
  if (!(error instanceof RemoteUnreachable)) return error;
  return ApplicationFailure.create({
    message: error.message,
    type: 'RemoteUnreachable',
    nonRetryable: false,
  });
}

/** Runs `step`; a remote it cannot reach becomes a retryable `RemoteUnreachable` failure. */
export async function reachingRemote<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw unreachableFailure(error);
  }
}
