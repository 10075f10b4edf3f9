import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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

const counted = (name: string) => ({ name, size: 20, sha256: FAKE_ARTIFACT_SHA256 });
const noEvidence = (repo: string, id: string) =>
  `Worker '${id}' produced no worker-local artifact evidence under ${repo}/.agent/workers/${id}/artifacts (exit_code=0)`;

describe('runAgentAttempt evidence (SPEC §4.2, §7.12)', () => {
  it('does not count a file that does not match the pattern', async () => {
    const repo = await makeRepo();
    const input = attemptInput(
      repo,
      unit('json_only'),
      settings([FAKE, '--artifact', 'result.json'], { evidencePattern: '*.md' }),
    );
    await expectAgentFailure(runAttempt(input), 'NoEvidence', noEvidence(repo, 'json_only'), 0);
  });

  it('lists only the matching files in the manifest, sorted by name', async () => {
    const repo = await makeRepo();
    const command = [FAKE, '--artifact', 'notes.md', '--artifact', 'data.json', '--artifact', 'a.md'];
    const result = await runAttempt(
      attemptInput(repo, unit('md_ok'), settings(command, { evidencePattern: '*.md' })),
    );
    expect(result.artifacts).toEqual([counted('a.md'), counted('notes.md')]);
  });

  it('counts any file, dotfiles included, under the default pattern *', async () => {
    const repo = await makeRepo();
    const result = await runAttempt(
      attemptInput(repo, unit('dots'), settings([FAKE, '--artifact', '.hidden', '--artifact', 'env.txt'])),
    );
    expect(result.artifacts).toEqual([counted('.hidden'), counted('env.txt')]);
  });

  it('does not count a file nested below artifacts/', async () => {
    const repo = await makeRepo();
    const input = attemptInput(repo, unit('nested'), settings([FAKE, '--artifact', 'sub/x.md']));
    await expectAgentFailure(runAttempt(input), 'NoEvidence', noEvidence(repo, 'nested'), 0);
  });

  it('does not count an empty file', async () => {
    const repo = await makeRepo();
    const input = attemptInput(repo, unit('empty'), settings([FAKE, '--empty-artifact', 'x.md']));
    await expectAgentFailure(runAttempt(input), 'NoEvidence', noEvidence(repo, 'empty'), 0);
  });

  it('does not count a directory', async () => {
    const repo = await makeRepo();
    const input = attemptInput(repo, unit('dir'), settings([FAKE, '--artifact-dir', 'x.md']));
    await expectAgentFailure(runAttempt(input), 'NoEvidence', noEvidence(repo, 'dir'), 0);
  });

  it('does not count a file left from an earlier run', async () => {
    const repo = await makeRepo();
    await mkdir(join(repo, '.agent/workers/stale/artifacts'), { recursive: true });
    await writeFile(join(repo, '.agent/workers/stale/artifacts/old.md'), 'left over from an earlier run\n');
    const input = attemptInput(repo, unit('stale'), settings([FAKE, '--say', 'nothing new']));
    await expectAgentFailure(runAttempt(input), 'NoEvidence', noEvidence(repo, 'stale'), 0);
  });

  it('does not count an artifact written by an earlier attempt (seed bug E11)', async () => {
    const repo = await makeRepo();
    const command = [FAKE, '--if-attempt', '1', '--artifact', 'early.md', '--fail-until-attempt', '2'];
    const first = attemptInput(repo, unit('stale'), settings(command), 1);
    await expectAgentFailure(
      runAttempt(first),
      'AgentExit',
      "Worker 'stale' exited with code 1: attempt 1 fails on purpose",
      1,
    );
    await expectAgentFailure(
      runAttempt({ ...first, attempt: 2 }),
      'NoEvidence',
      noEvidence(repo, 'stale'),
      0,
    );
  });

  it('counts a pre-existing file that the attempt rewrites with the same content, right after it was written', async () => {
    const repo = await makeRepo();
    const artifacts = join(repo, '.agent/workers/again/artifacts');
    await mkdir(artifacts, { recursive: true });
    for (let round = 0; round < 5; round += 1) {
      await writeFile(join(artifacts, 'out.md'), 'fake agent artifact\n');
      const result = await runAttempt(
        attemptInput(repo, unit('again'), settings([FAKE, '--artifact', 'out.md'])),
      );
      expect(result.artifacts).toEqual([counted('out.md')]);
    }
  });

  it('counts a file the attempt writes next to a stale one, and only that file', async () => {
    const repo = await makeRepo();
    const artifacts = join(repo, '.agent/workers/mixed/artifacts');
    await mkdir(artifacts, { recursive: true });
    await writeFile(join(artifacts, 'old.md'), 'from before\n');
    const result = await runAttempt(
      attemptInput(repo, unit('mixed'), settings([FAKE, '--artifact', 'new.md'])),
    );
    expect(result.artifacts).toEqual([counted('new.md')]);
  });
});
