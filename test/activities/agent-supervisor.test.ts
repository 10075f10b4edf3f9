/**
 * The agent supervisor (bin/agent-supervisor.js) through spawnAgent: the record before the pid, the
 * exit file for every end, spawn errors kept apart from exit codes, and the deadline backstop.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AttemptRecord, AttemptRecordTemplate } from '../../src/activities/attempt-record';
import { readAgentEnd } from '../../src/activities/exit-status';
import { spawnAgent, type SpawnOptions } from '../../src/activities/spawn-agent';
import { FAKE, groupSignalProbe, isLive, makeRepo, removeRepos, waitForPid } from './helpers';

const groups: number[] = [];
afterEach(() => {
  for (const pgid of groups.splice(0)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});
afterAll(removeRepos);

function options(repo: string, deadlineMs = Date.now() + 60_000): SpawnOptions {
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
  };
}

describe('spawnAgent through the supervisor', () => {
  it('writes the attempt record with the agent pid and start time before it returns', async () => {
    const repo = await makeRepo();
    const opts = options(repo);
    const spawned = await spawnAgent(spawn, [FAKE, '--pid-file', 'agent.pid', '--sleep-ms', '300'], opts);
    if (!spawned.ok) throw spawned.error;
    groups.push(spawned.agent.pgid);
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

  it('records a signal death in the exit file as the signal, not as an exit code', async () => {
    const repo = await makeRepo();
    const opts = options(repo);
    const spawned = await spawnAgent(spawn, [FAKE, '--kill-self', 'TERM'], opts);
    if (!spawned.ok) throw spawned.error;
    expect(await spawned.agent.exited).toBe(-15);
    expect(JSON.parse(await readFile(opts.record.exitPath, 'utf8'))).toMatchObject({
      code: null,
      signal: 'SIGTERM',
    });
  });

  it('reports a missing binary as a spawn error, not as an exit code', async () => {
    const repo = await makeRepo();
    const opts = options(repo);
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
    const opts = options(repo, Date.now() + 500);
    const spawned = await spawnAgent(
      spawn,
      [FAKE, '--ignore-term', '--spawn-grandchild', 'child.pid', '--sleep-ms', '30000'],
      opts,
    );
    if (!spawned.ok) throw spawned.error;
    groups.push(spawned.agent.pgid);
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
