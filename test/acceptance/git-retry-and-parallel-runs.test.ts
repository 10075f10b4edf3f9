/**
 * Issue 15 "Done when", SPEC §9 "Retry" and "Several git runs": `retry` of a git run with one
 * failed unit reuses the other units' commits (no agent started for them), starts the failed one
 * from the reused outputs, and makes a new integration; two git runs on one checkout at the same
 * time both succeed, each in working trees and refs of its own.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/scenario-runner';
import { testServer } from '../helpers/temporal';
import {
  fileAt,
  gitIn,
  refTarget,
  refsUnder,
  statusLines,
  treeFiles,
  workingTreesLeft,
} from '../helpers/git-repo';
import {
  EVIDENCE,
  countStart,
  evidenceCopy,
  gitTestDirs,
  parseResult,
  runGit,
  runId,
  sh,
  startLines,
  writePlan,
  useGitAcceptance,
} from './git-harness';

const fixture = useGitAcceptance('git-retry-parallel');

const writes = (unitId: string): string =>
  `mkdir -p src/${unitId}; echo ${unitId} > src/${unitId}/${unitId}.txt`;

describe('retry of a git run with one failed unit', () => {
  it('reuses the other commits without starting their agents and makes a new integration', async () => {
    const dirs = gitTestDirs('retry');
    const fixed = path.join(dirs.dir, 'counts', 'fixed');
    const plan = writePlan(
      dirs,
      'git-retry',
      [
        {
          unit_id: 'a',
          allowed_directories: ['src/a'],
          command: sh(`${countStart(dirs.starts)}; ${writes('a')}; ${EVIDENCE}`),
        },
        {
          unit_id: 'b',
          allowed_directories: ['src/b'],
          command: sh(`${countStart(dirs.starts)}; ${writes('b')}; ${EVIDENCE}`),
        },
        {
          unit_id: 'c',
          allowed_directories: ['src/c'],
          dependencies: ['a'],
          command: sh(
            `${countStart(dirs.starts)}; if [ ! -e '${fixed}' ]; then echo broken; exit 3; fi; ${writes('c')}; ${EVIDENCE}`,
          ),
        },
      ],
      { on_failure: 'continue' },
    );
    const id = runId('retry');
    const first = await runGit(dirs, plan, fixture.taskQueue, id);
    expect(first.result.status).toBe('failed');
    expect(first.run.code).toBe(1);
    expect(first.result.units.c).toMatchObject({
      status: 'FAILED',
      error: "Worker 'c' exited with code 3: broken",
    });
    const before = first.result.git;
    if (before === undefined) throw new Error('the first result has no git section');

    writeFileSync(fixed, '');
    const newId = `${id}-again`;
    const server = testServer();
    const retried = await runCli(
      [
        'retry',
        id,
        '--new-id',
        newId,
        '--json',
        '--address',
        server.address,
        '--namespace',
        server.namespace,
      ],
      240_000,
    );
    const result = parseResult(retried);

    expect(result.status).toBe('succeeded');
    expect(retried.code).toBe(0);
    for (const unitId of ['a', 'b']) {
      expect(result.units[unitId]).toMatchObject({ status: 'SUCCEEDED', reused_from: id });
      expect(result.units[unitId]?.commit).toBe(before.units[unitId]);
    }
    const starts = startLines(dirs).map((line) => line.replace(/ attempt=\d+/, ''));
    expect(starts.sort()).toEqual([`a run=${id}`, `b run=${id}`, `c run=${id}`, `c run=${newId}`]);
    const git = result.git;
    if (git === undefined) throw new Error('the retried result has no git section');
    expect(git.base).toBe(before.base);
    expect(gitIn(dirs.repo, ['rev-parse', `${git.units.c}^`])).toBe(before.units.a);
    expect(git.integration).not.toBe(before.integration);
    expect(treeFiles(dirs.repo, git.integration)).toEqual([
      'README.md',
      'src/a/a.txt',
      'src/b/b.txt',
      'src/c/c.txt',
    ]);
    expect(refTarget(dirs.repo, `refs/fanout/${newId}/integration`)).toBe(git.integration);
    expect(refTarget(dirs.repo, `refs/fanout/${id}/integration`)).toBe(before.integration);
    expect(git.branch).not.toBe(before.branch);
    expect(refTarget(dirs.repo, `refs/heads/${git.branch}`)).toBe(git.integration);
    expect(refTarget(dirs.repo, `refs/heads/${before.branch}`)).toBe(before.integration);
    expect(statusLines(dirs.repo)).toEqual(['?? .agent/']);
    expect(workingTreesLeft(dirs.worktrees)).toEqual([]);
  });
});

describe('two git runs on one checkout at the same time', () => {
  it('both succeed, in working trees and refs of their own', async () => {
    const dirs = gitTestDirs('parallel');
    // Every agent waits until all four have started: both runs' agents provably ran at once.
    const barrier = `n=0; while [ "$(wc -l < '${dirs.starts}')" -lt 4 ] && [ $n -lt 900 ]; do sleep 0.1; n=$((n+1)); done; [ "$(wc -l < '${dirs.starts}')" -ge 4 ] || exit 9`;
    const agent = (unitId: string): string[] =>
      sh(
        `${countStart(dirs.starts)}; pwd > "$FANOUT_ARTIFACT_DIR/cwd.txt"; ${barrier}; mkdir -p src/${unitId}; echo "$FANOUT_RUN_ID" > src/${unitId}/run.txt; ${EVIDENCE}`,
      );
    const plan = writePlan(dirs, 'parallel', [
      { unit_id: 'a', allowed_directories: ['src/a'], command: agent('a') },
      { unit_id: 'b', allowed_directories: ['src/b'], command: agent('b') },
    ]);
    const ids = [runId('parallel-one'), `${runId('parallel-two')}-2`];

    const runs = await Promise.all(ids.map((id) => runGit(dirs, plan, fixture.taskQueue, id)));

    const cwds = new Set<string>();
    for (const [index, { run, result }] of runs.entries()) {
      const id = ids[index] ?? '';
      expect(result.status).toBe('succeeded');
      expect(run.code).toBe(0);
      const git = result.git;
      if (git === undefined) throw new Error('a result has no git section');
      expect(Object.keys(refsUnder(dirs.repo, `refs/fanout/${id}/`)).sort()).toEqual([
        `refs/fanout/${id}/integration`,
        `refs/fanout/${id}/units/a`,
        `refs/fanout/${id}/units/b`,
      ]);
      for (const unitId of ['a', 'b']) {
        expect(fileAt(dirs.repo, git.integration, `src/${unitId}/run.txt`)).toBe(id);
        cwds.add(evidenceCopy(dirs.repo, id, unitId, 'cwd.txt') ?? `missing ${id}/${unitId}`);
      }
      expect(refTarget(dirs.repo, `refs/heads/${git.branch}`)).toBe(git.integration);
    }
    expect(runs[0]?.result.git?.branch).not.toBe(runs[1]?.result.git?.branch);
    expect(cwds.size).toBe(4);
    for (const cwd of cwds) {
      expect(cwd.startsWith(`${dirs.worktrees}/`)).toBe(true);
      expect(cwd.startsWith(dirs.repo)).toBe(false);
    }
    expect(startLines(dirs)).toHaveLength(4);
    expect(statusLines(dirs.repo)).toEqual(['?? .agent/']);
    expect(workingTreesLeft(dirs.worktrees)).toEqual([]);
  });
});
