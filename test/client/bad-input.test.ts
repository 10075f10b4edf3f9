/** Bad input never ends in a stack trace: each case is one line on stderr and exit 2, through the real bin. */
import { mkdtempSync, openSync, closeSync, ftruncateSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireBuiltCli, runBuiltCli } from './helpers/built-cli';

requireBuiltCli();

const directory = mkdtempSync(path.join(os.tmpdir(), 'fanout-bad-input-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const target = path.join(directory, name);
  writeFileSync(target, content);
  return target;
}

async function expectOneLineRefusal(args: string[], pattern: RegExp): Promise<void> {
  const run = await runBuiltCli(args);
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(pattern);
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).not.toMatch(/^\s+at /m);
}

describe('agent-fanout validate with bad input', () => {
  it('refuses a missing file in one line', async () => {
    await expectOneLineRefusal(
      ['validate', path.join(directory, 'nope.json')],
      /^agent-fanout: plan file .*nope\.json does not exist; check the path/,
    );
  });

  it('refuses a directory in one line', async () => {
    await expectOneLineRefusal(['validate', directory], /is a directory, not a plan file/);
  });

  it('refuses invalid JSON in one line with its line and column', async () => {
    await expectOneLineRefusal(
      ['validate', file('broken.json', '{\n  "work_units": [\n}\n')],
      /is not valid JSON: .* at line 3, column 1$/m,
    );
  });

  it('refuses invalid YAML in one line with its line and column', async () => {
    await expectOneLineRefusal(
      ['validate', file('broken.yaml', 'work_units:\n  - unit_id: a\n unit_id: b\n')],
      /is not valid YAML: .* at line \d+, column \d+$/m,
    );
  });

  it('refuses a 50 MB file from its size, without reading it', async () => {
    const huge = path.join(directory, 'huge.json');
    const descriptor = openSync(huge, 'w');
    ftruncateSync(descriptor, 50 * 1024 * 1024);
    closeSync(descriptor);
    const started = Date.now();
    await expectOneLineRefusal(['validate', huge], /is 50\.0 MB, over the 10 MB limit for a plan/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it.each([
    ['a list', '[{"unit_id": "a"}]', 'list.json'],
    ['a number', '42', 'number.json'],
    ['a YAML scalar', 'just some text', 'text.yaml'],
  ])('refuses a plan that is %s in one line', async (_label, content, name) => {
    await expectOneLineRefusal(
      ['validate', file(name, content)],
      /does not hold a plan: found .*; a plan is an object with work_units/,
    );
  });

  it('refuses a file that is not UTF-8 in one line', async () => {
    await expectOneLineRefusal(
      ['validate', file('latin1.yaml', Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xe9, 0x0a]))],
      /is not UTF-8 text; save the plan as UTF-8/,
    );
  });

  it('refuses a malformed --agent-command in one line', async () => {
    await expectOneLineRefusal(
      ['validate', file('ok.json', '{"work_units": []}'), '--agent-command', 'claude -p'],
      /--agent-command must be a JSON array of strings/,
    );
  });
});

describe('agent-fanout run with a plan too large for one workflow input', () => {
  it('refuses it in one line, naming the size and the fix, before connecting anywhere', async () => {
    const units = Array.from({ length: 6000 }, (_, i) => ({
      unit_id: `u${i}`,
      description: `Rewrite module ${i}. ${'Keep the public API exactly as it is and update its tests. '.repeat(4)}`,
      allowed_directories: [`src/u${i}`],
    }));
    const plan = file('big.json', JSON.stringify({ agent: { command: ['true'] }, work_units: units }));
    // Port 1 answers nothing: reaching the network would fail differently (server unavailable).
    await expectOneLineRefusal(
      ['run', plan, '--address', '127.0.0.1:1', '--repo', directory],
      /the plan is \d\.\d\d MB as workflow input \(6000 units\); a run's input must stay under 1\.50 MB .*Shorten the descriptions/,
    );
  });
});
