import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createActivities } from '../../../src/activities';
import { makeRepo, removeRepos } from '../helpers';

afterAll(removeRepos);

describe('writeRunSummary (SPEC §5, §7.14)', () => {
  it('writes the seed format to both files, units in plan order, with counts by status', async () => {
    const repo = await makeRepo();
    // b failed but left files: its count is what would count by pattern and size, whatever their age.
    const bArtifacts = join(repo, 'var/fanout/b/artifacts');
    await mkdir(join(bArtifacts, 'nested.md'), { recursive: true });
    await writeFile(join(bArtifacts, 'kept.md'), 'x\n');
    await writeFile(join(bArtifacts, 'empty.md'), '');
    await writeFile(join(bArtifacts, 'data.json'), '{}\n');

    const { files } = await createActivities().writeRunSummary({
      repo,
      namespaceRoot: 'var/fanout',
      evidencePattern: '*.md',
      units: [
        { unitId: 'a', status: 'SUCCEEDED', error: null, launched: true, evidenceCount: 2 },
        { unitId: 'b', status: 'FAILED', error: "Worker 'b' exited with code 1: bad", launched: true },
        {
          unitId: 'c',
          status: 'CANCELLED',
          error: 'Cancelled because another worker failed',
          launched: true,
        },
        { unitId: 'd', status: 'BLOCKED', error: 'Blocked by failed dependencies: b', launched: false },
        {
          unitId: 'e',
          status: 'SKIPPED',
          error: 'Not started because another worker failed',
          launched: false,
        },
      ],
    });

    const expected = [
      '# Parallel Development Summary',
      '',
      '## Workers',
      '- **a**: succeeded (2 artifact(s))',
      "- **b**: failed (1 artifact(s)) — Worker 'b' exited with code 1: bad",
      '- **c**: cancelled (0 artifact(s)) — Cancelled because another worker failed',
      '- **d**: blocked (0 artifact(s)) — Blocked by failed dependencies: b',
      '- **e**: skipped (0 artifact(s)) — Not started because another worker failed',
      '',
      '## Status',
      '',
      '- any_failed: true',
      '- all_succeeded: false',
      '',
      '## Verification',
      '',
      'Ran: no',
      '',
    ].join('\n');
    expect(files).toEqual([
      join(repo, '.agent/artifacts/parallel_development_summary.md'),
      join(repo, '.agent/DEVELOPMENT_RESULT.md'),
    ]);
    expect(await readFile(files[0] ?? '', 'utf8')).toBe(expected);
    expect(await readFile(files[1] ?? '', 'utf8')).toBe(expected);
  });

  it('reports all_succeeded when every unit succeeded, and an empty plan as succeeded', async () => {
    const repo = await makeRepo();
    const write = createActivities().writeRunSummary;
    await write({
      repo,
      namespaceRoot: '.agent/workers',
      evidencePattern: '*',
      units: [{ unitId: 'a', status: 'SUCCEEDED', error: null, launched: true, evidenceCount: 1 }],
    });
    const text = await readFile(join(repo, '.agent/DEVELOPMENT_RESULT.md'), 'utf8');
    expect(text).toContain(
      '## Workers\n- **a**: succeeded (1 artifact(s))\n\n## Status\n\n- any_failed: false\n- all_succeeded: true\n',
    );

    await write({ repo, namespaceRoot: '.agent/workers', evidencePattern: '*', units: [] });
    expect(await readFile(join(repo, '.agent/DEVELOPMENT_RESULT.md'), 'utf8')).toContain(
      '## Workers\n\n## Status\n\n- any_failed: false\n- all_succeeded: true\n',
    );
  });
});
