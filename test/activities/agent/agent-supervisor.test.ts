/**
 * The agent supervisors (bin/agent-supervisor.pl, and bin/agent-supervisor.js where no perl runs)
 * through spawnAgent, each held to the same contract: the record before the pid, the exit file for
 * every end, spawn errors kept apart from exit codes, and the deadline backstop.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AttemptRecord, AttemptRecordTemplate } from '../../../src/activities/agent/attempt-record';
import { readAgentEnd } from '../../../src/activities/agent/exit-status';
import type { SpawnOptions, SupervisorKind } from '../../../src/activities/agent/agent-process';
import { perlSupervisor, PERL_SUPERVISOR_PATH } from '../../../src/activities/agent/perl-supervisor';
import { spawnAgent } from '../../../src/activities/agent/spawn-agent';
import {
  expectOnlyStdio,
  FAKE,
  groupSignalProbe,
  reapGroups,
  trackGroup,
  isLive,
  makeRepo,
  removeRepos,
  waitForPid,
  writeOwnDescriptorsTo,
} from '../helpers';

afterEach(reapGroups);
afterAll(removeRepos);

function options(repo: string, supervisor: SupervisorKind, deadlineMs = Date.now() + 60_000): SpawnOptions {
  const record: AttemptRecordTemplate = {
    version: 1,
    attempt: 1,
    argv: [],
    logPath: join(repo, 'agent.log'),
    logOffset: 0,
    startedAt: new Date().toISOString(),
    startedAtMs: Date.now(),
    artifactsBefore: {},
    launchId: `launch-${Date.now()}`,
    owner: { workflowId: 'w', workflowRunId: 'r', activityId: '1' },
    bootId: null,
    pidNamespace: null,
    worker: 'test',
    exitPath: join(repo, 'exit.json'),
  };
  return {
    cwd: repo,
    env: { PATH: process.env.PATH ?? '' },
    logPath: record.logPath,
    recordPath: join(repo, 'record.json'),
    record,
    deadlineMs,
    graceMs: 300,
    supervisor,
  };
}

describe('the supervisor spawnAgent picks', () => {
  it('is the Perl one on this host, and the Perl supervisor compiles under strict and warnings', async () => {
    expect(await perlSupervisor()).not.toBeNull();
    const source = await readFile(PERL_SUPERVISOR_PATH, 'utf8');
    const check = spawnSync('perl', ['-c', '-'], {
      input: `use strict; use warnings;\n${source}`,
      encoding: 'utf8',
    });
    expect(check.stderr.trim()).toBe('- syntax OK');
  });

  it('does nothing when the worker died before it sent the whole launch spec', async () => {
    const perl = await perlSupervisor();
    if (perl === null) throw new Error('no perl');
    const cut = spawnSync(perl.perl, [PERL_SUPERVISOR_PATH], {
      input: 'agent-fanout-supervisor/2\0/nonexistent/record.json',
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      env: {},
    });
    expect([cut.status, cut.stdout.length, cut.stderr.length]).toEqual([0, 0, 0]);
  });

  it('reports a NUL in an argument as Node does, through the Node supervisor', async () => {
    const repo = await makeRepo();
    const opts = { ...options(repo, 'perl'), supervisor: undefined };
    const spawned = await spawnAgent(spawn, [FAKE, 'a\0b'], opts);
    expect(spawned.ok).toBe(false);
    if (spawned.ok) return;
    expect(spawned.error.code).toBe('ERR_INVALID_ARG_VALUE');
    expect(await readAgentEnd(opts.record.exitPath, opts.record.launchId)).toMatchObject({
      kind: 'spawn-error',
      code: 'ERR_INVALID_ARG_VALUE',
    });
  });
});

describe.each<SupervisorKind>(['perl', 'node'])('spawnAgent through the %s supervisor', (supervisor) => {
  it('writes the attempt record with the agent pid and start time before it returns', async () => {
    const repo = await makeRepo();
    const opts = options(repo, supervisor);
    const spawned = await spawnAgent(spawn, [FAKE, '--pid-file', 'agent.pid', '--sleep-ms', '300'], opts);
    if (!spawned.ok) throw spawned.error;
    trackGroup(spawned.agent.pgid);
    const record = JSON.parse(await readFile(opts.recordPath, 'utf8')) as AttemptRecord;
    expect(record).toMatchObject({
      pid: spawned.agent.pid,
      pgid: spawned.agent.pid,
      launchId: opts.record.launchId,
    });
    expect(record.processStartTicks).toMatch(/^\d+$/);
    expect(record.supervisorPid).not.toBe(record.pid);
    expect(await waitForPid(join(repo, 'agent.pid'))).toBe(spawned.agent.pid);
    expect(await spawned.agent.exited).toBe(0);
  });

  // A real-time signal has no Node name: it is recorded by its number.
  it.each([
    ['TERM', -15, 'SIGTERM'],
    ['RTMIN+2', -36, 36],
  ])(
    'records a death by SIG%s in the exit file as the signal, not as an exit code',
    async (signal, exitCode, recorded) => {
      const repo = await makeRepo();
      const opts = options(repo, supervisor);
      const spawned = await spawnAgent(spawn, [FAKE, '--kill-self', signal], opts);
      if (!spawned.ok) throw spawned.error;
      expect(await spawned.agent.exited).toBe(exitCode);
      expect(JSON.parse(await readFile(opts.record.exitPath, 'utf8'))).toMatchObject({
        code: null,
        signal: recorded,
      });
    },
  );

  it('tells an exit code of 143 from a death by SIGTERM', async () => {
    const repo = await makeRepo();
    const opts = options(repo, supervisor);
    const spawned = await spawnAgent(spawn, [FAKE, '--exit', '143'], opts);
    if (!spawned.ok) throw spawned.error;
    expect(await spawned.agent.exited).toBe(143);
    expect(JSON.parse(await readFile(opts.record.exitPath, 'utf8'))).toMatchObject({
      code: 143,
      signal: null,
    });
  });

  it('starts the agent as its own session and group leader, with exactly the given environment', async () => {
    const repo = await makeRepo();
    const opts = { ...options(repo, supervisor), env: { PATH: '/usr/bin:/bin', ODD: 'a=b "c"\nü' } };
    const script =
      'read -r _ _ _ _ pgid sid _ < /proc/$$/stat; echo "group=$((pgid == $$)) session=$((sid == $$))"; ' +
      'grep -E "^Sig(Ign|Blk):" /proc/self/status; ' +
      'for fd in 3 4 5 6 7 8 9; do [ -e /proc/$$/fd/$fd ] && echo "fd $fd leaked"; done; ' +
      'readlink /proc/$$/fd/0; pwd; env -0 | sort -z | tr "\\0" "|"';
    const spawned = await spawnAgent(spawn, ['/bin/bash', '-c', script], opts);
    if (!spawned.ok) throw spawned.error;
    expect(await spawned.agent.exited).toBe(0);
    const log = await readFile(opts.logPath, 'utf8');
    expect(log).toContain('group=1 session=1\n');
    // Nothing ignored (the supervisor ignores SIGPIPE itself) or blocked, as Node leaves a child.
    expect(log).toContain('SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n');
    expect(log).not.toContain('leaked');
    expect(log).toContain(`/dev/null\n${repo}\n`);
    // bash adds PWD, SHLVL and _ to what it was given.
    expect(log).toContain('ODD=a=b "c"\nü|PATH=/usr/bin:/bin|PWD=');
  });

  it('passes the agent nothing the worker inherited without close-on-exec', async () => {
    const repo = await makeRepo();
    const opts = options(repo, supervisor);
    // The supervisor starts with fd 7 open and not close-on-exec, as a worker's parent can leave one.
    const leaky = ((command: string, args: readonly string[], spawnOptions: Parameters<typeof spawn>[2]) =>
      spawn(
        '/bin/sh',
        ['-c', 'exec 7</dev/null; exec "$@"', 'sh', command, ...args],
        spawnOptions,
      )) as typeof spawn;
    const spawned = await spawnAgent(leaky, ['/bin/sh', '-c', writeOwnDescriptorsTo('fds.txt')], opts);
    if (!spawned.ok) throw spawned.error;
    expect(await spawned.agent.exited).toBe(0);
    await expectOnlyStdio(join(repo, 'fds.txt'), opts.logPath);
  });

  it('reports a missing binary as a spawn error, not as an exit code', async () => {
    const repo = await makeRepo();
    const opts = options(repo, supervisor);
    const spawned = await spawnAgent(spawn, ['no-such-agent-cli-7f3a'], opts);
    expect(spawned.ok).toBe(false);
    if (spawned.ok) return;
    expect(spawned.error.code).toBe('ENOENT');
    expect(await readAgentEnd(opts.record.exitPath, opts.record.launchId)).toMatchObject({
      kind: 'spawn-error',
      code: 'ENOENT',
    });
  });

  it('stops an agent nobody stopped once it runs past its deadline, whole group included', async () => {
    const repo = await makeRepo();
    const opts = options(repo, supervisor, Date.now() + 500);
    const spawned = await spawnAgent(
      spawn,
      [FAKE, '--ignore-term', '--spawn-grandchild', 'child.pid', '--sleep-ms', '30000'],
      opts,
    );
    if (!spawned.ok) throw spawned.error;
    trackGroup(spawned.agent.pgid);
    spawned.agent.detach(); // as a worker that went away would
    const child = await waitForPid(join(repo, 'child.pid'));
    expect(await spawned.agent.exited).toBe(-9);
    expect(await readAgentEnd(opts.record.exitPath, opts.record.launchId)).toMatchObject({
      kind: 'exited',
      exitCode: -9,
      stoppedAtDeadline: true,
    });
    expect(await isLive(child)).toBe(false);
    expect(await groupSignalProbe(spawned.agent.pgid)).toBe('ESRCH');
  });
});
