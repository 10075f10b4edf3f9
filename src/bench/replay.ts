/**
 * The workflow code's own cost, without the server or the network: the run's history replayed in
 * this process against the prebuilt workflow bundle. The history is replayed twice by one replay
 * worker and the second pass is timed, so loading the bundle is not counted. Replaying also
 * checks that the workflow is deterministic over the whole run. A chain of executions (continued
 * as new) is replayed execution by execution: the first one once to warm up, then all of them,
 * timed.
 */
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { HistoryFacts } from './history';

type History = Parameters<typeof Worker.runReplayHistory>[1];

export interface ReplayCost {
  /** Replay of the whole history, bundle already loaded. */
  readonly totalMs: number;
  /** totalMs divided by the number of completed workflow tasks. */
  readonly perWorkflowTaskMs: number;
  /** Set when the replay failed (non-determinism, or anything else). */
  readonly error?: string;
}

let runtimeInstalled = false;

function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Installed already.
  }
}

export async function replayCost(
  executions: readonly History[],
  facts: HistoryFacts,
  bundlePath: string,
): Promise<ReplayCost> {
  quietRuntime();
  const marks: number[] = [Date.now()];
  let error: string | undefined;
  const histories = [executions[0], ...executions].map((history, index) => ({
    workflowId: `replay-${index}`,
    history,
  }));
  for await (const result of Worker.runReplayHistories(
    { workflowBundle: { codePath: bundlePath } },
    histories,
  )) {
    marks.push(Date.now());
    if (result.error !== undefined) error ??= result.error.message;
  }
  const totalMs = (marks[marks.length - 1] ?? Number.NaN) - (marks[1] ?? Number.NaN);
  const perWorkflowTaskMs = Math.round((totalMs / Math.max(1, facts.workflowTasks.length)) * 100) / 100;
  return { totalMs, perWorkflowTaskMs, ...(error === undefined ? {} : { error }) };
}
