/**
 * Landlock confinement (SPEC §8.1), with a real kernel's Landlock and the real Perl supervisor:
 * inside the repo the agent writes only its area, its namespace and `agent.writable`; `.git`, the
 * repo root and a sibling's area refuse it (EACCES in the agent, which goes on); outside the repo
 * it writes as before.
 */

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { AttemptRecordTemplate } from '../../../src/activities/agent/attempt-record';
import { openFlagsField } from '../../../src/activities/containment/landlock-spec';
import { readAgentEnd } from '../../../src/activities/agent/exit-status';
import {
  PERL_SUPERVISOR_PATH,
  perlSpec,
  perlSupervisor,
} from '../../../src/activities/agent/perl-supervisor';
import {
  FAKE,
  attemptInput,
  expectOnlyStdio,
  makeRepo,
  reapGroups,
  removeRepos,
  runAttempt,
  settings,
  unit,
  writeOwnDescriptorsTo,
} from '../helpers';

afterEach(reapGroups);
afterAll(removeRepos);

describe('an agent under confinement: landlock', () => {
  it('cannot write into a sibling area, the repo root or .git, and can write its own area and outside', async () => {
    const repo = await makeRepo();
    await mkdir(join(repo, '.git', 'hooks'), { recursive: true });
    const outside = await mkdtemp(join(tmpdir(), 'fanout-outside-'));
    const command = [
      FAKE,
      '--try-touch',
      'src/b/stolen.txt',
      '--try-touch',
      'root.txt',
      '--try-touch',
      '.git/hooks/pre-commit',
      '--try-touch',
      'docs/shared.md',
      '--try-touch',
      'src/a/mine.txt',
      '--try-touch',
      `${outside}/elsewhere.txt`,
      '--env-dump',
      'src/a/env.txt',
      '--artifact',
      'out.md',
    ];
    await mkdir(join(repo, 'src', 'b'), { recursive: true });
    await mkdir(join(repo, 'docs')); // a rule holds only a path that exists
    const success = await runAttempt(
      attemptInput(repo, unit('a'), settings(command, { confinement: 'landlock', writable: ['docs'] })),
    );
    expect(success.containment).toMatchObject({ confinement: 'landlock', strayProcesses: 0 });
    expect(success.containment?.warning).toBeUndefined();
    for (const refused of ['src/b/stolen.txt', 'root.txt', '.git/hooks/pre-commit'])
      expect([refused, existsSync(join(repo, refused))]).toEqual([refused, false]);
    for (const written of ['src/a/mine.txt', 'docs/shared.md'])
      expect([written, existsSync(join(repo, written))]).toEqual([written, true]);
    expect(existsSync(join(outside, 'elsewhere.txt'))).toBe(true);
    const log = await readFile(success.logPath, 'utf8');
    expect(log).toContain('denied src/b/stolen.txt');
    expect(log).toContain('denied .git/hooks/pre-commit');
    await rm(outside, { recursive: true, force: true });
  });

  it('creates missing allowed directories and gives the agent its namespace tmp/ as TMPDIR', async () => {
    const repo = await makeRepo();
    const script = 'echo "$TMPDIR" > src/a/deep/tmpdir.txt && echo ok > "$FANOUT_ARTIFACT_DIR/out.md"';
    const command = ['/bin/sh', '-c', `mkdir -p src/a/deep && ${script}`];
    const success = await runAttempt(
      attemptInput(repo, unit('a'), settings(command, { confinement: 'landlock' })),
    );
    expect(success.containment?.confinement).toBe('landlock');
    expect((await readFile(join(repo, 'src/a/deep/tmpdir.txt'), 'utf8')).trim()).toBe(
      join(repo, '.agent/workers/a/tmp'),
    );
  });

  it('gives the agent only its stdio: no ruleset, nothing the worker or its parent left open', async () => {
    const repo = await makeRepo();
    const command = [
      '/bin/sh',
      '-c',
      `mkdir -p src/a && ${writeOwnDescriptorsTo('src/a/fds.txt')} && echo ok > "$FANOUT_ARTIFACT_DIR/out.md"`,
    ];
    const success = await runAttempt(
      attemptInput(repo, unit('a'), settings(command, { confinement: 'landlock' })),
    );
    expect(success.containment?.confinement).toBe('landlock');
    await expectOnlyStdio(join(repo, 'src/a/fds.txt'), success.logPath);
  });

  it('lets the agent write beside the repo where a folder appeared after an earlier launch listed it', async () => {
    const base = await realpath(await mkdtemp(join(tmpdir(), 'fanout-beside-')));
    const repo = join(base, 'repo');
    await mkdir(join(repo, 'src', 'a'), { recursive: true });
    await mkdir(join(base, 'old'));
    // Unchanged for 2 s, the folder's listing is kept by the launcher from the next launch on.
    await delay(2100);
    const touch = (file: string): string[] => [FAKE, '--try-touch', file, '--artifact', 'out.md'];
    const landlock = { confinement: 'landlock' as const };
    await runAttempt(attemptInput(repo, unit('a'), settings(touch(`${base}/old/one.txt`), landlock)));
    expect(existsSync(join(base, 'old', 'one.txt'))).toBe(true);
    await mkdir(join(base, 'new'));
    await runAttempt(attemptInput(repo, unit('a'), settings(touch(`${base}/new/two.txt`), landlock), 2));
    expect(existsSync(join(base, 'new', 'two.txt'))).toBe(true);
    await rm(base, { recursive: true, force: true });
  });

  it('confines by default (the plan said nothing) a checkout outside $HOME', async () => {
    const repo = await makeRepo();
    const command = [FAKE, '--try-touch', 'root.txt', '--artifact', 'out.md'];
    const success = await runAttempt(
      attemptInput(repo, unit('a'), settings(command, { confinement: undefined })),
    );
    expect(success.containment?.confinement).toBe('landlock');
    expect(existsSync(join(repo, 'root.txt'))).toBe(false);
  });

  it('confines nothing under audit and off, and says which mode the attempt ran under', async () => {
    for (const mode of ['audit', 'off'] as const) {
      const repo = await makeRepo();
      const command = [FAKE, '--try-touch', 'root.txt', '--artifact', 'out.md'];
      const success = await runAttempt(
        attemptInput(repo, unit('a'), settings(command, { confinement: mode })),
      );
      expect([mode, success.containment?.confinement, existsSync(join(repo, 'root.txt'))]).toEqual([
        mode,
        mode,
        true,
      ]);
    }
  });
});

describe('a Landlock failure at the start', () => {
  it('fails the launch with a clear start error and never runs the agent unconfined', async () => {
    const perl = await perlSupervisor();
    if (perl === null) throw new Error('no perl');
    const repo = await makeRepo();
    const record: AttemptRecordTemplate = {
      version: 1,
      attempt: 1,
      argv: [],
      logPath: join(repo, 'agent.log'),
      logOffset: 0,
      startedAt: new Date().toISOString(),
      startedAtMs: Date.now(),
      artifactsBefore: {},
      launchId: 'landlock-refused',
      owner: { workflowId: 'w', workflowRunId: 'r', activityId: 'a' },
      bootId: null,
      pidNamespace: null,
      worker: 'test',
      exitPath: join(repo, 'agent.exit.json'),
    };
    // A syscall number no kernel has stands for a kernel that refuses Landlock.
    const syscalls = { ...perl.syscalls, landlockCreateRuleset: 9999 };
    const spec = perlSpec(syscalls, [FAKE, '--touch', 'ran.txt'], {
      cwd: repo,
      env: { PATH: process.env.PATH ?? '' },
      logPath: record.logPath,
      recordPath: join(repo, 'agent.record.json'),
      record,
      deadlineMs: Date.now() + 60_000,
      graceMs: 300,
      landlock: { writable: [repo], readOnly: [] },
    });
    if (spec === null) throw new Error('no spec');
    const launcher = spawn(
      perl.perl,
      [PERL_SUPERVISOR_PATH, '--launcher', String(perl.syscalls.setsid), openFlagsField()],
      { cwd: '/', env: {}, stdio: ['pipe', 'ignore', 'pipe', 'pipe'] },
    );
    let replies = '';
    launcher.stdio[3]?.on('data', (chunk: Buffer) => (replies += chunk.toString()));
    const exited = new Promise((resolve) => launcher.once('exit', resolve));
    const body = Buffer.concat([Buffer.from(`${record.logPath}\0`), spec]);
    launcher.stdin?.end(Buffer.concat([Buffer.from(`7 ${body.length}\n`), body]));
    await exited;
    const deadline = Date.now() + 10_000;
    while (!replies.includes('spawn-error') && Date.now() < deadline) await delay(50);

    const message =
      'landlock: landlock is not available (Function not implemented); the agent was not started';
    expect(replies).toContain(`7 spawn-error {"code":null,"message":"${message}"}`);
    expect(await readAgentEnd(record.exitPath, record.launchId)).toEqual({
      kind: 'spawn-error',
      code: null,
      message,
    });
    expect(existsSync(join(repo, 'ran.txt'))).toBe(false);
  });
});
