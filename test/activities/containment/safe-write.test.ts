/** SPEC §8.4: nothing agent-fanout writes follows a symbolic link; evidence is read without following one. */
import { ApplicationFailure } from '@temporalio/common';
import { mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { createActivities } from '../../../src/activities';
import { writeFileNoFollow } from '../../../src/activities/containment/safe-write';
import {
  FAKE,
  FAKE_ARTIFACT_SHA256,
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

const linkText = (path: string): string =>
  `'${path}' is a symbolic link; agent-fanout does not write through links. Remove it and retry.`;

/** A repo and, beside it, a folder outside it holding `victim.txt`. */
async function repoAndOutside(): Promise<{ repo: string; outside: string; victim: string }> {
  const repo = await makeRepo();
  const outside = await makeRepo();
  const victim = join(outside, 'victim.txt');
  await writeFile(victim, 'untouched\n');
  return { repo, outside, victim };
}

const agent = settings([FAKE, '--say', 'ran', '--artifact', 'out.md']);

describe('runAgentAttempt refuses to write through links (SPEC §8.4)', () => {
  it.each([['tmp/prompt.md'], ['worker-manifest.json'], ['logs/attempt-1.log']])(
    'fails the unit when %s is a link to a file outside the repo, and writes nothing there',
    async (file) => {
      const { repo, victim } = await repoAndOutside();
      const path = join(repo, '.agent/workers/a', file);
      await mkdir(join(path, '..'), { recursive: true });
      await symlink(victim, path);
      await expectAgentFailure(
        runAttempt(attemptInput(repo, unit('a'), agent)),
        'SymbolicLinkWrite',
        linkText(path),
        1,
      );
      expect(await readFile(victim, 'utf8')).toBe('untouched\n');
    },
  );

  it('fails the attempt, never hangs the worker, when the agent left a FIFO where the prompt goes', async () => {
    const repo = await makeRepo();
    const prompt = join(repo, '.agent/workers/f/tmp/prompt.md');
    await mkdir(join(prompt, '..'), { recursive: true });
    execFileSync('mkfifo', [prompt]);
    const outcome = await runAttempt(attemptInput(repo, unit('f'), agent)).then(
      () => 'succeeded',
      (error: unknown) => String(error instanceof Error ? (error.cause ?? error) : error),
    );
    expect(outcome).toContain('ENXIO');
  });

  it('fails the unit when its namespace folder is a link out of the repo, creating nothing outside', async () => {
    const { repo, outside } = await repoAndOutside();
    await mkdir(join(repo, '.agent/workers'), { recursive: true });
    await symlink(outside, join(repo, '.agent/workers/b'));
    await expectAgentFailure(
      runAttempt(attemptInput(repo, unit('b'), agent)),
      'SymbolicLinkWrite',
      linkText(join(repo, '.agent/workers/b')),
      1,
    );
    expect(await readdir(outside)).toEqual(['victim.txt']);
  });

  it('does not count an evidence file the agent swapped for a link after writing it', async () => {
    const { repo, victim } = await repoAndOutside();
    const artifactDir = join(repo, '.agent/workers/a/artifacts');
    await expectAgentFailure(
      runAttempt(attemptInput(repo, unit('a'), settings([FAKE, '--artifact-then-link', 'out.md', victim]))),
      'NoEvidence',
      `Worker 'a' produced no worker-local artifact evidence under ${artifactDir} (exit_code=0)`,
      0,
    );
  });
});

describe('writeRunSummary with a link on its path (SPEC §8.4)', () => {
  it('reports and skips the summary under a linked .agent/artifacts, and writes the other one', async () => {
    const { repo, outside } = await repoAndOutside();
    await mkdir(join(repo, '.agent'), { recursive: true });
    await symlink(outside, join(repo, '.agent/artifacts'));
    const result = await createActivities().writeRunSummary({
      repo,
      namespaceRoot: '.agent/workers',
      evidencePattern: '*',
      units: [{ unitId: 'a', status: 'SUCCEEDED', error: null, launched: true, evidenceCount: 1 }],
    });
    expect(result.files).toEqual([join(repo, '.agent/DEVELOPMENT_RESULT.md')]);
    expect(result.skipped).toEqual([
      {
        file: join(repo, '.agent/artifacts/parallel_development_summary.md'),
        reason: linkText(join(repo, '.agent/artifacts')),
      },
    ]);
    expect(await readdir(outside)).toEqual(['victim.txt']);
  });
});

describe('the run store with a link on its path (SPEC §8.4)', () => {
  it('fails for good and writes nothing outside when .agent/runs is a link out of the repo', async () => {
    const { repo, outside } = await repoAndOutside();
    await mkdir(join(repo, '.agent'), { recursive: true });
    await symlink(outside, join(repo, '.agent/runs'));
    const stored = createActivities().storeRunSegment({
      repo,
      workflowId: 'wf',
      firstRunId: 'run-1',
      name: 'segment-0001',
      events: [],
      units: {},
    });
    const error: unknown = await stored.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).nonRetryable).toBe(true);
    expect((error as ApplicationFailure).message).toBe(linkText(join(repo, '.agent/runs')));
    expect(await readdir(outside)).toEqual(['victim.txt']);
  });
});

describe('verifyArtifacts reads evidence without following links (SPEC §8.4)', () => {
  it('does not take an artifact swapped for a link to an identical file outside the repo as intact', async () => {
    const { repo, outside } = await repoAndOutside();
    const artifacts = join(repo, '.agent/workers/a/artifacts');
    await mkdir(artifacts, { recursive: true });
    await writeFile(join(outside, 'copy.md'), 'fake agent artifact\n');
    await symlink(join(outside, 'copy.md'), join(artifacts, 'out.md'));
    const intact = await createActivities().verifyArtifacts({
      repo,
      namespaceRoot: '.agent/workers',
      units: { a: [{ name: 'out.md', size: 20, sha256: FAKE_ARTIFACT_SHA256 }] },
    });
    expect(intact).toEqual([]);
  });
});

describe('writeFileNoFollow rewriting a file', () => {
  it('leaves exactly the new bytes, shorter or longer than the old, in the same file', async () => {
    const repo = await makeRepo();
    const file = join(repo, 'ns', 'worker-manifest.json');
    await writeFileNoFollow(repo, file, 'a long first version of the manifest\n');
    const { ino } = await stat(file);
    await writeFileNoFollow(repo, file, 'short\n');
    expect(await readFile(file, 'utf8')).toBe('short\n');
    await writeFileNoFollow(repo, file, Buffer.from('ünïcode, longer than before\n'));
    expect(await readFile(file, 'utf8')).toBe('ünïcode, longer than before\n');
    expect((await stat(file)).ino).toBe(ino);
  });
});
