/**
 * Issue 15 "Done when", SPEC §9: a unit starts from exactly what it depends on. Three units in a
 * fresh repo (a, b independent, c on both) and an unrelated d: c's evidence proves it saw a's and
 * b's files and not d's, the integration holds all four, the branch exists, the source checkout's
 * status is unchanged apart from `.agent/`. Two `overlap: serialize` units editing one file: the
 * second starts from the first's output. Real CLI, dev server, git and processes.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  fileAt,
  gitIn,
  refTarget,
  refsUnder,
  statusLines,
  treeFiles,
  workingTreesLeft,
  writeFiles,
} from '../helpers/git-repo';
import {
  EVIDENCE,
  countStart,
  evidenceCopy,
  gitTestDirs,
  runGit,
  runId,
  sh,
  startLines,
  writePlan,
  useGitAcceptance,
} from './git-harness';

const fixture = useGitAcceptance('git-starting-points');

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const eventIndex = (
  events: readonly { type: string; unit_id?: string }[],
  type: string,
  unitId: string,
): number => events.findIndex((event) => event.type === type && event.unit_id === unitId);

describe('three units, a and b independent, c on both, an unrelated d', () => {
  it('c starts from a and b but not d; the integration holds all four; branch set; source untouched', async () => {
    const dirs = gitTestDirs('three');
    const writer = (unitId: string, sleep: number): string[] =>
      sh(
        `${countStart(dirs.starts)}; sleep ${sleep}; mkdir -p src/${unitId}; echo ${unitId} > src/${unitId}/${unitId}.txt; ${EVIDENCE}`,
      );
    const plan = writePlan(
      dirs,
      'three-units',
      [
        { unit_id: 'a', allowed_directories: ['src/a'], command: writer('a', 3) },
        { unit_id: 'b', allowed_directories: ['src/b'], command: writer('b', 3) },
        {
          unit_id: 'c',
          allowed_directories: ['src/c'],
          dependencies: ['a', 'b'],
          command: sh(
            `${countStart(dirs.starts)}; find src -type f | sort > "$FANOUT_ARTIFACT_DIR/seen.txt"; mkdir -p src/c; echo c > src/c/c.txt`,
          ),
        },
        { unit_id: 'd', allowed_directories: ['src/d'], command: writer('d', 0) },
      ],
      { confinement: 'landlock' },
    );
    // The user's uncommitted work: the run leaves it alone and does not include it.
    writeFiles(dirs.repo, { 'README.md': 'edited, not committed\n', 'notes.txt': 'untracked\n' });
    const statusBefore = statusLines(dirs.repo);
    const id = runId('three');

    const { run, result } = await runGit(dirs, plan, fixture.taskQueue, id);

    expect(result.status).toBe('succeeded');
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/\b2\b[^\n]*uncommitted|uncommitted[^\n]*\b2\b/i);
    expect(
      startLines(dirs)
        .map((line) => line.split(' ')[0])
        .sort(),
    ).toEqual(['a', 'b', 'c', 'd']);
    // d was done before c started, so "not d's file" means something.
    expect(eventIndex(result.events, 'worker_completed', 'd')).toBeLessThan(
      eventIndex(result.events, 'worker_started', 'c'),
    );
    const seen = 'src/a/a.txt\nsrc/b/b.txt\n';
    expect(evidenceCopy(dirs.repo, id, 'c', 'seen.txt')).toBe(seen);
    expect(result.units.c?.artifacts).toEqual([
      { name: 'seen.txt', size: seen.length, sha256: sha256(seen) },
    ]);

    const git = result.git;
    if (git === undefined) throw new Error('the result has no git section');
    expect(git.base).toBe(dirs.base);
    expect(treeFiles(dirs.repo, git.integration)).toEqual([
      'README.md',
      'src/a/a.txt',
      'src/b/b.txt',
      'src/c/c.txt',
      'src/d/d.txt',
    ]);
    expect(fileAt(dirs.repo, git.integration, 'README.md')).toBe('a project');
    for (const unitId of ['a', 'b', 'c', 'd']) {
      const commit = result.units[unitId]?.commit ?? '';
      expect(git.units[unitId]).toBe(commit);
      expect(refTarget(dirs.repo, `refs/fanout/${id}/units/${unitId}`)).toBe(commit);
      const message = gitIn(dirs.repo, ['log', '-1', '--format=%B', commit]);
      expect(message.split('\n')[0]).toBe(`${unitId}: Work on ${unitId}.`);
      expect(message).toContain(`Fanout-Run: ${id}\nFanout-Unit: ${unitId}\nFanout-Attempt: 1`);
      expect(gitIn(dirs.repo, ['diff', '--name-only', `${commit}^`, commit])).toBe(
        `src/${unitId}/${unitId}.txt`,
      );
      // Working trees live outside the checkout and $HOME, so git mode confines (SPEC §8.1, §9).
      expect(result.units[unitId]?.confinement).toBe('landlock');
    }
    expect(gitIn(dirs.repo, ['rev-parse', `${git.units.a}^`])).toBe(dirs.base);
    // c's starting point: the base merged with a's and b's outputs, nothing of d.
    expect(treeFiles(dirs.repo, `${git.units.c}^`)).toEqual(['README.md', 'src/a/a.txt', 'src/b/b.txt']);
    expect(Object.keys(refsUnder(dirs.repo, `refs/fanout/${id}/`)).sort()).toEqual(
      [
        `refs/fanout/${id}/integration`,
        ...['a', 'b', 'c', 'd'].map((u) => `refs/fanout/${id}/units/${u}`),
      ].sort(),
    );
    expect(refTarget(dirs.repo, `refs/fanout/${id}/integration`)).toBe(git.integration);

    const hash8 = sha256(id).slice(0, 8);
    expect(git.branch).toBe(`fanout/three-units-${hash8}`);
    expect(refTarget(dirs.repo, `refs/heads/${git.branch}`)).toBe(git.integration);

    expect(gitIn(dirs.repo, ['rev-parse', 'HEAD'])).toBe(dirs.base);
    expect(statusLines(dirs.repo)).toEqual([...statusBefore, '?? .agent/'].sort());
    expect(readFileSync(path.join(dirs.repo, 'README.md'), 'utf8')).toBe('edited, not committed\n');
    expect(workingTreesLeft(dirs.worktrees)).toEqual([]);
  });
});

describe('two overlap: serialize units editing the same file', () => {
  it("runs the second from the first one's output; the integration holds both edits", async () => {
    const dirs = gitTestDirs('serialize', { 'src/shared/notes.txt': 'line 0\n' });
    const editor = sh(
      `${countStart(dirs.starts)}; echo "from $FANOUT_UNIT_ID" >> src/shared/notes.txt; cp src/shared/notes.txt "$FANOUT_ARTIFACT_DIR/seen.txt"`,
    );
    const plan = writePlan(
      dirs,
      'serialize',
      [
        { unit_id: 'a', allowed_directories: ['src/shared'], command: editor },
        { unit_id: 'b', allowed_directories: ['src/shared'], command: editor },
      ],
      { overlap: 'serialize' },
    );
    const id = runId('serialize');

    const { run, result } = await runGit(dirs, plan, fixture.taskQueue, id);

    expect(result.status).toBe('succeeded');
    expect(run.code).toBe(0);
    expect(eventIndex(result.events, 'worker_completed', 'a')).toBeLessThan(
      eventIndex(result.events, 'worker_started', 'b'),
    );
    expect(evidenceCopy(dirs.repo, id, 'a', 'seen.txt')).toBe('line 0\nfrom a\n');
    expect(evidenceCopy(dirs.repo, id, 'b', 'seen.txt')).toBe('line 0\nfrom a\nfrom b\n');
    const git = result.git;
    if (git === undefined) throw new Error('the result has no git section');
    expect(gitIn(dirs.repo, ['rev-parse', `${git.units.a}^`])).toBe(dirs.base);
    expect(gitIn(dirs.repo, ['rev-parse', `${git.units.b}^`])).toBe(git.units.a);
    expect(fileAt(dirs.repo, git.integration, 'src/shared/notes.txt')).toBe('line 0\nfrom a\nfrom b');
    expect(startLines(dirs)).toHaveLength(2);
    expect(workingTreesLeft(dirs.worktrees)).toEqual([]);
  });
});
