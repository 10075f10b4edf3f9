/**
 * `run` in git mode through the real bin (SPEC §9): flag and checkout problems are one line on
 * stderr and exit 2 before any server is reached (the address answers nothing), leaving no ref.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { requireBuiltCli, runBuiltCli } from '../helpers/built-cli';
import { emptyDirectory, gitIn, removeRepos, repoWithCommit, repoWithoutCommit } from './git-repos';

requireBuiltCli();
afterAll(removeRepos);

const NO_SERVER = ['--address', '127.0.0.1:1'];

function planFile(workspace?: string): string {
  const file = path.join(emptyDirectory(), 'plan.json');
  const plan = {
    name: 'flags',
    ...(workspace === undefined ? {} : { workspace }),
    agent: { command: ['true'] },
    work_units: [{ unit_id: 'a', description: 'Do a.', allowed_directories: ['src/a'] }],
  };
  writeFileSync(file, JSON.stringify(plan));
  return file;
}

async function expectRefusal(args: string[], pattern: RegExp): Promise<void> {
  const run = await runBuiltCli(['run', ...args, ...NO_SERVER]);
  expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
  expect(run.stderr).toMatch(pattern);
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
}

/** Every ref of the repository: a refused run leaves only what was there. */
function refs(repo: string): string {
  return gitIn(repo, 'for-each-ref', '--format=%(refname)');
}

describe('run: git-only flags without git mode', () => {
  it.each([
    [['--base', 'main'], /^agent-fanout: --base applies only to git workspaces .*; add --workspace git/],
    [['--branch', 'x'], /^agent-fanout: --branch applies only to git workspaces/],
    [
      ['--into', 'main', '--keep-failed'],
      /^agent-fanout: --into, --keep-failed apply only to git workspaces .*add --workspace git \(or workspace: git in the plan\), or leave them out$/m,
    ],
  ])('refuses %j in a shared-checkout run', async (flags, pattern) => {
    const { repo } = repoWithCommit();
    await expectRefusal([planFile(), '--repo', repo, ...flags], pattern);
  });

  it('refuses them too when the flag says shared over a git plan', async () => {
    const { repo } = repoWithCommit();
    await expectRefusal(
      [planFile('git'), '--repo', repo, '--workspace', 'shared', '--keep-failed'],
      /--keep-failed applies only to git workspaces/,
    );
  });

  it('refuses an unknown --workspace mode', async () => {
    const { repo } = repoWithCommit();
    const run = await runBuiltCli([
      'run',
      planFile(),
      '--repo',
      repo,
      '--workspace',
      'worktree',
      ...NO_SERVER,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/argument 'worktree' is invalid. Allowed choices are shared, git/);
  });
});

describe('run --workspace git: the checkout and the names', () => {
  it('refuses a repo with no commit', async () => {
    const repo = repoWithoutCommit();
    await expectRefusal(
      [planFile(), '--repo', repo, '--workspace', 'git'],
      /^agent-fanout: .* has no commit yet; git mode starts from a commit\. Commit first, or use workspace: shared\.$/m,
    );
  });

  it('takes the mode from the plan too', async () => {
    const repo = repoWithoutCommit();
    await expectRefusal([planFile('git'), '--repo', repo], /has no commit yet/);
  });

  it('refuses an unknown --base, naming it', async () => {
    const { repo } = repoWithCommit();
    await expectRefusal(
      [planFile('git'), '--repo', repo, '--base', 'v9'],
      /^agent-fanout: --base 'v9' is not a commit in /,
    );
    expect(refs(repo)).toBe('refs/heads/main');
  });

  it('refuses a bad --branch and a bad --into', async () => {
    const { repo } = repoWithCommit();
    await expectRefusal(
      [planFile('git'), '--repo', repo, '--branch', 'a b'],
      /--branch 'a b' is not a usable branch name/,
    );
    await expectRefusal(
      [planFile('git'), '--repo', repo, '--into', 'x..y'],
      /--into 'x\.\.y' is not a usable branch name/,
    );
  });

  it('refuses an --id that cannot name refs/fanout/<id>/…', async () => {
    const { repo } = repoWithCommit();
    await expectRefusal(
      [planFile('git'), '--repo', repo, '--id', 'nightly/codemod'],
      /^agent-fanout: --id 'nightly\/codemod' cannot name the run's git refs/,
    );
  });

  it('gets past every check, says what uncommitted work is left out, and only then needs a server', async () => {
    const { repo, head } = repoWithCommit();
    writeFileSync(path.join(repo, 'wip.txt'), 'work in progress\n');
    const run = await runBuiltCli(['run', planFile('git'), '--repo', repo, '--into', 'main', ...NO_SERVER]);
    expect(run.stderr).toContain(
      `git mode starts from ${head.slice(0, 7)}; 1 uncommitted change(s) in ${repo} are not part of this run.\n`,
    );
    expect(run.code).toBe(1); // the server does not answer: nothing was started
    expect(refs(repo)).toBe('refs/heads/main');
    expect(existsSync(path.join(repo, '.agent'))).toBe(false);
  });
});
