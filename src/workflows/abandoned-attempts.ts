/**
 * The attempts a remote run gave up on after `host_loss_timeout` (SPEC §10): a worker that comes
 * back on such a host asks for them (ABANDONED_ATTEMPTS_QUERY) and stops their agents. Carried
 * across continue-as-new, since a host may come back long after its attempt was abandoned.
 */
import { defineQuery, setHandler } from '@temporalio/workflow';
import type { AbandonedAttempt } from '../contracts/hosts';
import { ABANDONED_ATTEMPTS_QUERY } from '../contracts/hosts';

export const abandonedAttemptsQuery = defineQuery<readonly AbandonedAttempt[]>(ABANDONED_ATTEMPTS_QUERY);

export class AbandonedAttempts {
  private readonly attempts: AbandonedAttempt[];

  private constructor(carried: readonly AbandonedAttempt[] | undefined) {
    this.attempts = [...(carried ?? [])];
  }

  /** The run's abandoned attempts so far, answering ABANDONED_ATTEMPTS_QUERY from now on. */
  static registered(carried: readonly AbandonedAttempt[] | undefined): AbandonedAttempts {
    const abandoned = new AbandonedAttempts(carried);
    setHandler(abandonedAttemptsQuery, () => abandoned.attempts);
    return abandoned;
  }

  add(attempt: AbandonedAttempt): void {
    this.attempts.push(attempt);
  }

  /** What the next execution starts with; absent when none was abandoned. */
  carry(): { abandoned?: readonly AbandonedAttempt[] } {
    return this.attempts.length === 0 ? {} : { abandoned: [...this.attempts] };
  }
}
