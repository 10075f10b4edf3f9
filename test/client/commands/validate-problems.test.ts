/**
 * `agent-fanout validate` reports every problem of a plan in one pass (SPEC §2), through the real
 * bin: each problem's first line is its exact text, then where it is and any suggestion.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireBuiltCli, runBuiltCli } from '../helpers/built-cli';

requireBuiltCli();

const directory = mkdtempSync(path.join(os.tmpdir(), 'fanout-validate-problems-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function planFile(name: string, text: string): string {
  const file = path.join(directory, name);
  writeFileSync(file, text);
  return file;
}

const unitYaml = (unitId: string, extra = '') =>
  `  - unit_id: ${unitId}\n    description: Do ${unitId}.\n    allowed_directories: [src/${unitId}]\n${extra}`;

/** Five independent mistakes: a top-level typo, an unknown unit key, a bad directory, a misspelt dependency, a cycle. */
const FIVE_MISTAKES = [
  'name: five', //                                       1
  'max_worker: 4', //                                    2
  "agent: { command: [claude, -p, '{prompt_file}'] }", // 3
  'work_units:', //                                      4
  unitYaml('client').trimEnd(), //                       5-7
  '  - unit_id: server', //                              8
  '    description: Do server.', //                      9
  '    allowed_directories: [/srv]', //                  10
  '    depends_on: [client]', //                         11
  unitYaml('docs', '    dependencies: [clinet]').trimEnd(), // 12-15
  unitYaml('a', '    dependencies: [c]').trimEnd(), //   16-19
  unitYaml('b', '    dependencies: [a]').trimEnd(), //   20-23
  unitYaml('c', '    dependencies: [b]').trimEnd(), //   24-27
  '',
].join('\n');

describe('agent-fanout validate with several mistakes', () => {
  it('prints five problems in one run, each with its line and column, and exits 2', async () => {
    const file = planFile('five.yaml', FIVE_MISTAKES);
    const run = await runBuiltCli(['validate', file]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const problems = run.stderr.split('\n\n');
    expect(problems.slice(0, 5).map((problem) => problem.split('\n').slice(0, 2))).toEqual([
      [
        "parallel preflight rejected plan: max_worker: unknown top-level key, too close to 'max_workers' to ignore",
        `  at ${file}:2:1`,
      ],
      ["Work unit 'server' has unknown key 'depends_on'", `  at ${file}:11:5 (work_units[1].depends_on)`],
      [
        'allowed_directories entries must be relative paths',
        `  at ${file}:10:27 (work_units[1].allowed_directories[0])`,
      ],
      [
        "Unknown dependency 'clinet' in work unit 'docs'",
        `  at ${file}:15:20 (work_units[2].dependencies[0])`,
      ],
      ["Dependency cycle detected at 'a'", `  at ${file}:23:20 (work_units[4].dependencies[0])`],
    ]);
    expect(problems[5]).toBe(
      `5 problems in ${file}; a run records only the first. Fix them and check again with agent-fanout validate ${file}\n`,
    );
  });

  it("suggests the closest unit id for an unknown dependency: did you mean 'client'?", async () => {
    const run = await runBuiltCli(['validate', planFile('five.yaml', FIVE_MISTAKES)]);
    expect(run.stderr).toMatch(
      /\nUnknown dependency 'clinet' in work unit 'docs'\n {2}at [^\n]+\n {2}did you mean 'client'\?\n/,
    );
  });

  it('lists the allowed keys for an unknown key in a unit, with the key it stands for', async () => {
    const run = await runBuiltCli(['validate', planFile('five.yaml', FIVE_MISTAKES)]);
    expect(run.stderr).toContain(
      "Work unit 'server' has unknown key 'depends_on'\n" +
        `  at ${path.join(directory, 'five.yaml')}:11:5 (work_units[1].depends_on)\n` +
        "  did you mean 'dependencies'?\n" +
        '  allowed keys: unit_id, description, allowed_directories, dependencies, step_ids, command, env, timeout, idle_timeout, retry\n',
    );
  });

  it('shows a cycle as its path of dependencies', async () => {
    const run = await runBuiltCli(['validate', planFile('five.yaml', FIVE_MISTAKES)]);
    expect(run.stderr).toMatch(
      /\nDependency cycle detected at 'a'\n {2}at [^\n]+\n {2}cycle: a -> c -> b -> a \(each unit depends on the next\)\n/,
    );
  });

  it('refuses a top-level key one typo from a known one, and run starts nothing', async () => {
    const repo = mkdtempSync(path.join(directory, 'repo-'));
    const text = `max_worker: 1\nagent: { command: [agent] }\nwork_units:\n${unitYaml('a')}`;
    const file = planFile('typo.yaml', text);
    const validate = await runBuiltCli(['validate', file]);
    expect(validate.code).toBe(2);
    expect(validate.stderr).toBe(
      "parallel preflight rejected plan: max_worker: unknown top-level key, too close to 'max_workers' to ignore\n" +
        `  at ${file}:1:1\n  did you mean 'max_workers'?\n`,
    );
    // No server listens on port 1: a run that got past the plan would fail to connect (exit 1).
    const run = await runBuiltCli(['run', file, '--repo', repo, '--address', '127.0.0.1:1']);
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe(
      "parallel preflight rejected plan: max_worker: unknown top-level key, too close to 'max_workers' to ignore",
    );
    expect(existsSync(path.join(repo, '.agent'))).toBe(false);
  });

  it('keeps ignoring, with a warning, a top-level key unlike every known one', async () => {
    const text = `phase: development\nagent: { command: [agent] }\nwork_units:\n${unitYaml('a')}`;
    const run = await runBuiltCli(['validate', planFile('ralph.yaml', text)]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^warning: ignoring unknown top-level key 'phase'/);
  });
});

describe('agent-fanout validate --json', () => {
  it('prints the problems as data on stdout and exits 2', async () => {
    const file = planFile('five.yaml', FIVE_MISTAKES);
    const run = await runBuiltCli(['validate', file, '--json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('');
    const verdict = JSON.parse(run.stdout) as { valid: boolean; problems: unknown[] };
    expect(verdict).toMatchObject({ valid: false, notes: [], warnings: [] });
    expect(verdict.problems).toHaveLength(5);
    expect(verdict.problems[3]).toEqual({
      message: "Unknown dependency 'clinet' in work unit 'docs'",
      hints: ["did you mean 'client'?"],
      kind: 'rejected',
      path: 'work_units[2].dependencies[0]',
      line: 15,
      column: 20,
    });
  });

  it('prints the summary of a valid plan as data and exits 0', async () => {
    const text = `name: pair\nagent: { command: [agent] }\nwork_units:\n${unitYaml('a')}${unitYaml('b', '    dependencies: [a]\n')}`;
    const run = await runBuiltCli(['validate', planFile('pair.yaml', text), '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      valid: true,
      problems: [],
      notes: [],
      warnings: [],
      summary: {
        name: 'pair',
        units: 2,
        dependencies: 1,
        max_workers: 8,
        on_failure: 'cancel',
        overlap: 'reject',
        critical_path: ['a', 'b'],
        predicted_waves: [['a'], ['b']],
      },
    });
  });

  it('gives a syntax error its line and column', async () => {
    const run = await runBuiltCli([
      'validate',
      planFile('broken.json', '{\n  "work_units": [,]\n}\n'),
      '--json',
    ]);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({
      valid: false,
      problems: [{ kind: 'syntax', line: 2, column: 18 }],
    });
  });
});
