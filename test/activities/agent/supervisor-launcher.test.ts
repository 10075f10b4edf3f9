/**
 * The Perl supervisor's launcher (bin/agent-supervisor.pl --launcher, src/activities/agent/supervisor-
 * launcher.ts): many launches through one process, each answered and reaped under its own tag;
 * agents that outlive a launcher that died, and a new launcher for the next launch; a launcher
 * that goes when its owner goes, leaving the supervisors it started running; and an owner process
 * that is never kept alive by an agent it detached from.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { AttemptRecord, AttemptRecordTemplate } from '../../../src/activities/agent/attempt-record';
import { openFlagsField } from '../../../src/activities/containment/landlock-spec';
import { readAgentEnd } from '../../../src/activities/agent/exit-status';
import type { SpawnFn, SpawnOptions } from '../../../src/activities/agent/agent-process';
import {
  launcherPid,
  perlSpec,
  perlSupervisor,
  PERL_SUPERVISOR_PATH,
} from '../../../src/activities/agent/perl-supervisor';
import { spawnAgent } from '../../../src/activities/agent/spawn-agent';
import { PROJECT_ROOT } from '../../helpers/scenario-runner';
import { requireBuiltCli } from '../../client/helpers/built-cli';
import {
  expectOnlyStdio,
  FAKE,
  isLive,
  makeRepo,
  reapGroups,
  removeRepos,
  trackGroup,
  waitForPid,
  writeOwnDescriptorsTo,
} from '../helpers';

afterEach(reapGroups);
afterAll(removeRepos);

let launchCount = 0;

function options(repo: string, name: string): SpawnOptions {
  const record: AttemptRecordTemplate = {
    version: 1,
    attempt: 1,
    argv: [],
    logPath: join(repo, `${name}.log`),
    logOffset: 0,
    startedAt: new Date().toISOString(),
    startedAtMs: Date.now(),
    artifactsBefore: {},
    launchId: `launch-${name}-${++launchCount}`,
    owner: { workflowId: 'w', workflowRunId: 'r', activityId: name },
    bootId: null,
    pidNamespace: null,
    worker: 'test',
    exitPath: join(repo, `${name}.exit.json`),
  };
  return {
    cwd: repo,
    env: { PATH: process.env.PATH ?? '' },
    logPath: record.logPath,
    recordPath: join(repo, `${name}.record.json`),
    record,
    deadlineMs: Date.now() + 60_000,
    graceMs: 300,
    supervisor: 'perl',
  };
}

/** A spawn function of this test's own, so it gets a launcher of its own (launchers are per spawn). */
function ownSpawn(): SpawnFn {
  return ((...args: Parameters<SpawnFn>) => spawn(...args)) as SpawnFn;
}

async function waitUntil(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await delay(25);
  }
}

describe('the supervisor launcher', () => {
  it('starts many agents at once through one launcher, each answered and ended under its own tag', async () => {
    const repo = await makeRepo();
    const spawnFn = ownSpawn();
    const launches = await Promise.all(
      Array.from({ length: 24 }, async (_, i) => {
        const opts = options(repo, `u${i}`);
        const spawned = await spawnAgent(
          spawnFn,
          [FAKE, '--sleep-ms', String(20 * (i % 5)), '--exit', String(i)],
          opts,
        );
        if (!spawned.ok) throw spawned.error;
        trackGroup(spawned.agent.pgid);
        return { i, opts, agent: spawned.agent };
      }),
    );
    const pid = launcherPid(spawnFn);
    expect(pid).toBeDefined();
    expect(new Set(launches.map(({ agent }) => agent.pid)).size).toBe(24);
    for (const { i, opts, agent } of launches) {
      expect(await agent.exited).toBe(i);
      const record = JSON.parse(await readFile(opts.recordPath, 'utf8')) as AttemptRecord;
      expect(record).toMatchObject({ pid: agent.pid, launchId: opts.record.launchId });
      // Each supervisor is a child of the launcher, in a session of its own.
      expect(record.supervisorPid).not.toBe(pid);
    }
    expect(launcherPid(spawnFn)).toBe(pid);
    // The launcher leads its own group: a Ctrl-C on the worker's terminal does not reach it.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    expect(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2])).toBe(pid);
  });

  it('keeps following agents when the launcher dies, and starts a new launcher for the next launch', async () => {
    const repo = await makeRepo();
    const spawnFn = ownSpawn();
    const opts = options(repo, 'long');
    const spawned = await spawnAgent(
      spawnFn,
      [FAKE, '--pid-file', 'long.pid', '--sleep-ms', '1500', '--exit', '7'],
      opts,
    );
    if (!spawned.ok) throw spawned.error;
    trackGroup(spawned.agent.pgid);
    await waitForPid(join(repo, 'long.pid'));
    const first = launcherPid(spawnFn);
    if (first === undefined) throw new Error('no launcher');
    process.kill(first, 'SIGKILL');
    await waitUntil(() => launcherPid(spawnFn) === undefined, 'the launcher is known dead');

    expect(await isLive(spawned.agent.pid)).toBe(true);
    expect(await spawned.agent.exited).toBe(7);
    expect(await readAgentEnd(opts.record.exitPath, opts.record.launchId)).toMatchObject({
      kind: 'exited',
      exitCode: 7,
    });

    const next = await spawnAgent(spawnFn, [FAKE, '--exit', '3'], options(repo, 'next'));
    if (!next.ok) throw next.error;
    trackGroup(next.agent.pgid);
    expect(await next.agent.exited).toBe(3);
    expect(launcherPid(spawnFn)).not.toBe(first);
  });

  it('exits at the end of its stdin and leaves the supervisors it started running', async () => {
    const perl = await perlSupervisor();
    if (perl === null) throw new Error('no perl');
    const repo = await makeRepo();
    const opts = options(repo, 'orphan');
    const launcher = spawn(
      perl.perl,
      [PERL_SUPERVISOR_PATH, '--launcher', String(perl.syscalls.setsid), openFlagsField()],
      {
        cwd: '/',
        env: {},
        stdio: ['pipe', 'ignore', 'pipe', 'pipe'],
      },
    );
    const launcherExit = new Promise<number | null>((resolve) => launcher.once('exit', resolve));
    let replies = '';
    launcher.stdio[3]?.on('data', (chunk: Buffer) => (replies += chunk.toString()));
    const argv = [FAKE, '--pid-file', 'orphan.pid', '--sleep-ms', '800', '--exit', '5'];
    const spec = perlSpec(perl.syscalls, argv, opts);
    if (spec === null) throw new Error('no spec');
    const body = Buffer.concat([Buffer.from(`${opts.logPath}\0`), spec]);
    launcher.stdin?.end(Buffer.concat([Buffer.from(`41 ${body.length}\n`), body]));

    expect(await launcherExit).toBe(0);
    const agentPid = await waitForPid(join(repo, 'orphan.pid'));
    trackGroup(agentPid);
    await waitUntil(() => /^41 started \d+$/m.test(replies), 'the supervisor answered');
    expect(replies).toMatch(new RegExp(`^41 started ${agentPid}$`, 'm'));
    await waitUntil(() => existsSync(opts.record.exitPath), 'the orphaned supervisor recorded the end');
    expect(await readAgentEnd(opts.record.exitPath, opts.record.launchId)).toMatchObject({
      kind: 'exited',
      exitCode: 5,
    });
  });

  it('notices every end even when no SIGCHLD handler ever runs (a lost wake-up)', async () => {
    // The launcher (and so every supervisor it forks) starts with SIGCHLD blocked: its handlers
    // never run, as when a signal lands just before select(). Only the bounded waits notice ends.
    const spawnFn = ((command: string, args: readonly string[], spawnOptions: object) =>
      spawn(
        'perl',
        [
          '-MPOSIX',
          '-e',
          'sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGCHLD)) or die; exec @ARGV',
          command,
          ...args,
        ],
        spawnOptions,
      )) as unknown as SpawnFn;
    const repo = await makeRepo();
    for (const [i, code] of [4, 0, 9].entries()) {
      const spawned = await spawnAgent(spawnFn, [FAKE, '--exit', String(code)], options(repo, `blocked${i}`));
      if (!spawned.ok) throw spawned.error;
      trackGroup(spawned.agent.pgid);
      expect(await spawned.agent.exited).toBe(code);
    }
    const launcher = launcherPid(spawnFn);
    if (launcher === undefined) throw new Error('no launcher');
    const status = readFileSync(`/proc/${launcher}/status`, 'utf8');
    // SIGCHLD (17) is bit 16 of the blocked mask: the test really ran without handlers.
    expect(BigInt(`0x${/^SigBlk:\s*(\w+)$/m.exec(status)?.[1] ?? '0'}`) & (1n << 16n)).toBe(1n << 16n);
  }, 15_000);

  it('passes nothing its owner left open to the supervisors and agents: they get only their stdio', async () => {
    const repo = await makeRepo();
    // An owner whose launcher inherits one more descriptor (fd 4, a pipe without close-on-exec), as
    // a worker does from a parent that left one open.
    const spawnFn = ((command: string, args: readonly string[], opts: Parameters<SpawnFn>[2]) =>
      spawn(command, args, { ...opts, stdio: [...(opts.stdio as unknown[]), 'pipe'] as never })) as SpawnFn;
    const opts = options(repo, 'fds');
    const spawned = await spawnAgent(spawnFn, ['/bin/sh', '-c', writeOwnDescriptorsTo('fds.txt')], opts);
    if (!spawned.ok) throw spawned.error;
    trackGroup(spawned.agent.pgid);
    expect(await spawned.agent.exited).toBe(0);
    await expectOnlyStdio(join(repo, 'fds.txt'), opts.logPath);
  });

  it('refuses what is not a request header, starting nothing', async () => {
    const perl = await perlSupervisor();
    if (perl === null) throw new Error('no perl');
    const launcher = spawn(
      perl.perl,
      [PERL_SUPERVISOR_PATH, '--launcher', String(perl.syscalls.setsid), openFlagsField()],
      {
        env: {},
        stdio: ['pipe', 'ignore', 'pipe', 'pipe'],
      },
    );
    const exit = new Promise<number | null>((resolve) => launcher.once('exit', resolve));
    launcher.stdin?.write('hello launcher\n');
    expect(await exit).toBe(2);
  });

  it('never keeps its owner process alive for an agent the owner detached from', async () => {
    requireBuiltCli();
    const repo = await makeRepo();
    const opts = options(repo, 'detached');
    // The compiled spawnAgent in a process of its own, which must end by itself once it detached.
    const script = `
      const { spawn } = require('node:child_process');
      const { spawnAgent } = require(${JSON.stringify(join(PROJECT_ROOT, 'dist', 'activities', 'agent', 'spawn-agent.js'))});
      const opts = JSON.parse(process.argv[1]);
      spawnAgent(spawn, ${JSON.stringify([FAKE, '--pid-file', 'detached.pid', '--sleep-ms', '30000'])}, opts).then((s) => {
        if (!s.ok) throw s.error;
        s.agent.detach();
        console.log('detached ' + s.agent.pid);
      });`;
    const owner = spawn(process.execPath, ['-e', script, JSON.stringify(opts)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    owner.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        owner.kill('SIGKILL');
        resolve(null);
      }, 20_000);
      owner.once('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    const agentPid = await waitForPid(join(repo, 'detached.pid'));
    trackGroup(agentPid);
    expect(code).toBe(0);
    expect(out).toBe(`detached ${agentPid}\n`);
    // The agent goes on without its owner, for another worker to adopt.
    expect(await isLive(agentPid)).toBe(true);
  });
});
