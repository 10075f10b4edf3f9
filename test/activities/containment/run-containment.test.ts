/**
 * Containment through whole runs (SPEC §8.1, §8.3) on the real dev server with a real worker:
 * the result says which confinement each unit ran under and how many processes its agent left,
 * lists the run's warnings once, and a `setsid` daemon is gone after a unit cancel and after a
 * run cancel.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { awaitResult, cancelUnit, startRun, type FanoutHandle } from '../../../src/client/fanout-client';
import type { Plan } from '../../../src/plan/types';
import { useFanoutWorker } from '../../helpers/fanout-worker';
import { testPlan, testUnit } from '../../helpers/plan-factory';
import { FAKE_AGENT } from '../../helpers/scenario-runner';
import { isLive } from '../helpers';

const fixture = useFanoutWorker('containment');
const repos: string[] = [];
const daemons: number[] = [];

afterEach(() => {
  for (const pid of daemons.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
});
afterAll(() => {
  for (const repo of repos.splice(0)) rmSync(repo, { recursive: true, force: true });
});

function freshRepo(parent = os.tmpdir()): string {
  const repo = realpathSync(mkdtempSync(path.join(parent, 'fanout-contain-')));
  repos.push(repo);
  return repo;
}

async function start(plan: Plan, repo: string): Promise<FanoutHandle> {
  const workflowId = `contain-${plan.name}-${Date.now().toString(36)}`;
  return startRun(fixture.client(), { plan, repo, taskQueue: fixture.taskQueue, workflowId });
}

/** Waits for a pid file an agent writes, and remembers the pid for the cleanup. */
async function daemonPid(file: string): Promise<number> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const pid = existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : 0;
    if (pid > 0) {
      daemons.push(pid);
      return pid;
    }
    await delay(50);
  }
  throw new Error(`no pid in ${file}`);
}

const withDaemon = (unitId: string, ...rest: string[]): string[] => [
  FAKE_AGENT,
  '--daemon',
  `src/${unitId}/daemon.pid`,
  ...rest,
];

describe('a run under confinement: landlock', () => {
  it('keeps each agent in its area and reports the mode and strays per unit', async () => {
    const repo = freshRepo();
    mkdirSync(path.join(repo, '.git'));
    const intruder = [
      FAKE_AGENT,
      '--try-touch',
      'src/b/x.txt',
      '--try-touch',
      '.git/config',
      '--artifact',
      'o.md',
    ];
    const plan = testPlan(
      [
        testUnit('a', [], { command: [...intruder, '--try-touch', 'src/a/mine.txt'] }),
        testUnit('b', [], { command: withDaemon('b', '--artifact', 'o.md') }),
      ],
      { name: 'landlock', confinement: 'landlock' },
    );
    const result = await awaitResult(await start(plan, repo));
    expect(result.status).toBe('succeeded');
    expect(result.units.a).toMatchObject({ confinement: 'landlock', stray_processes: 0 });
    expect(result.units.b).toMatchObject({ confinement: 'landlock', stray_processes: 1 });
    expect(result.warnings).toBeUndefined();
    expect(existsSync(path.join(repo, 'src/b/x.txt'))).toBe(false);
    expect(existsSync(path.join(repo, '.git/config'))).toBe(false);
    expect(existsSync(path.join(repo, 'src/a/mine.txt'))).toBe(true);
    expect(await isLive(await daemonPid(path.join(repo, 'src/b/daemon.pid')))).toBe(false);
  }, 120_000);
});

describe('a run by default on a checkout beneath $HOME', () => {
  it('is audited and lists the warning once, however many units ran', async () => {
    const repo = freshRepo(os.homedir());
    const units = ['a', 'b'].map((id) => testUnit(id, [], { command: [FAKE_AGENT, '--artifact', 'o.md'] }));
    const { confinement: _, ...byDefault } = testPlan(units, { name: 'home' });
    const result = await awaitResult(await start(byDefault, repo));
    expect(result.status).toBe('succeeded');
    expect(result.warnings).toEqual([
      `confinement: ${repo} is inside $HOME, where agents save their settings; auditing instead ` +
        '(workspace: git confines: its working trees live outside $HOME)',
    ]);
    expect(result.units.a?.confinement).toBe('audit');
  }, 120_000);
});

describe('a setsid daemon started by an agent', () => {
  it('is gone after a unit cancel', async () => {
    const repo = freshRepo();
    const plan = testPlan([testUnit('a', [], { command: withDaemon('a', '--sleep-ms', '120000') })], {
      name: 'unit-cancel',
    });
    const handle = await start(plan, repo);
    const daemon = await daemonPid(path.join(repo, 'src/a/daemon.pid'));
    expect(await isLive(daemon)).toBe(true);
    await cancelUnit(handle, 'a');
    const result = await awaitResult(handle);
    expect(result.units.a?.status).toBe('CANCELLED');
    expect(await isLive(daemon)).toBe(false);
  }, 120_000);

  it('is gone after a run cancel', async () => {
    const repo = freshRepo();
    const plan = testPlan([testUnit('a', [], { command: withDaemon('a', '--sleep-ms', '120000') })], {
      name: 'run-cancel',
    });
    const handle = await start(plan, repo);
    const daemon = await daemonPid(path.join(repo, 'src/a/daemon.pid'));
    await handle.cancel();
    expect((await awaitResult(handle)).status).toBe('cancelled');
    expect(await isLive(daemon)).toBe(false);
  }, 120_000);

  it('is gone after a failed unit, and counted', async () => {
    const repo = freshRepo();
    const plan = testPlan([testUnit('a', [], { command: withDaemon('a', '--exit', '4') })], { name: 'fail' });
    const result = await awaitResult(await start(plan, repo));
    expect(result.units.a).toMatchObject({ status: 'FAILED', stray_processes: 1, confinement: 'off' });
    expect(await isLive(await daemonPid(path.join(repo, 'src/a/daemon.pid')))).toBe(false);
  }, 120_000);
});
