/**
 * Landlock confinement (SPEC §8.1), with a real kernel's Landlock and the real Perl supervisor:
 * inside the repo the agent writes only its area, its namespace and `agent.writable`; `.git`, the
 * repo root and a sibling's area refuse it (EACCES in the agent, which goes on); outside the repo
 * it writes as before.
 */

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FAKE,
  attemptInput,
  makeRepo,
  reapGroups,
  removeRepos,
  runAttempt,
  settings,
  unit,
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
