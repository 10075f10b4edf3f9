/**
 * Measures, not asserts: a plan of UNITS independent quick units (default 40, max_workers 8) in
 * git mode beside shared mode on the real server and worker: wall time of the run, and in git mode
 * each unit's wait for its merge into the integration (its attempt's completion → its
 * `integrateUnit`'s completion, from history), p50/p95/max. Not part of `npm test`; run
 *
 *   npx jest --testMatch '**' + '/test/workflows/git-run.measure.ts'
 */
import { mkdtempSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { awaitResult, startRun } from '../../src/client/fanout-client';
import { useFanoutWorker } from '../helpers/fanout-worker';
import { testPlan, testUnit } from '../helpers/plan-factory';
import { FAKE_AGENT } from '../helpers/scenario-runner';
import { gitRunInput, sourceRepo, startGitRun, useWorktreeFolder } from './git-run-helpers';

const UNITS = Number(process.env.FANOUT_MEASURE_UNITS ?? 40);

useWorktreeFolder();
const fixture = useFanoutWorker('git-run-measure');

const units = Array.from({ length: UNITS }, (_, i) => {
  const id = `u${String(i).padStart(3, '0')}`;
  return testUnit(id, [], { command: [FAKE_AGENT, '--write', `src/${id}/f.txt`, id, '--artifact', 'r.md'] });
});

function millis(time: temporal.api.history.v1.IHistoryEvent['eventTime']): number {
  return Number(time?.seconds ?? 0) * 1000 + Math.round((time?.nanos ?? 0) / 1e6);
}

/** Per activity type, scheduled → completed in ms, sorted. */
const durations = new Map<string, number[]>();

/** Per unit: its attempt's completion → its merge's completion, in ms. */
function mergeWaits(history: temporal.api.history.v1.IHistory): number[] {
  const scheduled = new Map<string, { type: string; unitId: string; at: number }>();
  const attemptDone = new Map<string, number>();
  const waits: number[] = [];
  for (const event of history.events ?? []) {
    const attrs = event.activityTaskScheduledEventAttributes;
    if (attrs !== undefined && attrs !== null) {
      const input = defaultPayloadConverter.fromPayload<{ unit?: { unitId: string }; unitId?: string }>(
        attrs.input?.payloads?.[0] ?? {},
      );
      const unitId = input.unit?.unitId ?? input.unitId ?? '';
      const type = attrs.activityType?.name ?? '';
      scheduled.set(String(event.eventId), { type, unitId, at: millis(event.eventTime) });
    }
    const done = event.activityTaskCompletedEventAttributes;
    if (done === undefined || done === null) continue;
    const which = scheduled.get(String(done.scheduledEventId));
    if (which !== undefined) {
      const list = durations.get(which.type) ?? [];
      list.push(millis(event.eventTime) - which.at);
      durations.set(which.type, list);
    }
    if (which?.type === 'runAgentAttempt') attemptDone.set(which.unitId, millis(event.eventTime));
    if (which?.type === 'integrateUnit') {
      waits.push(millis(event.eventTime) - (attemptDone.get(which.unitId) ?? NaN));
    }
  }
  return waits.sort((a, b) => a - b);
}

const at = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

it('measures a git run beside a shared one', async () => {
  const plan = testPlan(units, { name: 'measure', maxWorkers: 8 });
  const sharedRepo = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fanout-measure-')));
  let begin = performance.now();
  await awaitResult(
    await startRun(fixture.client(), {
      plan,
      repo: sharedRepo,
      taskQueue: fixture.taskQueue,
      workflowId: `measure-shared-${Date.now().toString(36)}`,
    }),
  );
  const sharedMs = performance.now() - begin;

  const { repo, base } = sourceRepo();
  const workflowId = `measure-git-${Date.now().toString(36)}`;
  begin = performance.now();
  const handle = await startGitRun(fixture.client(), {
    plan,
    repo,
    workflowId,
    taskQueue: fixture.taskQueue,
    git: gitRunInput(base, workflowId),
  });
  const result = await awaitResult(handle);
  const gitMs = performance.now() - begin;
  const waits = mergeWaits(await handle.fetchHistory());
  console.log(
    [
      `${UNITS} units, max_workers 8: shared ${Math.round(sharedMs)} ms, git ${Math.round(gitMs)} ms (${result.status})`,
      `merge wait per unit (attempt done → integrated): p50 ${at(waits, 0.5)} ms, p95 ${at(waits, 0.95)} ms, max ${waits.at(-1)} ms`,
      ...[...durations].map(([type, list]) => {
        const sorted = list.sort((a, b) => a - b);
        return `${type} scheduled → completed: p50 ${at(sorted, 0.5)} ms, p95 ${at(sorted, 0.95)} ms (${list.length})`;
      }),
    ].join('\n'),
  );
  expect(waits).toHaveLength(UNITS);
}, 600_000);
