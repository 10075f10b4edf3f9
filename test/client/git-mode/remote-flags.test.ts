/**
 * `run --remote` and `--host-loss-timeout` through the real bin, from a directory with no checkout
 * (SPEC §10): every refusal is one line on stderr and exit 2 before any server is reached (the
 * address answers nothing), and the remote keeps the refs it had.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { baseRef } from '../../../src/contracts/hosts';
import { CLI, type CliRun } from '../../helpers/scenario-runner';
import { requireBuiltCli } from '../helpers/built-cli';
import { emptyDirectory, gitIn, removeRepos } from './git-repos';
import { bareRemote, refsOf } from './remote-repos';

requireBuiltCli();
afterAll(removeRepos);

const NO_SERVER = ['--address', '127.0.0.1:1'];

/** The bin run in `cwd` (the tests' other CLI helper always runs in the project's checkout). */
function cliIn(cwd: string, args: readonly string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A directory holding only plan.json: no checkout anywhere above it but the temporary directory. */
function planDirectory(workspace?: string, extra: Record<string, unknown> = {}): string {
  const directory = emptyDirectory();
  const plan = {
    name: 'remote-flags',
    ...(workspace === undefined ? {} : { workspace }),
    ...extra,
    agent: { command: ['true'] },
    work_units: [{ unit_id: 'a', description: 'Do a.', allowed_directories: ['src/a'] }],
  };
  writeFileSync(path.join(directory, 'plan.json'), JSON.stringify(plan));
  return directory;
}

async function expectRefusal(cwd: string, args: string[], text: string | RegExp): Promise<void> {
  const run = await cliIn(cwd, ['run', 'plan.json', ...args, ...NO_SERVER]);
  expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
  if (typeof text === 'string') expect(run.stderr).toBe(`agent-fanout: ${text}\n`);
  else expect(run.stderr).toMatch(text);
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
}

describe('run --remote: refusals before anything starts', () => {
  it('needs git mode, and says to add --workspace git', async () => {
    const { remote } = bareRemote();
    await expectRefusal(
      planDirectory(),
      ['--remote', remote],
      '--remote applies only to git workspaces and this run uses the shared checkout; add --workspace git (or workspace: git in the plan), or leave it out',
    );
  });

  it('refuses --host-loss-timeout without --remote, naming the fix', async () => {
    await expectRefusal(
      planDirectory('git'),
      ['--host-loss-timeout', '5m'],
      '--host-loss-timeout applies only to runs on many hosts and this run has no --remote; add --remote <url> (with --workspace git), or leave it out',
    );
  });

  it.each([
    [
      '5 minutes',
      "--host-loss-timeout '5 minutes' is not a duration; write it like 500ms, 30s, 5m or 2h, or as whole milliseconds",
    ],
    ['0s', '--host-loss-timeout must be longer than 0 (got 0s)'],
    ['8d', '--host-loss-timeout must be at most 7d (got 8d)'],
  ])('refuses --host-loss-timeout %s', async (value, text) => {
    const { remote } = bareRemote();
    await expectRefusal(planDirectory('git'), ['--remote', remote, '--host-loss-timeout', value], text);
  });

  it('refuses a plan whose host_loss_timeout is not a duration, at its line and column', async () => {
    const { remote } = bareRemote();
    const run = await cliIn(planDirectory('git', { host_loss_timeout: 'soon' }), [
      'run',
      'plan.json',
      '--remote',
      remote,
      ...NO_SERVER,
    ]);
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(
      /rejected plan: host_loss_timeout: "soon" is not a duration; write it like 500ms, 30s, 5m or 2h, or as whole milliseconds\n {2}at plan\.json:1:\d+\n$/,
    );
  });

  it("refuses a remote git cannot reach, with git's reason", async () => {
    const cwd = planDirectory('git');
    await expectRefusal(
      cwd,
      ['--remote', 'nowhere.git'],
      `could not reach the remote ${cwd}/nowhere.git: '${cwd}/nowhere.git' does not appear to be a git repository; ` +
        `check the URL, that a git repository is there and that this host may read it (\`git ls-remote ${cwd}/nowhere.git\` must answer), then run again`,
    );
  });

  it('refuses a branch that exists on the remote, leaving its refs alone', async () => {
    const { remote } = bareRemote();
    const before = refsOf(remote);
    await expectRefusal(
      planDirectory('git'),
      ['--remote', remote, '--branch', 'main'],
      /^agent-fanout: branch 'main' already exists on the remote .*remote\.git; a run ends on a branch of its own/,
    );
    expect(refsOf(remote)).toBe(before);
  });
});

describe('run --remote: past every check', () => {
  it('needs no checkout: the base comes from ls-remote, and only the server is missing', async () => {
    const { remote } = bareRemote();
    const before = refsOf(remote);
    const run = await cliIn(planDirectory('git'), ['run', 'plan.json', '--remote', remote, ...NO_SERVER]);
    expect(run.code).toBe(1); // the server does not answer: nothing was started
    expect(run.stderr).toMatch(/No Temporal server answers at 127\.0\.0\.1:1/);
    expect(refsOf(remote)).toBe(before);
  });

  it('with --repo, says what uncommitted work is left out and pushes nothing before the server answers', async () => {
    const { remote, checkout } = bareRemote();
    writeFileSync(path.join(checkout, 'wip.txt'), 'wip\n');
    const before = refsOf(remote);
    const run = await cliIn(emptyDirectory(), [
      'run',
      path.join(planDirectory('git'), 'plan.json'),
      '--remote',
      remote,
      '--repo',
      checkout,
      '--id',
      'remote-flags-1',
      ...NO_SERVER,
    ]);
    const head = gitIn(checkout, 'rev-parse', 'HEAD');
    expect(run.stderr).toContain(
      `git mode starts from ${head.slice(0, 7)}; 1 uncommitted change(s) in ${checkout} are not part of this run.\n`,
    );
    expect(run.code).toBe(1);
    expect(refsOf(remote)).toBe(before);
    expect(refsOf(remote)).not.toContain(baseRef('remote-flags-1'));
  });
});
