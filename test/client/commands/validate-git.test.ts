/** `validate` and `graph` of a git plan (SPEC §9) predict what each unit's starting point merges. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../../src/client/main';
import { captureIo } from '../helpers/capture-io';

const directory = mkdtempSync(path.join(os.tmpdir(), 'fanout-validate-git-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** a and b independent, c after both; s1 and s2 share src/shared under overlap: serialize. */
const PLAN = `name: joins
overlap: serialize
agent: { command: [agent] }
work_units:
  - { unit_id: a, description: Do a., allowed_directories: [src/a] }
  - { unit_id: b, description: Do b., allowed_directories: [src/b] }
  - { unit_id: c, description: Join., allowed_directories: [src/c], dependencies: [a, b] }
  - { unit_id: s1, description: First edit., allowed_directories: [src/shared] }
  - { unit_id: s2, description: Second edit., allowed_directories: [src/shared] }
`;

function planFile(name: string, text: string): string {
  const file = path.join(directory, name);
  writeFileSync(file, text);
  return file;
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = captureIo(directory);
  const code = await main(args, output.io);
  return { code, stdout: output.stdout(), stderr: output.stderr() };
}

describe('validate of a git plan', () => {
  it('lists the units whose starting point merges others, and the next command keeps --workspace', async () => {
    const file = planFile('joins.yaml', PLAN);
    const run = await cli(['validate', file, '--workspace', 'git']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      [
        '  workspace        git: a working tree per unit from its starting point; the run ends as a branch',
        '  starting points  the base, merged with (a prediction; others start from the base):',
        '    c: a, b',
        '    s2: s1',
      ].join('\n'),
    );
    expect(run.stdout).toContain(`Next: agent-fanout run ${file} --workspace git\n`);
  });

  it('takes the mode from the plan, and says when every unit starts from the base', async () => {
    const file = planFile('flat.yaml', `workspace: git\n${PLAN.split('  - { unit_id: c')[0] ?? ''}`);
    const run = await cli(['validate', file]);
    expect(run.stdout).toContain('  starting points  every unit starts from the base\n');
  });

  it('gives the prediction as data with --json', async () => {
    const run = await cli(['validate', planFile('json.yaml', `workspace: git\n${PLAN}`), '--json']);
    const data = JSON.parse(run.stdout) as { summary: Record<string, unknown> };
    expect(data.summary['workspace']).toBe('git');
    expect(data.summary['starting_points']).toEqual({ a: [], b: [], c: ['a', 'b'], s1: [], s2: ['s1'] });
  });

  it('says nothing of starting points for a shared plan', async () => {
    const run = await cli(['validate', planFile('shared.yaml', PLAN)]);
    expect(run.stdout).not.toMatch(/workspace|starting points/);
    const json = await cli(['validate', planFile('shared.yaml', PLAN), '--json']);
    expect(Object.keys((JSON.parse(json.stdout) as { summary: object }).summary)).not.toContain('workspace');
  });
});

describe('graph of a git plan', () => {
  it('labels each unit with what it starts from, in Mermaid and DOT', async () => {
    const file = planFile('graph.yaml', PLAN);
    const mermaid = await cli(['graph', file, '--workspace', 'git']);
    expect(mermaid.stdout).toMatch(/\["c<br\/>Join\.<br\/>from base \+ a, b"\]/);
    expect(mermaid.stdout).toMatch(/\["a<br\/>Do a\.<br\/>from base"\]/);
    const dot = await cli(['graph', file, '--workspace', 'git', '--format', 'dot']);
    expect(dot.stdout).toContain('"s2" [label="s2\\nSecond edit.\\nfrom base + s1"];');
    const shared = await cli(['graph', file]);
    expect(shared.stdout).not.toContain('from base');
  });
});
