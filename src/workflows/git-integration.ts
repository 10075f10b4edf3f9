/**
 * A git run's integration (SPEC §9, "Refs"): the base merged with each SUCCEEDED unit's output,
 * in completion order, one `integrateUnit` at a time. The scheduler loop drives it: it queues a
 * unit whose attempt succeeded, starts the next merge when none is in flight, and settles the
 * unit when the answer comes back as one more completion. Only SHAs live here; git runs in the
 * activity.
 */
import { ActivityFailure, CancellationScope, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { CommitIdentity, GitRunInput } from '../contracts/git';
import type { CarriedGit } from '../contracts/run-types';
import type { ReusedSuccess } from './unit-records';

type GitRunActivities = Pick<ReturnType<typeof createActivities>, 'integrateUnit' | 'finishGitRun'>;

/**
 * A merge without a working tree takes well under a minute even on a large repo; a host-side
 * error is worth a few more tries, and a retried merge is harmless (its ref is compare-and-swap).
 */
export const gitActivities = proxyActivities<GitRunActivities>({
  startToCloseTimeout: '5m',
  retry: { maximumAttempts: 5, initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '20s' },
});

/** SPEC §9: a unit whose output conflicts with the integration so far fails. */
export function integrationConflict(unitId: string, paths: readonly string[]): string {
  return `Worker '${unitId}' could not be integrated: merging it conflicts in ${paths.join(', ')}`;
}

/** A merge whose activity failed for good (its retries used up, or the integration ref moved). */
export function integrationFailed(unitId: string, cause: string): string {
  return `Worker '${unitId}' could not be integrated: ${cause}`;
}

/** A unit waiting for its merge into the integration. */
export type IntegrationEntry =
  | { readonly kind: 'completed'; readonly unitId: string; readonly output: string }
  /** A retry's reused unit: integrated (in plan order, before any new unit) before it counts as reused. */
  | {
      readonly kind: 'reused';
      readonly unitId: string;
      readonly earlier: ReusedSuccess & { commit: string };
    };

export interface IntegrationDone {
  readonly entry: IntegrationEntry;
  /** Paths in conflict; undefined when the output was integrated. */
  readonly conflicts?: readonly string[];
  /** Why the merge could not be made at all (its activity failed for good). */
  readonly failure?: string;
}

export class GitIntegration {
  private readonly queue: IntegrationEntry[] = [];
  private inFlight: IntegrationEntry | undefined;
  private current: string;

  constructor(
    private readonly run: { readonly repo: string; readonly runId: string; readonly git: GitRunInput },
    carried: CarriedGit | undefined,
  ) {
    this.current = carried?.integration ?? run.git.base;
  }

  /** The integration commit so far. */
  get integration(): string {
    return this.current;
  }

  get identity(): CommitIdentity {
    return this.run.git.identity;
  }

  /** Nothing queued and nothing in flight. */
  get idle(): boolean {
    return this.inFlight === undefined && this.queue.length === 0;
  }

  /**
   * Only reused units wait, none in flight: the run may continue as new here, its next execution
   * queues the rest again (a retry of thousands of units merges them over several executions).
   */
  get onlyReusedWaiting(): boolean {
    return this.inFlight === undefined && this.queue.every((entry) => entry.kind === 'reused');
  }

  /** Reused units still wait for their merge: no new unit launches before they are in. */
  get reusing(): boolean {
    return this.inFlight?.kind === 'reused' || this.queue.some((entry) => entry.kind === 'reused');
  }

  enqueue(entry: IntegrationEntry): void {
    this.queue.push(entry);
  }

  /**
   * Starts the next merge when none is in flight; `done` gets its answer. The merge is not
   * cancelled with the run: an output that succeeded is integrated even while the run stops.
   */
  startNext(done: (result: IntegrationDone) => void, failed: (error: unknown) => void): void {
    // `failed` is for what is not an activity failure: a bug, which fails the workflow task.
    if (this.inFlight !== undefined) return;
    const entry = this.queue.shift();
    if (entry === undefined) return;
    this.inFlight = entry;
    const output = entry.kind === 'completed' ? entry.output : entry.earlier.commit;
    const remote = this.run.git.remote;
    const input = {
      repo: this.run.repo,
      ...(remote === undefined ? {} : { remote }),
      runId: this.run.runId,
      unitId: entry.unitId,
      integration: this.current,
      output,
      identity: this.run.git.identity,
    };
    // The Web UI names the unit each merge is for.
    const summary = `integrate ${entry.unitId}`;
    CancellationScope.nonCancellable(() =>
      gitActivities.integrateUnit.executeWithOptions({ summary }, [input]),
    ).then(
      (answer) => {
        this.inFlight = undefined;
        if (answer.kind === 'integrated') {
          this.current = answer.integration;
          done({ entry });
        } else {
          done({ entry, conflicts: answer.paths });
        }
      },
      (error: unknown) => {
        this.inFlight = undefined;
        if (!(error instanceof ActivityFailure)) return failed(error);
        done({ entry, failure: error.cause?.message ?? error.message });
      },
    );
  }
}
