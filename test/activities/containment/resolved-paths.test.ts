/** SPEC §8.5 before the agent starts: a directory swapped for a link after validate fails the unit. */
import { mkdir, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { AttemptInput } from '../../../src/activities/types';
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

const reserved = (raw: string): string =>
  `Work unit 'a' declares reserved path '${raw}' as an edit area. Reserved paths (.agent, .git, .) may not be declared as allowed_directories. Choose a project-owned subdirectory.`;

function inputFor(repo: string, touched: string): AttemptInput {
  return {
    ...attemptInput(
      repo,
      unit('a', { allowedDirectories: ['src/a'] }),
      settings([FAKE, '--touch', `src/a/${touched}`, '--artifact', 'o.md'], { confinement: 'landlock' }),
    ),
    containment: {
      overlap: 'reject',
      areas: [
        { unitId: 'a', allowedDirectories: ['src/a'] },
        { unitId: 'b', allowedDirectories: ['lib/b'] },
      ],
    },
  };
}

async function linkedArea(target: string): Promise<string> {
  const repo = await makeRepo();
  await mkdir(join(repo, '.git/hooks'), { recursive: true });
  await mkdir(join(repo, '.agent/workers'), { recursive: true });
  await mkdir(join(repo, 'lib/b'), { recursive: true });
  await mkdir(join(repo, 'src'), { recursive: true });
  await symlink(target, join(repo, 'src/a'));
  return repo;
}

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

describe('runAgentAttempt judges allowed directories as they resolve (SPEC §8.5)', () => {
  it('fails the unit before its agent starts when its directory links into .git', async () => {
    const repo = await linkedArea('../.git/hooks');
    await expectAgentFailure(
      runAttempt(inputFor(repo, 'x')),
      'ResolvedPathReserved',
      `${reserved('.git/hooks')} (via symlink 'src/a' -> '.git/hooks')`,
      1,
    );
    expect(await exists(join(repo, '.git/hooks/x'))).toBe(false);
    expect(await exists(join(repo, '.agent/workers/a'))).toBe(false);
  });

  it('fails the unit when its directory links into .agent', async () => {
    const repo = await linkedArea('../.agent/workers');
    await expectAgentFailure(
      runAttempt(inputFor(repo, 'x')),
      'ResolvedPathReserved',
      `${reserved('.agent/workers')} (via symlink 'src/a' -> '.agent/workers')`,
      1,
    );
  });

  it('fails the unit when its directory links onto another unit area', async () => {
    const repo = await linkedArea('../lib/b');
    await expectAgentFailure(
      runAttempt(inputFor(repo, 'x')),
      'ResolvedPathReserved',
      "Work unit 'a' edit area 'lib/b' overlaps with work unit 'b' edit area 'lib/b'. Choose disjoint subdirectories or merge the work units. (via symlink 'src/a' -> 'lib/b')",
      1,
    );
    expect(await exists(join(repo, 'lib/b/x'))).toBe(false);
  });

  it('runs the agent when the link leads to a free place in the repo', async () => {
    const repo = await linkedArea('../free');
    await mkdir(join(repo, 'free'));
    const result = await runAttempt(inputFor(repo, 'x'));
    expect(result.changes?.map((change) => change.path)).toEqual(['free/x']);
  });
});
