/**
 * The benchmark's own logic, without a server: its shapes and command line, the walk over a
 * chain of executions (events, payloads, limits), the history analysis across executions, and
 * the process-group watcher of the cancel shape.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from '../../src/bench/args';
import { GroupWatcher, scanGroup } from '../../src/bench/group-watcher';
import {
  chainFacts,
  fetchHistory,
  limitViolations,
  MAX_EVENTS_PER_EXECUTION,
  MAX_PAYLOAD_BYTES,
  nextRunId,
  payloadBytes,
  walkPayloads,
  type Execution,
} from '../../src/bench/chain';
import { analyzeHistories, type History } from '../../src/bench/history';
import { scaleTargets } from '../../src/bench/scale';
import {
  CANCEL_FAILING_UNIT,
  cancelShape,
  dagShape,
  DEFAULT_SHAPES,
  FAKE_AGENT,
  scaleShape,
  wideShape,
  wideShShape,
  type RunShapeName,
} from '../../src/bench/shapes';
import { idleCommandOf, planValue } from '../../src/bench/shape-plan';
import { validatePlanValue } from '../../src/plan/validate';

const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text));
const json = (value: unknown): { metadata: Record<string, Uint8Array>; data: Uint8Array } => ({
  metadata: { encoding: bytes('json/plain') },
  data: bytes(JSON.stringify(value)),
});
const time = (ms: number): { seconds: number; nanos: number } => ({
  seconds: Math.floor(ms / 1000),
  nanos: (ms % 1000) * 1e6,
});

type Event = NonNullable<History['events']>[number];
const event = (eventId: number, ms: number, attributes: Record<string, unknown>): Event =>
  ({ eventId, eventTime: time(ms), ...attributes }) as unknown as Event;

/** One execution: start, one workflow task, one agent activity of `unitId`, then `close`. */
function execution(base: number, unitId: string, close: Record<string, unknown>): History {
  return {
    events: [
      event(1, base, {
        workflowExecutionStartedEventAttributes: { input: { payloads: [json({ plan: 'x' })] } },
      }),
      event(2, base + 1, { workflowTaskScheduledEventAttributes: {} }),
      event(3, base + 2, { workflowTaskStartedEventAttributes: { scheduledEventId: 2 } }),
      event(4, base + 3, { workflowTaskCompletedEventAttributes: { scheduledEventId: 2 } }),
      event(5, base + 3, {
        activityTaskScheduledEventAttributes: {
          activityType: { name: 'runAgentAttempt' },
          input: { payloads: [json({ unit: { unitId }, attempt: 1 })] },
        },
      }),
      event(6, base + 10, { activityTaskStartedEventAttributes: { scheduledEventId: 5 } }),
      event(7, base + 50, { activityTaskCompletedEventAttributes: { scheduledEventId: 5 } }),
      event(8, base + 60, close),
    ],
  };
}

describe('bench shapes', () => {
  it('cancel: 15 long siblings and one failing unit that launches last, cancel on failure, one attempt', () => {
    const shape = cancelShape();
    const result = validatePlanValue(planValue(shape, 'test'), { fileName: 'cancel.json' });
    if (!result.ok) throw new Error(result.message);
    const plan = result.plan;
    expect(plan.onFailure).toBe('cancel');
    expect(plan.retry.maxAttempts).toBe(1);
    expect(plan.maxWorkers).toBe(16);
    expect(plan.workUnits).toHaveLength(16);
    const ids = plan.workUnits.map((unit) => unit.unitId).sort();
    expect(ids[ids.length - 1]).toBe(CANCEL_FAILING_UNIT);
    const failing = plan.workUnits.find((unit) => unit.unitId === CANCEL_FAILING_UNIT);
    // Its last action before `exit 1` is the `end` stamp: the failure's moment.
    expect(failing?.command?.slice(-5)).toEqual([
      '--stamp',
      'src/{unit_id}/.bench-stamps.txt',
      'end',
      '--exit',
      '1',
    ]);
    expect(plan.agent.command).toContain('60000');
  });

  it('scale: 10,000 units over 100 levels, instant agents, max_workers 32', () => {
    const shape = scaleShape(10_000, 'scale');
    expect(shape.units).toHaveLength(10_000);
    expect(shape.maxWorkers).toBe(32);
    expect(shape.agentArgs).not.toContain('--sleep-ms');
    expect(shape.title).toContain('100 levels');
    const ids = new Set(shape.units.map((unit) => unit.unitId));
    expect(ids.size).toBe(10_000);
    expect(shape.units.every((unit) => unit.dependencies.every((dep) => ids.has(dep)))).toBe(true);
  });

  it('scale baselines: 100 units on 10 levels, and on 1 level without dependencies', () => {
    expect(scaleShape(100, 'scale-base').title).toContain('10 levels');
    const wide = scaleShape(100, 'scale-base-wide', 1);
    expect(wide.units.every((unit) => unit.dependencies.length === 0)).toBe(true);
  });

  it("wide-sh: the wide shape with the seed's own agent, sh sleeping then writing the artifact", () => {
    const shape = wideShShape(1000, 1000, 64);
    const result = validatePlanValue(planValue(shape, 'test'), { fileName: 'wide-sh.json' });
    if (!result.ok) throw new Error(result.message);
    expect(result.plan.workUnits).toHaveLength(1000);
    expect(result.plan.maxWorkers).toBe(64);
    expect(result.plan.agent.command).toEqual([
      'sh',
      '-c',
      expect.stringMatching(/^sleep "\$1" && /),
      'agent',
      '1',
    ]);
    expect(idleCommandOf(shape)).toEqual([...(result.plan.agent.command ?? []).slice(0, 4), '0']);
    expect(idleCommandOf(wideShape(10, 1000, 4))).toEqual([
      FAKE_AGENT,
      ...wideShape(10, 1000, 4).agentArgs.map((arg) => (arg === '1000' ? '0' : arg)),
    ]);
  });

  it('the random DAG is the same on every call', () => {
    expect(dagShape(300, 17, 0, 32).units).toEqual(dagShape(300, 17, 0, 32).units);
  });
});

describe('bench command line', () => {
  it('runs the default set without scale', () => {
    expect(parseArgs([])).toMatchObject({ quick: false, shapes: DEFAULT_SHAPES });
    expect(DEFAULT_SHAPES).toContain('cancel');
    expect(DEFAULT_SHAPES).not.toContain('scale');
  });

  it('takes scale with --all or --shape, and the scale and cancel sizes', () => {
    const all = parseArgs(['--all']);
    expect(all !== 'help' && all.shapes).toContain('scale');
    expect(
      parseArgs([
        '--shape',
        'cancel,scale',
        '--shape',
        'chain',
        '--scale-units',
        '300',
        '--cancel-runs',
        '2',
      ]),
    ).toMatchObject({
      shapes: ['cancel', 'scale', 'chain'],
      scaleUnits: 300,
      cancelRuns: 2,
    });
    expect(parseArgs(['--history-event-limit', '500'])).toMatchObject({ historyEventLimit: 500 });
    expect(parseArgs(['--help'])).toBe('help');
  });

  it('refuses unknown shapes and bad numbers', () => {
    expect(() => parseArgs(['--shape', 'huge'])).toThrow(/unknown shape 'huge'/);
    expect(() => parseArgs(['--scale-units', '0'])).toThrow(/positive integer/);
    expect(() => parseArgs(['--scale-units'])).toThrow(/needs a value/);
  });
});

describe('payloads', () => {
  it('counts data and metadata keys and values', () => {
    expect(payloadBytes({ metadata: { encoding: bytes('json/plain') }, data: bytes('{}') })).toBe(8 + 10 + 2);
    expect(payloadBytes({ data: bytes('abc') })).toBe(3);
    expect(payloadBytes({ name: 'x' })).toBeUndefined();
    expect(payloadBytes(bytes('abc'))).toBeUndefined();
  });

  it('finds every payload of an event, with its path', () => {
    const found: [number, string][] = [];
    walkPayloads(
      {
        workflowExecutionFailedEventAttributes: {
          failure: { applicationFailureInfo: { details: { payloads: [{ data: bytes('12345') }] } } },
        },
        eventId: { low: 1, high: 0 },
      },
      '',
      (size, where) => found.push([size, where]),
    );
    expect(found).toEqual([
      [5, 'workflowExecutionFailedEventAttributes.failure.applicationFailureInfo.details.payloads[0]'],
    ]);
  });
});

describe('a chain of executions', () => {
  const first = execution(1_000_000, 'a', {
    workflowExecutionContinuedAsNewEventAttributes: {
      newExecutionRunId: 'run-2',
      input: { payloads: [json({ carried: 'x'.repeat(1000) })] },
    },
  });
  const second = execution(2_000_000, 'b', {
    workflowExecutionCompletedEventAttributes: {
      result: { payloads: [json({ status: 'succeeded', result_file: '/tmp/r.json', result_sha256: 'ab' })] },
    },
  });
  const chain: Execution[] = [
    { runId: 'run-1', history: first, historyBytes: 100 },
    { runId: 'run-2', history: second, historyBytes: 50 },
  ];

  it('follows ContinuedAsNew to the next run id, and ends at a close', () => {
    expect(nextRunId(first)).toBe('run-2');
    expect(nextRunId(second)).toBeUndefined();
  });

  it('counts executions, events and sizes, and finds the largest payload and the result file', () => {
    const facts = chainFacts(chain);
    expect(facts).toMatchObject({
      executions: 2,
      eventsPerExecution: [8, 8],
      maxEventsInExecution: 8,
      totalEvents: 16,
      historyBytes: 150,
      resultFile: { path: '/tmp/r.json', sha256: 'ab' },
    });
    expect(facts.largestPayload).toMatchObject({
      execution: 0,
      eventId: 8,
      eventType: 'WorkflowExecutionContinuedAsNew',
      path: 'workflowExecutionContinuedAsNewEventAttributes.input.payloads[0]',
    });
    expect(facts.largestEvent?.bytes).toBeGreaterThan(1000);
    expect(limitViolations(facts)).toEqual([]);
  });

  it('reports an execution over the event limit and a payload over 2 MiB', () => {
    const facts = chainFacts(chain);
    const over = {
      ...facts,
      eventsPerExecution: [MAX_EVENTS_PER_EXECUTION + 1, 8],
      largestPayload: { bytes: MAX_PAYLOAD_BYTES + 1, execution: 1, eventId: 8, eventType: 'X', path: 'p' },
    };
    const problems = limitViolations(over, 'scale');
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/scale: execution 1 of 2 has 10241 events/);
    expect(problems[1]).toMatch(/payload of 2097153 bytes/);
  });

  it('reads the executions as one history: ids along the chain, first start, last close', () => {
    const facts = analyzeHistories([first, second]);
    expect(facts.eventCount).toBe(16);
    expect(facts.workflowStartedMs).toBe(1_000_000);
    expect(facts.workflowClosedMs).toBe(2_000_060);
    expect(facts.workflowTasks.map((task) => task.completedEventId)).toEqual([4, 12]);
    expect(facts.activities).toEqual([
      expect.objectContaining({
        unitId: 'a',
        scheduledEventId: 5,
        startedMs: 1_000_010,
        completedEventId: 7,
      }),
      expect.objectContaining({
        unitId: 'b',
        scheduledEventId: 13,
        startedMs: 2_000_010,
        completedEventId: 15,
      }),
    ]);
    expect(facts.eventTypes.WorkflowExecutionContinuedAsNew).toBe(1);
  });
});

describe('fetchHistory', () => {
  it('asks again with fewer events when a page is too large to receive', async () => {
    const all = Array.from({ length: 25 }, (_, i) => ({ eventId: i + 1 }));
    const asked: number[] = [];
    const client = {
      options: { namespace: 'default' },
      workflowService: {
        getWorkflowExecutionHistory: (request: { maximumPageSize: number; nextPageToken?: Uint8Array }) => {
          asked.push(request.maximumPageSize);
          if (request.maximumPageSize > 10)
            return Promise.reject(
              Object.assign(new Error('8 RESOURCE_EXHAUSTED: Received message larger than max'), { code: 8 }),
            );
          const from =
            request.nextPageToken === undefined ? 0 : Number(Buffer.from(request.nextPageToken).toString());
          const to = from + request.maximumPageSize;
          return Promise.resolve({
            history: { events: all.slice(from, to) },
            nextPageToken: to < all.length ? new Uint8Array(Buffer.from(String(to))) : new Uint8Array(),
          });
        },
      },
    };
    const history = await fetchHistory(client as unknown as Parameters<typeof fetchHistory>[0], 'w', 'r');
    expect(history.events?.map((event) => Number(event.eventId))).toEqual(all.map((event) => event.eventId));
    expect(asked).toEqual([1000, 100, 10, 10, 10]);
  });
});

describe('scale targets', () => {
  const run = (shape: RunShapeName, units: number, p50: number, p95: number) => ({
    shape,
    units,
    meanRunningAgents: 4,
    overheadMs: {
      all: { n: units, min: 0, p50, p95, max: p95, mean: p50 },
      byDependency: null,
      bySlot: null,
      segments: {
        agentEndToActivityCompleted: null,
        activityCompletedToWorkflowTaskCompleted: null,
        workflowTaskCompletedToScheduled: null,
        scheduleToStart: null,
        activityStartedToSpawn: null,
      },
    },
  });

  it('judges the first baseline, p50 and p95, and the RSS', () => {
    const targets = scaleTargets(
      [run('scale-base', 100, 100, 200), run('scale-base-wide', 100, 50, 100)],
      run('scale', 10_000, 140, 320),
      390,
    );
    expect(targets.ratios.map((ratio) => [ratio.overheadP50Ratio, ratio.overheadP95Ratio])).toEqual([
      [1.4, 1.6],
      [2.8, 3.2],
    ]);
    expect(targets.overheadMet).toBe(false);
    expect(targets.rssMet).toBe(true);
  });
});

describe('GroupWatcher', () => {
  let dir: string;
  const leaders: number[] = [];

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bench-watch-'));
  });
  afterEach(() => {
    for (const pgid of leaders.splice(0)) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // Gone.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  /** A process group of bash and a background sleep; its record names the group. */
  async function group(unitId: string): Promise<number> {
    const child = spawn('bash', ['-c', 'sleep 30 & wait'], { detached: true, stdio: 'ignore' });
    const pid = await new Promise<number>((resolve) =>
      child.once('spawn', () => resolve(child.pid as number)),
    );
    child.unref();
    leaders.push(pid);
    writeFileSync(path.join(dir, `${unitId}.json`), JSON.stringify({ pgid: pid, startedAtMs: Date.now() }));
    return pid;
  }

  it('finds groups from their records and sees them go only when no member is left', async () => {
    const pgid = await group('a');
    const watcher = new GroupWatcher((unitId) => path.join(dir, `${unitId}.json`), ['a', 'never']);
    try {
      await delay(100);
      expect(watcher.groups.get('a')?.pgid).toBe(pgid);
      expect(watcher.alive().map((g) => g.unitId)).toEqual(['a']);
      // The leader dies; its background sleep keeps the group alive.
      process.kill(pgid, 'SIGKILL');
      await delay(100);
      expect(watcher.groups.get('a')?.goneMs).toBeUndefined();
      const killedAt = Date.now();
      process.kill(-pgid, 'SIGKILL');
      expect(await watcher.waitAllGone(5000)).toBe(true);
      expect(watcher.groups.get('a')?.goneMs).toBeGreaterThanOrEqual(killedAt);
      expect(watcher.groups.get('never')?.pgid).toBeUndefined();
    } finally {
      await watcher.stop();
    }
    expect(await watcher.killLeftovers(0)).toEqual([]);
  });

  it('kills what is left behind and says so', async () => {
    const pgid = await group('b');
    const watcher = new GroupWatcher((unitId) => path.join(dir, `${unitId}.json`), ['b']);
    await delay(100);
    await watcher.stop();
    const left = await watcher.killLeftovers(0);
    expect(left).toEqual([`unit b: process group ${pgid} still alive`]);
    // Gone means no member left but zombies (an orphan waits for PID 1 to reap it).
    const deadline = Date.now() + 10_000;
    while (scanGroup(pgid).length > 0 && Date.now() < deadline) await delay(50);
    expect(scanGroup(pgid)).toEqual([]);
  });
});
