/** The client's half of a git run (SPEC §9) on real repositories: base, branch, identity, the uncommitted line. */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../../src/client/errors';
import { resolveGitRun, type GitRunRequest } from '../../../src/client/git-mode/git-run-settings';
import { defaultBranch } from '../../../src/client/git-mode/ref-names';
import { emptyDirectory, gitIn, removeRepos, repoWithCommit, repoWithoutCommit } from './git-repos';

afterAll(removeRepos);

const NOW = new Date('2026-12-03T10:00:00.000Z');

function request(repo: string, extra: Partial<GitRunRequest> = {}): GitRunRequest {
  return {
    repo,
    planName: 'API codemod!',
    workflowId: 'fanout-api-codemod-1a2b3c4d',
    idSource: '--id',
    keepFailed: false,
    now: NOW,
    ...extra,
  };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UsageError);
  return (error as UsageError).message;
}

describe('defaultBranch', () => {
  it('is fanout/<slug of the plan name>-<first 8 hex of sha256(workflow id)>', () => {
    const hash = createHash('sha256').update('fanout-x-12345678').digest('hex').slice(0, 8);
    expect(defaultBranch('API codemod!', 'fanout-x-12345678')).toBe(`fanout/api-codemod-${hash}`);
    expect(defaultBranch('***', 'id')).toMatch(/^fanout\/plan-[0-9a-f]{8}$/);
  });

  it('differs between two runs of one plan', () => {
    expect(defaultBranch('p', 'fanout-p-aaaaaaaa')).not.toBe(defaultBranch('p', 'fanout-p-bbbbbbbb'));
  });
});

describe('resolveGitRun', () => {
  it('starts from HEAD with the run identity, the default branch and no notice in a clean checkout', async () => {
    const { repo, head } = repoWithCommit();
    // The run's own output under .agent/ is not the user's work.
    mkdirSync(path.join(repo, '.agent', 'workers'), { recursive: true });
    writeFileSync(path.join(repo, '.agent', 'workers', 'x.log'), 'x\n');
    const settings = await resolveGitRun(request(repo));
    expect(settings).toEqual({
      git: {
        base: head,
        branch: defaultBranch('API codemod!', 'fanout-api-codemod-1a2b3c4d'),
        keepFailed: false,
        identity: { name: 'agent-fanout', email: 'agent-fanout@localhost', date: '2026-12-03T10:00:00.000Z' },
      },
    });
  });

  it('resolves --base to a commit SHA and carries --branch, --into and --keep-failed', async () => {
    const { repo, head } = repoWithCommit();
    gitIn(repo, 'tag', 'v1');
    writeFileSync(path.join(repo, 'later.txt'), 'later\n');
    gitIn(repo, 'add', '.');
    gitIn(repo, 'commit', '-q', '-m', 'later');
    const settings = await resolveGitRun(
      request(repo, { base: 'v1', branch: 'review/codemod', into: 'main', keepFailed: true }),
    );
    expect(settings.git).toMatchObject({
      base: head,
      branch: 'review/codemod',
      into: 'main',
      keepFailed: true,
    });
  });

  it('says in one line how many uncommitted changes are left out of the run', async () => {
    const { repo, head } = repoWithCommit();
    writeFileSync(path.join(repo, 'README.md'), 'changed\n');
    writeFileSync(path.join(repo, 'new.txt'), 'new\n');
    mkdirSync(path.join(repo, '.agent'));
    writeFileSync(path.join(repo, '.agent', 'state.json'), '{}\n');
    const settings = await resolveGitRun(request(repo));
    expect(settings.notice).toBe(
      `git mode starts from ${head.slice(0, 7)}; 2 uncommitted change(s) in ${repo} are not part of this run.`,
    );
  });

  it('refuses a repository with no commit, in the words of SPEC §9', async () => {
    const repo = repoWithoutCommit();
    expect(await refusal(resolveGitRun(request(repo)))).toBe(
      `${repo} has no commit yet; git mode starts from a commit. Commit first, or use workspace: shared.`,
    );
  });

  it('refuses a directory that is not a repository', async () => {
    const directory = emptyDirectory();
    expect(await refusal(resolveGitRun(request(directory)))).toMatch(
      /is not a git repository; git mode starts from a commit of one\. Run git init and commit there, or use workspace: shared\.$/,
    );
  });

  it('refuses an unknown --base, naming the flag', async () => {
    const { repo } = repoWithCommit();
    expect(await refusal(resolveGitRun(request(repo, { base: 'no-such-rev' })))).toMatch(
      /^--base 'no-such-rev' is not a commit in .*; pass a branch, tag or commit SHA/,
    );
  });

  it.each([
    ['--branch', { branch: 'two..dots' }],
    ['--branch', { branch: '@{-1}' }],
    ['--into', { into: 'has space' }],
    ['--into', { into: 'main.lock' }],
  ])('refuses a %s git would not take as a branch name', async (flag, extra) => {
    const { repo } = repoWithCommit();
    expect(await refusal(resolveGitRun(request(repo, extra)))).toMatch(
      new RegExp(`^${flag} '.*' is not a usable branch name`),
    );
  });

  it('refuses a branch that already exists, and --into naming the run branch', async () => {
    const { repo } = repoWithCommit();
    gitIn(repo, 'branch', 'taken');
    expect(await refusal(resolveGitRun(request(repo, { branch: 'taken' })))).toMatch(
      /^branch 'taken' already exists in .*; .*pass --branch <new name>, or delete the old one first \(git branch -D taken\)$/,
    );
    expect(await refusal(resolveGitRun(request(repo, { branch: 'mine', into: 'mine' })))).toMatch(
      /^--into 'mine' is the run's own branch/,
    );
  });

  it('refuses a workflow id whose refs an earlier run left (run --allow-rerun with the same --id)', async () => {
    const { repo, head } = repoWithCommit();
    gitIn(repo, 'update-ref', 'refs/fanout/fanout-api-codemod-1a2b3c4d/units/a', head);
    expect(await refusal(resolveGitRun(request(repo, { branch: 'fresh' })))).toMatch(
      /^an earlier run 'fanout-api-codemod-1a2b3c4d' left its commits in .*refs\/fanout\/fanout-api-codemod-1a2b3c4d\/\); a git run needs an id of its own/,
    );
    gitIn(repo, 'update-ref', '-d', 'refs/fanout/fanout-api-codemod-1a2b3c4d/units/a');
    gitIn(repo, 'update-ref', 'refs/fanout/fanout-api-codemod-1a2b3c4d-other/integration', head);
    expect((await resolveGitRun(request(repo, { branch: 'fresh' }))).git.branch).toBe('fresh');
  });

  it.each(['nightly/one', 'ends.lock', 'two..dots'])(
    'refuses the workflow id %s, which cannot be one component of refs/fanout/<id>/…',
    async (workflowId) => {
      const { repo } = repoWithCommit();
      expect(await refusal(resolveGitRun(request(repo, { workflowId })))).toMatch(
        new RegExp(`^--id '${workflowId.replace(/\./g, '\\.')}' cannot name the run's git refs`),
      );
    },
  );
});
