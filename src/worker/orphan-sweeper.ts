/**
 * Runs the orphan sweep (activities/hosts/orphan-sweep.ts) of this worker's work directory when
 * the worker starts and every {@link ORPHAN_SWEEP_INTERVAL_MS} while it runs, one sweep at a time.
 */
import type { Client } from '@temporalio/client';
import {
  runLookupThrough,
  sweepOrphans,
  type RunLookup,
  type SweptOrphan,
} from '../activities/hosts/orphan-sweep';

export const ORPHAN_SWEEP_INTERVAL_MS = 15_000;

export interface OrphanSweeperOptions {
  readonly workdir: string;
  readonly client?: Client;
  /** Instead of `client` (tests). */
  readonly lookup?: RunLookup;
  /** @default {@link ORPHAN_SWEEP_INTERVAL_MS} */
  readonly intervalMs?: number;
  /** Told of every orphan swept and of a sweep that failed. @default a line on stderr */
  readonly report?: (message: string) => void;
}

export interface OrphanSweeper {
  /** Stops the timer and waits for a sweep in flight. */
  stop(): Promise<void>;
}

export function startOrphanSweeper(options: OrphanSweeperOptions): OrphanSweeper {
  const lookup =
    options.lookup ?? (options.client === undefined ? undefined : runLookupThrough(options.client));
  if (lookup === undefined) throw new Error('startOrphanSweeper needs a client or a lookup');
  const report = options.report ?? ((message: string) => process.stderr.write(`${message}\n`));
  let inFlight: Promise<void> = Promise.resolve();
  let stopped = false;
  const sweep = (): void => {
    inFlight = inFlight.then(async () => {
      if (stopped) return;
      try {
        for (const swept of await sweepOrphans(options.workdir, lookup)) report(describe(swept));
      } catch (error) {
        report(`orphan sweep of ${options.workdir} failed (tried again in a while): ${String(error)}`);
      }
    });
  };
  sweep();
  const timer = setInterval(sweep, options.intervalMs ?? ORPHAN_SWEEP_INTERVAL_MS);
  timer.unref();
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await inFlight;
    },
  };
}

function describe({ entry, reason, stopped }: SweptOrphan): string {
  const agent = stopped ? 'stopped its agent' : 'its agent had ended';
  return (
    `orphaned agent of ${entry.workflowId} unit ${entry.unitId} attempt ${entry.attempt} (${reason}): ` +
    `${agent}, removed ${entry.tree}; nothing pushed`
  );
}
