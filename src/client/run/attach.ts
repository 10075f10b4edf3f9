/**
 * Following one run for a person or a machine, shared by `run`, `watch` and `demo`:
 * - on a terminal, a live table redrawn in place (live/frame.ts), and at the end the final table;
 * - without one (CI, pipes), one plain line per event, and at the end the result table;
 * - with `--json`, the event lines on stderr and only the result on stdout.
 * Then the summary file and the Web UI link. Ctrl-C asks whether to cancel or detach (interrupt.ts).
 */
import { resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import type { FanoutResult, OutOfBoundsChange } from '../../plan/types';
import type { Progress } from '../../contracts/run-types';
import type { FanoutHandle } from '../fanout-client';
import { describeEvent, followRunUntilEnd } from './follow-run';
import type { FollowOutcome } from './follow-run';
import { askOnInterrupt, canAsk } from './interrupt';
import { ServerReachability } from './outage';
import type { CommandIo, ExitCode, TextOutput } from '../io';
import { colorsWanted, painter, unicodeWanted, type Painter } from '../live/ansi';
import { renderFrame } from '../live/frame';
import { LiveDisplay } from '../live/live-display';
import { viewFromProgress, viewFromResult, type RunView } from '../live/run-view';
import { printWarnings } from '../commands/shared';
import { formatResultTable } from '../output/result-table';
import { gitRunLines, remoteRunLines } from '../output/commit-text';

/** A detached command exits like one interrupted by SIGINT. */
export const EXIT_DETACHED = 130;

export interface AttachOptions {
  readonly client: Client;
  readonly handle: FanoutHandle;
  readonly workflowId: string;
  readonly io: CommandIo;
  readonly json: boolean;
  /** First line, e.g. `run fanout-x: 8 units, max_workers 4`. */
  readonly headline: string;
  readonly planName: string;
  /** The run's checkout, for the summary path; unknown for a run of another host's worker. */
  readonly repo: string | undefined;
  /** A run on many hosts (SPEC §10): its branch and summary are on this remote. */
  readonly remote?: string;
  readonly uiLink: string;
  /** Added under the Web UI link at the end (an embedded server says how to see it later). */
  readonly uiNote?: string;
  /** Connection flags to repeat in the commands suggested on detach, e.g. ` --address h:7233`. */
  readonly connectionFlags: string;
  /** What detaching means when the server is this process's (it pauses the run). */
  readonly detachNote?: string;
}

export async function attachToRun(options: AttachOptions): Promise<ExitCode> {
  const { io, workflowId } = options;
  const live = !options.json && io.stdout.isTTY === true;
  const out = options.json ? io.stderr : io.stdout;
  const interactive = canAsk(io.stdin, out);
  const reattach = `agent-fanout watch ${workflowId}${options.connectionFlags}`;
  const cancel = `agent-fanout cancel ${workflowId}${options.connectionFlags}`;

  out.write(`${options.headline}\n`);
  out.write(`  Web UI: ${options.uiLink}\n`);
  out.write(
    interactive
      ? '  Ctrl-C asks whether to cancel the run or detach from it.\n'
      : `  Ctrl-C detaches; the run goes on. Stop it with \`${cancel}\`.\n`,
  );

  const paint = painter(live && colorsWanted(true, io.env));
  const unicode = unicodeWanted(io.env);
  let view: RunView | undefined;
  // On a terminal the outage notice is a line under the table, which is redrawn in place.
  let outageNotice: string | undefined;
  const reachability = new ServerReachability((line, reachable) => {
    if (live) outageNotice = reachable ? undefined : line;
    else out.write(`  ${line}\n`);
  });
  const display = live
    ? new LiveDisplay(io.stdout, (size) => [
        ...(view === undefined
          ? [paint('dim', 'waiting for the run to report its progress (a worker must serve its task queue)…')]
          : renderFrame(view, {
              ...size,
              rows: size.rows - (outageNotice === undefined ? 0 : 1),
              nowMs: Date.now(),
              paint,
              unicode,
            })),
        ...(outageNotice === undefined ? [] : [paint('yellow', outageNotice)]),
      ])
    : undefined;

  const interrupts = listenForInterrupts(options, out, interactive, display);

  let outcome: FollowOutcome;
  try {
    display?.start();
    outcome = await followRunUntilEnd(options.handle, {
      client: options.client,
      signal: interrupts.signal,
      reachability,
      ...(live
        ? {
            onProgress: (progress: Progress, lastLines: ReadonlyMap<string, string>) => {
              view = viewFromProgress(workflowId, progress, lastLines);
            },
          }
        : { onEvent: (event) => out.write(`  ${describeEvent(event)}\n`) }),
    });
  } finally {
    interrupts.stop();
    display?.pause();
  }

  if (outcome.kind === 'detached') {
    out.write(
      `\ndetached from ${workflowId}; the run goes on.${options.detachNote === undefined ? '' : ` ${options.detachNote}`}\n` +
        `  follow it again: ${reattach}\n  stop it:         ${cancel}\n`,
    );
    return EXIT_DETACHED;
  }

  return printResult(options, outcome, display && { display, paint, unicode });
}

export function exitCodeFor(status: FanoutResult['status']): ExitCode {
  return status === 'succeeded' ? 0 : status === 'rejected' ? 2 : 1;
}

/** The run's containment warnings (SPEC §8.1), then one line per out-of-bounds change (§8.2). */
function resultWarnings(result: FanoutResult): string[] {
  return [...(result.warnings ?? []), ...(result.out_of_bounds ?? []).map(outOfBoundsText)];
}

interface LiveEnd {
  readonly display: LiveDisplay;
  readonly paint: Painter;
  readonly unicode: boolean;
}

/** The end of a followed run: the result (JSON, final table or result table), summary and Web UI link. */
function printResult(
  options: AttachOptions,
  outcome: Extract<FollowOutcome, { kind: 'ended' }>,
  live: LiveEnd | undefined,
): ExitCode {
  const { io, workflowId } = options;
  const { result } = outcome;
  if (options.json) {
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    printWarnings(resultWarnings(result), io);
    return exitCodeFor(result.status);
  }
  if (live !== undefined) {
    const { display, paint, unicode } = live;
    const final = viewFromResult(workflowId, options.planName, result, outcome.lastLines);
    // The final table in full, however tall: it is not redrawn any more.
    const size = { columns: io.stdout.columns ?? 80, rows: Number.POSITIVE_INFINITY };
    display.finish([...renderFrame(final, { ...size, nowMs: Date.now(), paint, unicode }), '']);
  } else {
    io.stdout.write(formatResultTable(result));
  }
  printWarnings(resultWarnings(result), io);
  if (result.git !== undefined) {
    const lines =
      options.remote === undefined
        ? gitRunLines(result.git)
        : remoteRunLines(result.git, options.remote, workflowId);
    io.stdout.write(`${lines.join('\n')}\n`);
  }
  if (options.repo !== undefined && options.remote === undefined && result.status !== 'rejected') {
    io.stdout.write(
      `Summary: ${resolve(options.repo, '.agent/artifacts/parallel_development_summary.md')}\n`,
    );
  }
  io.stdout.write(`Web UI:  ${options.uiLink}\n`);
  if (options.uiNote !== undefined) io.stdout.write(`         ${options.uiNote}\n`);
  if (result.status === 'failed' || result.status === 'cancelled')
    io.stdout.write(nextSteps(options, result));
  return exitCodeFor(result.status);
}

/** The last lines of a run that did not succeed: where to look, and how to run the rest again. */
function nextSteps(options: AttachOptions, result: FanoutResult): string {
  const id = `${options.workflowId}${options.connectionFlags}`;
  const ended = Object.entries(result.units).find(
    ([, unit]) => unit.status === 'FAILED' || unit.status === 'CANCELLED',
  );
  const unit = ended?.[0] ?? '<unit>';
  return (
    `Next:    agent-fanout status ${id}   (how each unit ended and why)\n` +
    `         agent-fanout logs ${options.workflowId} ${unit}${options.connectionFlags}   (an agent's output)\n` +
    `         agent-fanout retry ${id}   (runs what did not succeed, reuses the rest; --plan <file> after fixing the plan)\n`
  );
}

/**
 * Ctrl-C and SIGTERM while a run is followed: SIGTERM, or Ctrl-C with nobody to ask, detaches;
 * on a terminal Ctrl-C asks (interrupt.ts) and cancels the run, detaches or keeps watching.
 */
function listenForInterrupts(
  options: AttachOptions,
  out: TextOutput,
  interactive: boolean,
  display: LiveDisplay | undefined,
): { readonly signal: AbortSignal; stop(): void } {
  const { io, workflowId } = options;
  const detach = new AbortController();
  let asking = false;
  const onInterrupt = (): void => {
    if (asking) return;
    if (!interactive || io.stdin === undefined) {
      detach.abort();
      return;
    }
    asking = true;
    display?.pause();
    void askOnInterrupt(io.stdin, out).then(async (choice) => {
      asking = false;
      if (choice === 'detach') {
        detach.abort();
        return;
      }
      if (choice === 'cancel') {
        out.write(`cancelling ${workflowId}: stopping every agent…\n`);
        await options.handle.cancel().catch((error: unknown) => {
          out.write(`could not cancel: ${error instanceof Error ? error.message : String(error)}\n`);
        });
      }
      display?.resume();
    });
  };
  const onTerminate = (): void => detach.abort();
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onTerminate);
  return {
    signal: detach.signal,
    stop: () => {
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onTerminate);
    },
  };
}

/** SPEC §8.2: one warning line per change outside every unit's area and agent.writable. */
export function outOfBoundsText(change: OutOfBoundsChange): string {
  return `out of bounds: '${change.path}' ${change.kind} outside every unit's allowed directories and agent.writable (running: ${change.units.join(', ')})`;
}
