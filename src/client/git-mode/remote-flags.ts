/** `--host-loss-timeout` (SPEC §10): a duration like the plan's `host_loss_timeout`, only with `--remote`. */
import { DEFAULT_HOST_LOSS_TIMEOUT } from '../../contracts/hosts';
import { MAX_DURATION_MS, MAX_DURATION_TEXT, parseDuration } from '../../plan/duration';
import type { Duration, Plan } from '../../plan/types';
import { UsageError } from '../errors';
import type { GitFlags } from './git-flags';

/** Refuses `--host-loss-timeout` in a run without `--remote`, where no host can be lost. */
export function refuseHostLossWithoutRemote(flags: GitFlags): void {
  if (flags.hostLossTimeout === undefined || flags.remote !== undefined) return;
  throw new UsageError(
    '--host-loss-timeout applies only to runs on many hosts and this run has no --remote; ' +
      'add --remote <url> (with --workspace git), or leave it out',
  );
}

/** The flag as a duration: >0 and at most 7d, written like the plan's durations. */
export function parseHostLossTimeout(value: string | undefined): Duration | undefined {
  if (value === undefined) return undefined;
  const asNumber = /^\d+$/.test(value) ? Number(value) : value;
  const duration = parseDuration(asNumber);
  if (duration === undefined) {
    throw new UsageError(
      `--host-loss-timeout '${value}' is not a duration; write it like 500ms, 30s, 5m or 2h, or as whole milliseconds`,
    );
  }
  if (duration.ms === 0) throw new UsageError(`--host-loss-timeout must be longer than 0 (got ${value})`);
  if (duration.ms > MAX_DURATION_MS)
    throw new UsageError(`--host-loss-timeout must be at most ${MAX_DURATION_TEXT} (got ${value})`);
  return duration;
}

/** The flag over the plan's key over the default, in ms. */
export function hostLossTimeoutMs(plan: Plan): number {
  return (plan.hostLossTimeout ?? parseDuration(DEFAULT_HOST_LOSS_TIMEOUT))?.ms ?? 600_000;
}
