/**
 * Issue 15 "Done when", SPEC §9 "Enforcement": with confinement off (so the git check, not
 * Landlock, is what stops it) a unit that changes files outside its area fails with the §9 text
 * listing the paths, and nothing of it is integrated; with retry.max_attempts 2, a unit whose
 * second attempt behaves succeeds with only its own change. `--keep-failed` keeps exactly the
 * failed attempts' working trees.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { refTarget, refsUnder, statusLines, treeFiles, workingTreesLeft } from '../helpers/git-repo';
import {
  EVIDENCE,
  countStart,
  gitTestDirs,
  runGit,
  runId,
  sh,
  startLines,
  writePlan,
  useGitAcceptance,
} from './git-harness';

const fixture = useGitAcceptance('git-enforcement');

describe('a unit that writes outside its allowed directories', () => {
  it('fails with the §9 text, is not integrated; a retried attempt that behaves succeeds', async () => {
    const dirs = gitTestDirs('outside', { 'README.md': 'a project\n', 'docs/guide.md': 'guide\n' });
    const outside = [
      'README.md',
      'docs/guide.md',
      'docs/new.md',
      'lib/x.js',
      'lib/y.js',
      'top.txt',
      'zz/last.txt',
    ];
    const trespass = outside.map((file) => `mkdir -p "$(dirname ${file})"; echo bad >> ${file}`).join('; ');
    const plan = writePlan(
      dirs,
      'outside',
      [
        {
          unit_id: 'bad',
          allowed_directories: ['src/bad'],
          command: sh(
            `${countStart(dirs.starts)}; mkdir -p src/bad; echo ok > src/bad/ok.txt; ${trespass}; ${EVIDENCE}`,
          ),
        },
        {
          unit_id: 'mended',
          allowed_directories: ['src/mended'],
          retry: { max_attempts: 2, initial_interval: '1s' },
          command: sh(
            `${countStart(dirs.starts)}; if [ "$FANOUT_ATTEMPT" = 1 ]; then echo oops > stray.txt; fi; mkdir -p src/mended; echo ok > src/mended/ok.txt; ${EVIDENCE}`,
          ),
        },
      ],
      { confinement: 'off', on_failure: 'continue' },
    );
    const id = runId('outside');

    const { run, result } = await runGit(dirs, plan, fixture.taskQueue, id, ['--keep-failed']);

    expect(result.status).toBe('failed');
    expect(run.code).toBe(1);
    expect(result.units.bad).toMatchObject({
      status: 'FAILED',
      attempts: 1,
      error:
        "Worker 'bad' changed files outside its allowed directories: README.md, docs/guide.md, docs/new.md, lib/x.js, lib/y.js and 2 more",
    });
    expect(result.units.bad?.commit).toBeUndefined();
    expect(result.units.mended).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
    const retrying = result.events.find(
      (event) => event.type === 'worker_retrying' && event.unit_id === 'mended',
    );
    expect((retrying as { error?: string } | undefined)?.error).toBe(
      "Worker 'mended' changed files outside its allowed directories: stray.txt",
    );
    expect(startLines(dirs).sort()).toEqual([
      `bad attempt=1 run=${id}`,
      `mended attempt=1 run=${id}`,
      `mended attempt=2 run=${id}`,
    ]);

    const git = result.git;
    if (git === undefined) throw new Error('the result has no git section');
    expect(refTarget(dirs.repo, `refs/fanout/${id}/units/bad`)).toBeUndefined();
    expect(Object.keys(refsUnder(dirs.repo, `refs/fanout/${id}/units/`))).toEqual([
      `refs/fanout/${id}/units/mended`,
    ]);
    expect(treeFiles(dirs.repo, git.units.mended ?? '')).toEqual([
      'README.md',
      'docs/guide.md',
      'src/mended/ok.txt',
    ]);
    expect(treeFiles(dirs.repo, git.integration)).toEqual([
      'README.md',
      'docs/guide.md',
      'src/mended/ok.txt',
    ]);
    expect(statusLines(dirs.repo)).toEqual(['?? .agent/']);

    // --keep-failed: the two failed attempts' trees stay (with what they wrote), the success's is gone.
    const kept = workingTreesLeft(dirs.worktrees);
    expect(kept).toHaveLength(2);
    const keptUnits = kept.map((tree) =>
      existsSync(path.join(tree, '.agent', 'workers', 'bad'))
        ? 'bad'
        : existsSync(path.join(tree, 'stray.txt'))
          ? 'mended'
          : '?',
    );
    expect(keptUnits.sort()).toEqual(['bad', 'mended']);
    for (const tree of kept) expect(path.relative(dirs.worktrees, tree).startsWith('..')).toBe(false);
  });
});
