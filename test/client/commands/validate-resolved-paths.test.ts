/** SPEC §8.5 on the client: `validate --repo` judges allowed directories as they resolve there; exit 2. */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from '../../../src/client/commands/validate';
import { PlanRejected } from '../../../src/client/errors';
import { captureIo } from '../helpers/capture-io';
import { requireBuiltCli, runBuiltCli } from '../helpers/built-cli';

const directory = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fanout-validate-resolved-')));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const reservedText = (raw: string): string =>
  `Work unit 'a' declares reserved path '${raw}' as an edit area. Reserved paths (.agent, .git, .) may not be declared as allowed_directories. Choose a project-owned subdirectory.`;

/** A repo whose `src/a` is a link to `target`, and a plan of units a (src/a) and b (lib/b) in it. */
function repoWithLink(name: string, target: string): { repo: string; plan: string } {
  const repo = path.join(directory, name);
  for (const dir of ['.git/hooks', '.agent/workers', 'lib/b', 'src'])
    mkdirSync(path.join(repo, dir), { recursive: true });
  symlinkSync(target, path.join(repo, 'src/a'));
  const plan = path.join(repo, 'plan.json');
  writeFileSync(
    plan,
    JSON.stringify({
      agent: { command: ['agent'] },
      work_units: [
        { unit_id: 'a', description: 'A.', allowed_directories: ['src/a'] },
        { unit_id: 'b', description: 'B.', allowed_directories: ['lib/b'] },
      ],
    }),
  );
  return { repo, plan };
}

describe('run --repo (SPEC §8.5)', () => {
  it('rejects the plan before connecting: exit 2, the rejected result on stdout, no namespace written', async () => {
    requireBuiltCli();
    const { repo, plan } = repoWithLink('run', '../.git/hooks');
    const result = await runBuiltCli(['run', plan, '--repo', repo, '--json', '--address', '127.0.0.1:1']);
    expect(result.code).toBe(2);
    const text = `parallel preflight rejected plan: ${reservedText('.git/hooks')} (via symlink 'src/a' -> '.git/hooks')`;
    expect(JSON.parse(result.stdout)).toEqual({
      status: 'rejected',
      events: [{ type: 'worker_failed', unit_id: '__preflight__', exit_code: 2, error: text }],
      units: {},
    });
    expect(existsSync(path.join(repo, '.agent/workers/a'))).toBe(false);
  });
});

describe('validate --repo (SPEC §8.5)', () => {
  it.each([
    ['into .git', '../.git/hooks', `${reservedText('.git/hooks')} (via symlink 'src/a' -> '.git/hooks')`],
    [
      'into .agent',
      '../.agent/workers',
      `${reservedText('.agent/workers')} (via symlink 'src/a' -> '.agent/workers')`,
    ],
    [
      "onto another unit's area",
      '../lib/b',
      "Work unit 'a' edit area 'lib/b' overlaps with work unit 'b' edit area 'lib/b'. Choose disjoint subdirectories or merge the work units. (via symlink 'src/a' -> 'lib/b')",
    ],
  ])('rejects an allowed directory that links %s', async (name, target, text) => {
    const { repo, plan } = repoWithLink(name.replace(/\W+/g, '-'), target);
    const output = captureIo(directory);
    await expect(run({ plan, repo }, output.io)).rejects.toThrow(new PlanRejected(text, 'rejected'));
  });

  it('judges the current directory when --repo is not given, and accepts a link to a free place', async () => {
    const { repo, plan } = repoWithLink('free', '../free');
    mkdirSync(path.join(repo, 'free'));
    await expect(run({ plan }, captureIo(repo).io)).resolves.toBe(0);
  });

  it('exits 2 from the command line with the preflight text', async () => {
    requireBuiltCli();
    const { repo, plan } = repoWithLink('cli', '../.git');
    const result = await runBuiltCli(['validate', plan, '--repo', repo]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `parallel preflight rejected plan: ${reservedText('.git')} (via symlink 'src/a' -> '.git')`,
    );
  });
});
