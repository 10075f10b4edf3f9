/** SPEC §8.2: what an attempt changed, in its result, its manifest and its failure. */
import { ApplicationFailure } from '@temporalio/common';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PlanAreas } from '../../../src/activities/types';
import type { ConfinementMode } from '../../../src/plan/types';
import type { AgentFailureDetails } from '../../../src/errors';
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

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

async function repoWith(files: Record<string, string>): Promise<string> {
  const repo = await makeRepo();
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(repo, path, '..'), { recursive: true });
    await writeFile(join(repo, path), text);
  }
  return repo;
}

const twoUnits = (): PlanAreas => ({
  overlap: 'reject',
  areas: [
    { unitId: 'a', allowedDirectories: ['src/a'] },
    { unitId: 'b', allowedDirectories: ['src/b'] },
  ],
});

/** The plan's confinement request and `agent.writable`, as the unit settings carry them. */
const confined = (command: readonly string[], confinement: ConfinementMode) =>
  settings(command, { confinement, writable: ['shared/cache'] });

describe('runAgentAttempt changes (SPEC §8.2)', () => {
  const agentWork = [
    FAKE,
    '--write',
    'src/a/new.txt',
    'new',
    '--write',
    'src/a/old.txt',
    'rewritten',
    '--remove',
    'src/a/gone.txt',
    '--artifact',
    'out.md',
  ];

  it('lists exactly the files the agent added, modified and deleted, with the sha256 of their content', async () => {
    const repo = await repoWith({
      'src/a/old.txt': 'old\n',
      'src/a/gone.txt': 'bye\n',
      'src/a/kept.txt': 'same\n',
    });
    const result = await runAttempt(attemptInput(repo, unit('a'), confined(agentWork, 'landlock')));
    const expected = [
      { path: 'src/a/gone.txt', kind: 'deleted', size: null, sha256: null },
      { path: 'src/a/new.txt', kind: 'added', size: 4, sha256: sha('new\n') },
      { path: 'src/a/old.txt', kind: 'modified', size: 10, sha256: sha('rewritten\n') },
    ];
    expect(result.changes).toEqual(expected);
    const manifestText = await readFile(join(repo, '.agent/workers/a/worker-manifest.json'), 'utf8');
    const manifest = JSON.parse(manifestText) as { changes?: unknown };
    expect(manifest.changes).toEqual(expected);
  });

  it('records the changes of a failed attempt in its failure details', async () => {
    const repo = await makeRepo();
    const failure = await runAttempt(
      attemptInput(
        repo,
        unit('a'),
        confined([FAKE, '--write', 'src/a/half.txt', 'half', '--exit', '3'], 'landlock'),
      ),
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    const details = (failure as ApplicationFailure).details?.[0] as AgentFailureDetails;
    expect(details.changes).toEqual([
      { path: 'src/a/half.txt', kind: 'added', size: 5, sha256: sha('half\n') },
    ]);
  });

  it('under landlock looks only at the unit areas and agent.writable', async () => {
    const repo = await makeRepo();
    await mkdir(join(repo, 'shared/cache'), { recursive: true }); // writable once it exists (SPEC §8.1)
    const command = [
      FAKE,
      '--write',
      'src/a/x.txt',
      'x',
      '--write',
      'shared/cache/c.txt',
      'c',
      '--try-touch',
      'stray.txt',
      '--artifact',
      'out.md',
    ];
    const input = {
      ...attemptInput(repo, unit('a'), confined(command, 'landlock')),
      containment: twoUnits(),
    };
    const result = await runAttempt(input);
    expect(result.containment?.confinement).toBe('landlock');
    expect(result.changes?.map((change) => change.path)).toEqual(['shared/cache/c.txt', 'src/a/x.txt']);
    expect(result.outOfBounds).toBeUndefined();
  });

  it('under audit reports a write outside every area as out of bounds, and leaves other units areas to them', async () => {
    const repo = await makeRepo();
    const command = [
      FAKE,
      '--write',
      'src/a/x.txt',
      'x',
      '--write',
      'stray.txt',
      'stray',
      '--write',
      'src/b/theirs.txt',
      'b',
      '--write',
      'shared/cache/c.txt',
      'c',
      '--artifact',
      'out.md',
    ];
    const input = { ...attemptInput(repo, unit('a'), confined(command, 'audit')), containment: twoUnits() };
    const result = await runAttempt(input);
    expect(result.changes?.map((change) => [change.path, change.kind])).toEqual([
      ['shared/cache/c.txt', 'added'],
      ['src/a/x.txt', 'added'],
    ]);
    expect(result.outOfBounds).toEqual([{ path: 'stray.txt', kind: 'added' }]);
  });

  it('observes nothing under confinement: off', async () => {
    const repo = await makeRepo();
    const input = {
      ...attemptInput(
        repo,
        unit('a'),
        confined([FAKE, '--write', 'src/a/x.txt', 'x', '--artifact', 'o.md'], 'off'),
      ),
      containment: twoUnits(),
    };
    const result = await runAttempt(input);
    expect(result.changes).toBeUndefined();
  });

  it('observes under the mode the agent ran under: landlock asked, audit run (Node supervisor)', async () => {
    const repo = await makeRepo();
    const command = [
      FAKE,
      '--write',
      'src/a/x.txt',
      'x',
      '--write',
      'stray.txt',
      'stray',
      '--artifact',
      'o.md',
    ];
    const input = {
      ...attemptInput(repo, unit('a'), confined(command, 'landlock')),
      containment: twoUnits(),
    };
    const result = await runAttempt(input, { supervisor: 'node' });
    expect(result.containment?.confinement).toBe('audit');
    expect(result.changes?.map((change) => change.path)).toEqual(['src/a/x.txt']);
    expect(result.outOfBounds).toEqual([{ path: 'stray.txt', kind: 'added' }]);
  });
});
