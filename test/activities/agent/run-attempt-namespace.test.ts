import { mkdir, readFile, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  FAKE,
  attemptInput,
  expectAgentFailure,
  makeRepo,
  reapGroups,
  removeRepos,
  runAttempt,
  settings,
  unit,
} from '../helpers';

afterEach(reapGroups);
afterAll(removeRepos);

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

describe('runAgentAttempt namespace (SPEC §4.1)', () => {
  const description = 'Write the greeting module.\nKeep it short.';
  const greeting = unit('a', { description, allowedDirectories: ['src/greeting'], stepIds: ['S-1', 'S-2'] });
  const command = [FAKE, '--say', 'hello from a', '--say-err', 'warning from a', '--artifact', 'result.md'];

  it('creates the four directories, the prompt file and the manifest before the agent runs', async () => {
    const repo = await makeRepo();
    await runAttempt(attemptInput(repo, greeting, settings(command)));
    const ns = join(repo, '.agent/workers/a');
    for (const dir of ['artifacts', 'tmp', 'logs', 'handoffs'])
      expect(await exists(join(ns, dir))).toBe(true);
    expect(await readFile(join(ns, 'tmp/prompt.md'), 'utf8')).toBe(description);
    expect(JSON.parse(await readFile(join(ns, 'worker-manifest.json'), 'utf8'))).toEqual({
      run_id: 'fanout-test-run',
      unit_id: 'a',
      description,
      allowed_directories: ['src/greeting'],
      step_ids: ['S-1', 'S-2'],
      attempt: 1,
      repo_root: repo,
      namespace: ns,
      artifact_dir: join(ns, 'artifacts'),
      tmp_dir: join(ns, 'tmp'),
      logs_dir: join(ns, 'logs'),
      handoffs_dir: join(ns, 'handoffs'),
      prompt_file: join(ns, 'tmp/prompt.md'),
      log_file: join(ns, 'logs/attempt-1.log'),
    });
  });

  it('merges stdout and stderr into logs/attempt-<n>.log, one log per attempt', async () => {
    const repo = await makeRepo();
    await runAttempt(attemptInput(repo, greeting, settings(command), 1));
    await runAttempt(
      attemptInput(repo, greeting, settings([FAKE, '--say', 'second try', '--artifact', 'x.md']), 2),
    );
    const logs = join(repo, '.agent/workers/a/logs');
    expect(await readFile(join(logs, 'attempt-1.log'), 'utf8')).toBe('hello from a\nwarning from a\n');
    expect(await readFile(join(logs, 'attempt-2.log'), 'utf8')).toBe('second try\n');
  });

  it('writes an attempt record with pid, process group, process start time and log path', async () => {
    const repo = await makeRepo();
    const result = await runAttempt(attemptInput(repo, greeting, settings(command)));
    const record = JSON.parse(
      await readFile(join(repo, '.agent/workers/a/logs/attempt-1.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(record).toMatchObject({
      version: 1,
      attempt: 1,
      logPath: result.logPath,
      startedAt: result.startedAt,
      logOffset: 0,
    });
    expect(record.pgid).toBe(record.pid);
    expect(typeof record.pid).toBe('number');
    expect(record.processStartTicks).toMatch(/^\d+$/);
  });
});

describe('runAgentAttempt symlink escape (SPEC §7.10)', () => {
  it('fails a unit whose allowed directory is a symlink out of the repo, before creating its namespace', async () => {
    const repo = await makeRepo();
    await symlink('..', join(repo, 'outside'));
    await expectAgentFailure(
      runAttempt(
        attemptInput(
          repo,
          unit('a', { allowedDirectories: ['outside'] }),
          settings([FAKE, '--artifact', 'out.md']),
        ),
      ),
      'DirectoryEscape',
      `allowed_directory 'outside' escapes repo_root ${repo}`,
      1,
    );
    expect(await exists(join(repo, '.agent/workers/a'))).toBe(false);
  });

  it('follows the longest existing prefix: a missing directory below an escaping link escapes too', async () => {
    const repo = await makeRepo();
    await mkdir(join(repo, 'src'));
    await symlink('/tmp', join(repo, 'src/tmp-link'));
    await expectAgentFailure(
      runAttempt(
        attemptInput(
          repo,
          unit('a', { allowedDirectories: ['src/ok', 'src/tmp-link/not/yet'] }),
          settings([FAKE]),
        ),
      ),
      'DirectoryEscape',
      `allowed_directory 'src/tmp-link/not/yet' escapes repo_root ${repo}`,
      1,
    );
  });

  it('follows a dangling symlink to where it points', async () => {
    const repo = await makeRepo();
    await symlink('/nonexistent-fanout-target/x', join(repo, 'dangling'));
    await expectAgentFailure(
      runAttempt(attemptInput(repo, unit('a', { allowedDirectories: ['dangling/sub'] }), settings([FAKE]))),
      'DirectoryEscape',
      `allowed_directory 'dangling/sub' escapes repo_root ${repo}`,
      1,
    );
  });

  it('accepts missing directories and symlinks that stay inside the repo', async () => {
    const repo = await makeRepo();
    await mkdir(join(repo, 'real'));
    await symlink('real', join(repo, 'alias'));
    const result = await runAttempt(
      attemptInput(
        repo,
        unit('a', { allowedDirectories: ['alias/x', 'not/there/yet', './src'] }),
        settings([FAKE, '--artifact', 'o.md']),
      ),
    );
    expect(result.artifacts).toHaveLength(1);
    expect(await exists(join(repo, 'not'))).toBe(false); // allowed directories are not created
  });
});
