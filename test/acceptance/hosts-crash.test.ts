/**
 * Issue 17 "Done when", SPEC §10: kill -9 of one worker host while its agents run. Host A runs
 * both units of the plan (it is alone on the queue when the run starts), host B joins, then A is
 * killed. (a) A is back within host_loss_timeout: it adopts its agents, each agent ran once.
 * (b) A never comes back: after host_loss_timeout (and not before) B runs the units again, once.
 * (c) A comes back after that, while its old agents still run: it stops them and pushes nothing.
 * No ref moved twice: each unit ref's commit carries `Fanout-Attempt: 1` (no agent attempt was
 * consumed) and the integration holds one output commit per unit, merged once.
 * The agents log their starts outside their working trees: `confinement: off`.
 */
import { liveMembers } from '../activities/helpers';
import { requireBuiltCli } from '../client/helpers/built-cli';
import { uniqueTaskQueue } from '../helpers/fanout-worker';
import { refsUnder } from '../helpers/git-repo';
import { remoteRunProblems, writerOf } from '../helpers/hosts-checks';
import {
  agentStamps,
  agentStarts,
  hostsRunId,
  hostsTestDirs,
  removeHostsTestDirs,
  runRemote,
  writeHostsPlan,
  type HostsDirs,
  type RemoteRun,
  type SlowHost,
  outcomeOf,
  SUCCEEDED,
} from '../helpers/hosts-harness';
import {
  crashHostWorker,
  hostAttemptRecords,
  reapHosts,
  startHostWorker,
  waitFor,
  waitUntil,
  type HostWorker,
} from '../helpers/hosts-workers';
import type { AttemptRecord } from '../../src/activities/agent/attempt-record';

beforeAll(() => requireBuiltCli());
afterEach(reapHosts);
afterAll(async () => {
  await reapHosts();
  removeHostsTestDirs();
});

const UNITS = ['p', 'q'];
/** The heartbeat interval of an attempt: the last one came at most this long before a crash. */
const HEARTBEAT_EVERY_MS = 1000;

interface Crashed {
  readonly dirs: HostsDirs;
  readonly taskQueue: string;
  readonly id: string;
  readonly running: Promise<RemoteRun>;
  /** Host A's agents, recorded before the crash. */
  readonly records: AttemptRecord[];
  readonly crashedAt: number;
}

/** Host A alone runs both units; host B joins; A is killed with both agents running. */
async function crashHostA(
  label: string,
  hostLoss: string,
  ticks: number,
  slowOnA?: number,
): Promise<Crashed> {
  const taskQueue = uniqueTaskQueue(`hosts-crash-${label}`);
  const dirs = hostsTestDirs(`crash-${label}`, ['host-a', 'host-b']);
  const workdirA = dirs.workdirs['host-a'] as string;
  const slow: SlowHost | undefined =
    slowOnA === undefined ? undefined : { workdir: workdirA, ticks: slowOnA };
  const plan = writeHostsPlan(
    dirs,
    `crash-${label}`,
    UNITS.map((unitId) => ({ unit_id: unitId })),
    { ticks, maxWorkers: 2, ...(slow === undefined ? {} : { slow }) },
  );
  const a = await startHostWorker({ taskQueue, hostId: 'host-a', workdir: workdirA, maxAgents: 2 });
  const id = hostsRunId(`crash-${label}`);
  const running = runRemote(dirs, plan, taskQueue, id, hostLoss);
  await waitFor('both agents started on host A', () =>
    agentStarts(dirs).filter((start) => start.host === 'host-a').length === UNITS.length ? true : undefined,
  );
  await startHostWorker({ taskQueue, hostId: 'host-b', workdir: dirs.workdirs['host-b'] as string });
  const records = hostAttemptRecords(workdirA);
  expect(records).toHaveLength(UNITS.length);
  await crashHostWorker(a);
  return { dirs, taskQueue, id, running, records, crashedAt: Date.now() };
}

function restartHostA(crashed: Crashed): Promise<HostWorker> {
  return startHostWorker({
    taskQueue: crashed.taskQueue,
    hostId: 'host-a',
    workdir: crashed.dirs.workdirs['host-a'] as string,
    maxAgents: 2,
  });
}

async function liveAgents(records: readonly AttemptRecord[]): Promise<number[]> {
  const live: number[] = [];
  for (const record of records) live.push(...(await liveMembers(record.pgid)));
  return live;
}

describe('many hosts: a worker killed with kill -9 while its agents run', () => {
  it('(a) restarted within host_loss_timeout adopts its agents: each ran exactly once, on host A', async () => {
    const crashed = await crashHostA('back-in-time', '60s', 16);
    for (const record of crashed.records) expect((await liveMembers(record.pgid)).length).toBeGreaterThan(0);
    await restartHostA(crashed);
    const ran = await crashed.running;
    const { result } = ran;

    expect(outcomeOf(ran)).toEqual(SUCCEEDED);
    const starts = agentStarts(crashed.dirs);
    expect(starts.map((start) => `${start.unitId} attempt=${start.attempt} ${start.host}`).sort()).toEqual([
      'p attempt=1 host-a',
      'q attempt=1 host-a',
    ]);
    for (const unitId of UNITS) expect(result.units[unitId]).toMatchObject({ host: 'host-a', attempts: 1 });
    expect(remoteRunProblems(crashed.dirs.remote, crashed.dirs.base, result)).toEqual([]);
    expect(await liveAgents(crashed.records)).toEqual([]);
  });

  it('(b) never restarted: host B runs the units once more, only after host_loss_timeout', async () => {
    const hostLossMs = 12_000;
    const crashed = await crashHostA('never-back', '12s', 6);
    const ran = await crashed.running;
    const { result } = ran;

    expect(outcomeOf(ran)).toEqual(SUCCEEDED);
    const starts = agentStarts(crashed.dirs);
    for (const unitId of UNITS) {
      const own = starts.filter((start) => start.unitId === unitId);
      expect(own.map((start) => `${start.host} attempt=${start.attempt}`)).toEqual([
        'host-a attempt=1',
        'host-b attempt=1',
      ]);
      // The last heartbeat came at most one interval before the crash.
      expect((own[1]?.ms ?? 0) - crashed.crashedAt).toBeGreaterThanOrEqual(
        hostLossMs - HEARTBEAT_EVERY_MS - 500,
      );
      expect(result.units[unitId]).toMatchObject({ host: 'host-b', attempts: 1 });
      const commit = result.units[unitId]?.commit ?? '';
      expect(writerOf(crashed.dirs.remote, commit, unitId, crashed.dirs.workdirs)).toBe('host-b');
    }
    expect(remoteRunProblems(crashed.dirs.remote, crashed.dirs.base, result)).toEqual([]);
  });

  it('(c) restarted after host_loss_timeout while its old agents run: it stops them and pushes nothing', async () => {
    // Agents in host A's work directory would run 120 s; host B's take 15 s.
    const crashed = await crashHostA('back-late', '6s', 30, 240);
    await waitFor('host B started both units', () =>
      agentStarts(crashed.dirs).filter((start) => start.host === 'host-b').length === 2 ? true : undefined,
    );
    expect((await liveAgents(crashed.records)).length).toBeGreaterThan(0);
    await restartHostA(crashed);
    await waitUntil(
      "host A's old agents stopped",
      async () => (await liveAgents(crashed.records)).length === 0,
    );
    const stoppedAt = Date.now();
    const ran = await crashed.running;
    const { result } = ran;

    expect(outcomeOf(ran)).toEqual(SUCCEEDED);
    const stamps = agentStamps(crashed.dirs);
    // Stopped, not ended on their own; and while the run was open (host B's agents still ran).
    expect(stamps.filter((stamp) => stamp.host === 'host-a' && stamp.kind === 'end')).toEqual([]);
    const endsOnB = stamps.filter((stamp) => stamp.host === 'host-b' && stamp.kind === 'end');
    expect(endsOnB).toHaveLength(2);
    expect(stoppedAt).toBeLessThan(Math.max(...endsOnB.map((stamp) => stamp.ms)));
    for (const unitId of UNITS) {
      expect(result.units[unitId]).toMatchObject({ host: 'host-b', attempts: 1 });
      const commit = result.units[unitId]?.commit ?? '';
      expect(writerOf(crashed.dirs.remote, commit, unitId, crashed.dirs.workdirs)).toBe('host-b');
    }
    expect(remoteRunProblems(crashed.dirs.remote, crashed.dirs.base, result)).toEqual([]);
    const refsAtEnd = refsUnder(crashed.dirs.remote, `refs/fanout/${crashed.id}/`);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(refsUnder(crashed.dirs.remote, `refs/fanout/${crashed.id}/`)).toEqual(refsAtEnd);
  });
});
