/**
 * A git run through the real CLI against the test server (SPEC §9): `run --workspace git` ends
 * on a branch the result names; `retry --plan` of it keeps the base and the mode, reuses the
 * unit that succeeded (same commit) and ends on a new branch holding both units' work.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FanoutResult } from '../../../src/plan/types';
import { testServer, useFanoutWorker } from '../../helpers/fanout-worker';
import { FAKE_AGENT, runCli } from '../../helpers/scenario-runner';
import { requireBuiltCli } from '../helpers/built-cli';
import { emptyDirectory, gitIn, removeRepos, repoWithCommit } from './git-repos';

const fixture = useFanoutWorker('git-run-cli');
beforeAll(() => requireBuiltCli());
afterAll(removeRepos);

const connection = (): string[] => [
  '--address',
  testServer().address,
  '--namespace',
  testServer().namespace,
  '--task-queue',
  fixture.taskQueue,
];

function planFile(bCommand: readonly string[], workspace?: string): string {
  const file = path.join(emptyDirectory(), 'plan.json');
  const unit = (unitId: string, command: readonly string[]) => ({
    unit_id: unitId,
    description: `Unit ${unitId}.`,
    allowed_directories: [`src/${unitId}`],
    command,
  });
  const plan = {
    name: 'git cli',
    ...(workspace === undefined ? {} : { workspace }),
    on_failure: 'continue',
    work_units: [
      unit('a', [FAKE_AGENT, '--write', 'src/a/a.txt', 'from a', '--artifact', 'out.md']),
      unit('b', bCommand),
    ],
  };
  writeFileSync(file, JSON.stringify(plan));
  return file;
}

function parsed(stdout: string): FanoutResult {
  return JSON.parse(stdout) as FanoutResult;
}

describe('a git run at the command line', () => {
  it('ends on its branch, and a retry reuses the commit that succeeded and ends on a new branch', async () => {
    const { repo, head } = repoWithCommit();
    const failing = planFile([FAKE_AGENT, '--exit', '1'], 'git');
    const first = await runCli(['run', failing, '--repo', repo, '--json', ...connection()], 180_000);
    expect(first.code).toBe(1);
    const result = parsed(first.stdout);
    expect(result.git?.base).toBe(head);
    expect(result.git?.branch).toMatch(/^fanout\/git-cli-[0-9a-f]{8}$/);
    const commitA = result.units['a']?.commit;
    expect(commitA).toMatch(/^[0-9a-f]{40}$/);
    expect(gitIn(repo, 'rev-parse', `refs/heads/${result.git?.branch ?? ''}`)).toBe(result.git?.integration);

    const status = await runCli(['status', result.workflow_id ?? '', ...connection()], 60_000);
    expect(status.stdout).toMatch(new RegExp(`^a\\s+SUCCEEDED\\s+1\\s+${(commitA ?? '').slice(0, 7)}$`, 'm'));
    expect(status.stdout).toContain(`; merge it: git merge ${result.git?.branch ?? ''}\n`);

    // The edited plan has no workspace key: the retry keeps the old run's mode.
    const fixed = planFile([FAKE_AGENT, '--write', 'src/b/b.txt', 'from b', '--artifact', 'out.md']);
    const id = result.workflow_id ?? '';
    const retried = await runCli(['retry', id, '--plan', fixed, '--json', ...connection()], 180_000);
    expect({ code: retried.code, stderr: retried.stderr }).toMatchObject({ code: 0 });
    const again = parsed(retried.stdout);
    expect(again.units['a']?.reused_from).toBe(id);
    expect(again.units['a']?.commit).toBe(commitA);
    expect(again.git?.base).toBe(head);
    expect(again.git?.branch).toMatch(/^fanout\/git-cli-[0-9a-f]{8}$/);
    expect(again.git?.branch).not.toBe(result.git?.branch);
    const branch = again.git?.branch ?? '';
    expect(gitIn(repo, 'show', `${branch}:src/a/a.txt`)).toBe('from a');
    expect(gitIn(repo, 'show', `${branch}:src/b/b.txt`)).toBe('from b');
    // The checkout's own files were never touched.
    expect(gitIn(repo, 'status', '--porcelain', '--', '.', ':(exclude).agent')).toBe('');
  });

  it('holds no lock on the checkout: two git runs of it go at once, each to its own branch', async () => {
    const { repo } = repoWithCommit();
    const plan = planFile(
      [FAKE_AGENT, '--sleep-ms', '1500', '--write', 'src/b/b.txt', 'b', '--artifact', 'out.md'],
      'git',
    );
    const [one, two] = await Promise.all(
      [0, 1].map((n) =>
        runCli(
          ['run', plan, '--repo', repo, '--id', `git-cli-${n}-${Date.now()}`, '--json', ...connection()],
          180_000,
        ),
      ),
    );
    expect([one?.code, two?.code]).toEqual([0, 0]);
    const branches = [one, two].map((run) => parsed(run?.stdout ?? '').git?.branch);
    expect(new Set(branches).size).toBe(2);
    for (const branch of branches) expect(gitIn(repo, 'show', `${branch ?? ''}:src/b/b.txt`)).toBe('b');
  });

  it('with --into main, moves main to the outcome and says so under the result table', async () => {
    const { repo, head } = repoWithCommit();
    const plan = planFile([FAKE_AGENT, '--write', 'src/b/b.txt', 'b', '--artifact', 'out.md'], 'git');
    const run = await runCli(['run', plan, '--repo', repo, '--into', 'main', ...connection()], 180_000);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^unit\s+status\s+attempts\s+exit\s+commit\s+note$/m);
    const branch = /^Branch: {2}(fanout\/git-cli-[0-9a-f]{8}) at ([0-9a-f]{7}) /m.exec(run.stdout);
    expect(run.stdout).toContain(`         merge:  git merge ${branch?.[1] ?? '?'}\n`);
    expect(run.stdout).toMatch(/^Into: {4}main \(fast-forward\)/m);
    const main = gitIn(repo, 'rev-parse', 'main');
    expect(main).not.toBe(head);
    expect(main.startsWith(branch?.[2] ?? '?')).toBe(true);
    expect(gitIn(repo, 'show', 'main:src/b/b.txt')).toBe('b');
  });
});
