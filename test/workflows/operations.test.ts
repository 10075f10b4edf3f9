/**
 * The fan-out workflow under operation, against the real dev server, a real worker and real agent
 * processes: the cap and the serialize rule as the agents saw them, cancelling one unit or the
 * whole run, and what `progress` says about waiting units.
 */
import { mkdtempSync, readFileSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { awaitResult, cancelUnit, readProgress, startRun } from '../../src/client/fanout-client';
import type { FanoutHandle } from '../../src/client/fanout-client';
import type { Plan, WorkUnit } from '../../src/plan/types';
import type { Progress, UnitProgress } from '../../src/contracts/run-types';
import { useFanoutWorker } from '../helpers/fanout-worker';
import { duration, testPlan, testUnit } from '../helpers/plan-factory';
import { replayWorkflows } from '../helpers/replay';
import { FAKE_AGENT } from '../helpers/scenario-runner';

const fixture = useFanoutWorker('operations');
const { taskQueue } = fixture;
const workflowIds: string[] = [];

function freshRepo(): string {
  return realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fanout-ops-')));
}

function agent(...args: string[]): string[] {
  return [FAKE_AGENT, ...args];
}

async function start(plan: Plan, repo: string): Promise<FanoutHandle> {
  const workflowId = `ops-${plan.name}-${Date.now().toString(36)}`;
  workflowIds.push(workflowId);
  return startRun(fixture.client(), { plan, repo, taskQueue, workflowId });
}

/** Most agents alive at once, from `--stamp` lines `<unit> attempt=<n> start|end <ms>`. */
function peakConcurrency(stampFile: string): { peak: number; together: Set<string> } {
  const marks = readFileSync(stampFile, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(' '))
    .map(([unit, , label, ms]) => ({ unit: unit as string, start: label === 'start', ms: Number(ms) }))
    .sort((a, b) => a.ms - b.ms || (a.start ? 1 : -1));
  const alive = new Set<string>();
  const together = new Set<string>();
  let peak = 0;
  for (const mark of marks) {
    if (mark.start) {
      for (const other of alive) together.add([other, mark.unit].sort().join('+'));
      alive.add(mark.unit);
    } else {
      alive.delete(mark.unit);
    }
    peak = Math.max(peak, alive.size);
  }
  return { peak, together };
}

function stamped(
  unitId: string,
  stampFile: string,
  sleepMs: number,
  dirs: string[] = [`src/${unitId}`],
): WorkUnit {
  return testUnit(unitId, [], {
    allowedDirectories: dirs,
    command: agent(
      '--stamp',
      stampFile,
      'start',
      '--sleep-ms',
      String(sleepMs),
      '--artifact',
      'done.md',
      '--stamp',
      stampFile,
      'end',
    ),
  });
}

async function waitForProgress(
  handle: FanoutHandle,
  ready: (progress: Progress) => boolean,
): Promise<Progress> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const progress = await readProgress(handle).catch(() => undefined);
    if (progress !== undefined && ready(progress)) return progress;
    if (Date.now() > deadline) throw new Error(`progress never matched; last: ${JSON.stringify(progress)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function unitOf(progress: Progress, unitId: string): UnitProgress {
  const unit = progress.units.find((u) => u.unit_id === unitId);
  if (unit === undefined) throw new Error(`no unit ${unitId} in progress`);
  return unit;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

describe('the cap and the serialize rule, as the agents saw them', () => {
  it('never runs more agents at once than max_workers, and does fill every slot', async () => {
    const repo = freshRepo();
    const stamps = path.join(repo, 'stamps.txt');
    const units = Array.from({ length: 9 }, (_, i) => stamped(`u${i}`, stamps, 700));
    const result = await awaitResult(await start(testPlan(units, { name: 'cap', maxWorkers: 3 }), repo));
    expect(result.status).toBe('succeeded');
    expect(peakConcurrency(stamps).peak).toBe(3);
  });

  it('never runs two units with overlapping edit areas together under serialize', async () => {
    const repo = freshRepo();
    const stamps = path.join(repo, 'stamps.txt');
    const units = [
      stamped('a', stamps, 1500, ['src']),
      stamped('b', stamps, 800, ['src/x']),
      stamped('c', stamps, 800, ['src/y']),
      stamped('d', stamps, 800, ['lib']),
    ];
    const plan = testPlan(units, { name: 'serialize', maxWorkers: 4, overlap: 'serialize' });
    const result = await awaitResult(await start(plan, repo));
    expect(result.status).toBe('succeeded');
    const { together } = peakConcurrency(stamps);
    expect([...together].filter((pair) => pair === 'a+b' || pair === 'a+c')).toEqual([]);
    expect(together.has('a+d')).toBe(true);
    expect(together.has('b+c')).toBe(true);
  });
});

describe('cancelling', () => {
  it('cancels one unit: it ends CANCELLED, its dependents BLOCKED, and an unrelated unit still succeeds', async () => {
    const repo = freshRepo();
    const units = [
      testUnit('long', [], {
        command: agent('--pid-file', 'long.pid', '--sleep-ms', '30000', '--artifact', 'x.md'),
      }),
      testUnit('after', ['long'], { command: agent('--artifact', 'x.md') }),
      testUnit('other', [], { command: agent('--sleep-ms', '1500', '--artifact', 'x.md') }),
    ];
    const handle = await start(testPlan(units, { name: 'cancel-unit' }), repo);
    await waitForProgress(handle, (p) => unitOf(p, 'long').status === 'RUNNING');
    await waitForPidFile(path.join(repo, 'long.pid'));
    const answer = await cancelUnit(handle, 'long');
    expect(answer).toEqual({ unit_id: 'long', status: 'CANCELLED' });
    expect(processAlive(Number(readFileSync(path.join(repo, 'long.pid'), 'utf8')))).toBe(false);
    const result = await awaitResult(handle);
    expect(result.status).toBe('failed');
    expect(result.units.long).toMatchObject({
      status: 'CANCELLED',
      error: 'Cancelled by request',
      attempts: 1,
    });
    expect(result.units.after).toMatchObject({
      status: 'BLOCKED',
      error: 'Blocked by failed dependencies: long',
      attempts: 0,
    });
    expect(result.units.other).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('refuses to cancel a unit that does not exist or has already ended', async () => {
    const repo = freshRepo();
    const units = [
      testUnit('quick', [], { command: agent('--artifact', 'x.md') }),
      testUnit('slow', [], { command: agent('--sleep-ms', '3000', '--artifact', 'x.md') }),
    ];
    const handle = await start(testPlan(units, { name: 'cancel-refused' }), repo);
    await waitForProgress(handle, (p) => unitOf(p, 'quick').status === 'SUCCEEDED');
    await expect(cancelUnit(handle, 'nope')).rejects.toThrow(/No unit 'nope'/);
    await expect(cancelUnit(handle, 'quick')).rejects.toThrow(/already ended \(SUCCEEDED\)/);
    expect((await awaitResult(handle)).status).toBe('succeeded');
  });

  it('cancels the whole run: every agent process is gone, the summary is written, the run ends cancelled', async () => {
    const repo = freshRepo();
    const units = ['a', 'b', 'c'].map((id) =>
      testUnit(id, [], {
        command: agent(
          '--pid-file',
          `${id}.pid`,
          '--spawn-grandchild',
          `${id}-child.pid`,
          '--sleep-ms',
          '30000',
          '--artifact',
          'x.md',
        ),
      }),
    );
    units.push(testUnit('later', ['a'], { command: agent('--artifact', 'x.md') }));
    const handle = await start(testPlan(units, { name: 'cancel-run' }), repo);
    await waitForProgress(handle, (p) => ['a', 'b', 'c'].every((id) => unitOf(p, id).status === 'RUNNING'));
    for (const id of ['a', 'b', 'c']) await waitForPidFile(path.join(repo, `${id}-child.pid`));
    await handle.cancel();
    const result = await awaitResult(handle);
    expect(result.status).toBe('cancelled');
    for (const id of ['a', 'b', 'c']) {
      expect(result.units[id]).toMatchObject({
        status: 'CANCELLED',
        error: 'Cancelled because the run was cancelled',
      });
      for (const file of [`${id}.pid`, `${id}-child.pid`]) {
        expect({ file, alive: processAlive(Number(readFileSync(path.join(repo, file), 'utf8'))) }).toEqual({
          file,
          alive: false,
        });
      }
    }
    expect(result.units.later).toMatchObject({ status: 'BLOCKED' });
    expect(readFileSync(path.join(repo, '.agent/DEVELOPMENT_RESULT.md'), 'utf8')).toContain(
      '- **a**: cancelled',
    );
  });
});

describe('progress', () => {
  it('names why each unit waits: an overlap, the cap, its dependencies, a retry delay, a failed dependency; and answers after the run closed', async () => {
    const repo = freshRepo();
    const long = agent('--sleep-ms', '30000', '--artifact', 'x.md');
    const units = [
      testUnit('a', [], { allowedDirectories: ['src'], command: long }),
      testUnit('b', [], { allowedDirectories: ['src/x'], command: agent('--artifact', 'x.md') }),
      testUnit('c', [], { allowedDirectories: ['lib'], command: long }),
      testUnit('d', [], {
        allowedDirectories: ['retry'],
        command: agent('--fail-until-attempt', '2', '--artifact', 'x.md'),
        retry: { maxAttempts: 2, initialInterval: duration(60_000, '60s') },
      }),
      testUnit('e', [], { allowedDirectories: ['docs'], command: agent('--artifact', 'x.md') }),
      testUnit('f', ['a'], { allowedDirectories: ['tests'], command: agent('--artifact', 'x.md') }),
    ];
    const plan = testPlan(units, { name: 'progress', maxWorkers: 3, overlap: 'serialize' });
    const handle = await start(plan, repo);
    const held = await waitForProgress(handle, (p) => unitOf(p, 'd').status === 'RETRYING');
    expect(unitOf(held, 'b')).toMatchObject({ status: 'WAITING', reason: { kind: 'overlap', unitId: 'a' } });
    expect(unitOf(held, 'e')).toMatchObject({
      status: 'WAITING',
      reason: { kind: 'slot', running: 3, maxWorkers: 3 },
    });
    expect(unitOf(held, 'f')).toMatchObject({
      status: 'PENDING',
      reason: { kind: 'dependencies', waitingFor: ['a'] },
    });
    expect(unitOf(held, 'd')).toMatchObject({
      status: 'RETRYING',
      reason: { kind: 'retry-delay', nextAttempt: 2 },
    });
    expect(unitOf(held, 'b').why).toBe("waiting for overlapping unit 'a' to finish");

    await cancelUnit(handle, 'a');
    const blocked = await readProgress(handle);
    expect(unitOf(blocked, 'f')).toMatchObject({ status: 'BLOCKED', reason: { kind: 'blocked', by: ['a'] } });

    await handle.cancel();
    const result = await awaitResult(handle);
    expect(result.status).toBe('cancelled');
    const after = await readProgress(handle);
    expect(after.state).toBe('cancelled');
    expect(unitOf(after, 'a').status).toBe('CANCELLED');
  });
});

describe('details of a large plan', () => {
  // Over 200 units, the Web UI's details and `list`'s search attributes refresh at most once a
  // second of workflow time, not every few completions: each refresh visits every unit, and each
  // changed count is an event and a visibility write.
  it('refreshes the search attributes of a 240-unit run a few times, and ends with every unit counted', async () => {
    const repo = freshRepo();
    const units = Array.from({ length: 240 }, (_, i) =>
      testUnit(`u${String(i).padStart(3, '0')}`, [], { command: agent('--artifact', 'x.md') }),
    );
    const handle = await start(testPlan(units, { name: 'large-details', maxWorkers: 16 }), repo);
    expect((await awaitResult(handle)).status).toBe('succeeded');
    const { events } = await handle.fetchHistory();
    const upserts = (events ?? []).filter((e) => e.upsertWorkflowSearchAttributesEventAttributes);
    const tasks = (events ?? []).filter((e) => e.workflowTaskCompletedEventAttributes);
    const first = Number(events?.[0]?.eventTime?.seconds ?? 0);
    const last = Number(events?.[events.length - 1]?.eventTime?.seconds ?? 0);
    // Once a second at most, plus the first and the last. Before: every 2 completions (26 in a run).
    expect(upserts.length).toBeLessThanOrEqual(last - first + 3);
    expect(upserts.length).toBeLessThan(tasks.length);
    const description = await handle.describe();
    expect(description.searchAttributes['FanoutUnitsDone']).toEqual([240]);
  });
});

describe('history', () => {
  it('replays every workflow history of this file without non-determinism', async () => {
    expect(workflowIds.length).toBeGreaterThan(0);
    const outcomes = await replayWorkflows(fixture.client(), workflowIds);
    expect(outcomes).toEqual(workflowIds.map((workflowId) => ({ workflowId })));
  });
});

async function waitForPidFile(file: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if (readFileSync(file, 'utf8').trim() !== '') return;
    } catch {
      // not written yet
    }
    if (Date.now() > deadline) throw new Error(`${file} never appeared`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
