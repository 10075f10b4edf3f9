/** The run summary of a git run (SPEC §9): each unit's commit, the branch and how to merge it. */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createActivities } from '../../../src/activities';
import type { GitRunResult } from '../../../src/contracts/git';
import type { FanoutResult } from '../../../src/plan/types';
import { makeRepo, removeRepos } from '../helpers';

afterAll(removeRepos);

const git: GitRunResult = {
  base: 'b'.repeat(40),
  integration: 'c'.repeat(40),
  branch: 'fanout/demo-0123abcd',
  units: { a: 'a'.repeat(40) },
  into: { branch: 'main', outcome: 'fast-forward', message: 'main moved to cccccccc' },
};

const GIT_SECTION = [
  '## Git',
  '',
  `- base: ${'b'.repeat(40)}`,
  `- integration: ${'c'.repeat(40)}`,
  '- branch: fanout/demo-0123abcd',
  `- review: \`git log --stat ${'b'.repeat(40)}..fanout/demo-0123abcd\``,
  '- merge: `git merge fanout/demo-0123abcd`',
  '- into: main (fast-forward): main moved to cccccccc',
  '',
].join('\n');

describe('writeRunSummary of a git run', () => {
  it('names each unit’s commit, the branch and how to merge it', async () => {
    const repo = await makeRepo();
    await createActivities().writeRunSummary({
      repo,
      namespaceRoot: '.agent/workers',
      evidencePattern: '*',
      units: [
        { unitId: 'a', status: 'SUCCEEDED', error: null, launched: true, evidenceCount: 1 },
        { unitId: 'b', status: 'BLOCKED', error: 'Blocked by failed dependencies: x', launched: false },
      ],
      git,
    });
    const text = await readFile(join(repo, '.agent/DEVELOPMENT_RESULT.md'), 'utf8');
    expect(text).toContain(`- **a**: succeeded (1 artifact(s), commit ${'a'.repeat(40)})\n`);
    expect(text).toContain('- **b**: blocked (0 artifact(s)) — Blocked by failed dependencies: x\n');
    expect(text).toContain(`- all_succeeded: false\n\n${GIT_SECTION}\n## Verification`);
  });

  it('reads them from a stored result too', async () => {
    const repo = await makeRepo();
    const stored: FanoutResult = {
      status: 'succeeded',
      events: [],
      units: {
        a: {
          status: 'SUCCEEDED',
          attempts: 1,
          started_at: null,
          finished_at: null,
          exit_code: 0,
          error: null,
          artifacts: [],
          commit: 'a'.repeat(40),
        },
      },
      git,
    };
    const text = JSON.stringify(stored);
    const path = join(repo, 'result.json');
    await writeFile(path, text);
    const sha256 = createHash('sha256').update(text).digest('hex');
    await createActivities().writeRunSummary({
      repo,
      namespaceRoot: '.agent/workers',
      evidencePattern: '*',
      resultFile: { path, sha256 },
    });
    const summary = await readFile(join(repo, '.agent/DEVELOPMENT_RESULT.md'), 'utf8');
    expect(summary).toContain(`- **a**: succeeded (0 artifact(s), commit ${'a'.repeat(40)})\n`);
    expect(summary).toContain(GIT_SECTION);
  });

  it('has no git section in a shared-checkout run', async () => {
    const repo = await makeRepo();
    await createActivities().writeRunSummary({
      repo,
      namespaceRoot: '.agent/workers',
      evidencePattern: '*',
      units: [{ unitId: 'a', status: 'SUCCEEDED', error: null, launched: true, evidenceCount: 1 }],
    });
    const text = await readFile(join(repo, '.agent/DEVELOPMENT_RESULT.md'), 'utf8');
    expect(text).not.toContain('## Git');
    expect(text).toContain('- **a**: succeeded (1 artifact(s))\n');
  });
});
