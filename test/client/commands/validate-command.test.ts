import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from '../../../src/client/commands/validate';
import { PlanRejected, UsageError } from '../../../src/client/errors';
import { captureIo } from '../helpers/capture-io';

const directory = mkdtempSync(path.join(os.tmpdir(), 'fanout-validate-command-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function planFile(name: string, plan: object): string {
  writeFileSync(path.join(directory, name), JSON.stringify(plan));
  return name;
}

const unit = (unitId: string, dependencies: string[] = []) => ({
  unit_id: unitId,
  description: `Implement ${unitId}.`,
  allowed_directories: [`src/${unitId}`],
  dependencies,
});

const diamond = {
  name: 'diamond',
  max_workers: 2,
  agent: { command: ['agent', '{prompt_file}'] },
  work_units: [unit('a'), unit('b', ['a']), unit('c', ['a']), unit('d', ['b', 'c']), unit('e')],
};

describe('validate command', () => {
  it('prints a one-screen summary of an accepted plan and exits 0', async () => {
    const output = captureIo(directory);
    await expect(run({ plan: planFile('diamond.json', diamond) }, output.io)).resolves.toBe(0);
    expect(output.stdout()).toBe(
      [
        "Plan 'diamond' is valid.",
        '  units            5',
        '  dependencies     4',
        '  max_workers      2',
        '  on_failure       cancel',
        '  overlap          reject',
        '  critical path    3 units: a -> b -> d',
        '  predicted waves  3 (a prediction: every unit taking the same time)',
        '    wave 1: a, e',
        '    wave 2: b, c',
        '    wave 3: d',
        'Next: agent-fanout run diamond.json',
        '',
      ].join('\n'),
    );
    expect(output.stderr()).toBe('');
  });

  it('predicts the waves for --max-workers and says where the number comes from', async () => {
    const output = captureIo(directory);
    await run({ plan: planFile('diamond.json', diamond), maxWorkers: '1' }, output.io);
    expect(output.stdout()).toContain('  max_workers      1 (--max-workers; the plan says 2)\n');
    expect(output.stdout()).toContain('  predicted waves  5 ');
  });

  it('writes warnings to stderr, keeping stdout for the summary', async () => {
    const output = captureIo(directory);
    await run({ plan: planFile('ralph.json', { ...diamond, phase: 'development' }) }, output.io);
    expect(output.stderr()).toMatch(/^warning: ignoring unknown top-level key 'phase'/);
    expect(output.stdout()).not.toContain('phase');
  });

  it('repeats --agent-command in the next command, quoted for the shell', async () => {
    const output = captureIo(directory);
    const ralph = { work_units: [unit('a')] };
    await run(
      { plan: planFile('ralph plan.json', ralph), agentCommand: '["claude","-p","it\'s {prompt_file}"]' },
      output.io,
    );
    expect(output.stdout()).toContain(
      `Next: agent-fanout run 'ralph plan.json' --agent-command '["claude","-p","it'\\''s {prompt_file}"]'\n`,
    );
  });

  it('says there is nothing to run for an empty plan', async () => {
    const output = captureIo(directory);
    await run({ plan: planFile('empty.json', { work_units: [] }) }, output.io);
    expect(output.stdout()).toContain('  critical path    0 units\n  predicted waves  0 (nothing to run)\n');
  });

  it('shortens a long plan to one screen', async () => {
    const output = captureIo(directory);
    const chain = Array.from({ length: 30 }, (_, i) =>
      unit(`u${String(i).padStart(2, '0')}`, i === 0 ? [] : [`u${String(i - 1).padStart(2, '0')}`]),
    );
    const wide = Array.from({ length: 60 }, (_, i) => unit(`wide-unit-number-${i}`));
    await run(
      {
        plan: planFile('long.json', {
          agent: { command: ['x'] },
          max_workers: 256,
          work_units: [...chain, ...wide],
        }),
      },
      output.io,
    );
    const lines = output.stdout().trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(24);
    expect(output.stdout()).toContain(
      'critical path    30 units: u00 -> u01 -> u02 -> … -> u27 -> u28 -> u29',
    );
    expect(output.stdout()).toMatch(/wave 1: u00, wide-unit-number-0, .*, … \(\+\d+ more\)\n/);
    expect(output.stdout()).toContain('… 20 more waves; agent-fanout graph shows all');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(120);
  });

  it('throws PlanRejected with the preflight text for a rejected plan', async () => {
    const output = captureIo(directory);
    const cyclic = { ...diamond, work_units: [unit('a', ['b']), unit('b', ['a'])] };
    const rejection = run({ plan: planFile('cyclic.json', cyclic) }, output.io);
    await expect(rejection).rejects.toThrow(PlanRejected);
    await expect(rejection).rejects.toThrow(
      "parallel preflight rejected plan: Dependency cycle detected at 'a'",
    );
    expect(output.stdout()).toBe('');
  });

  it('throws a UsageError for a bad --max-workers before reading the plan', async () => {
    await expect(run({ plan: 'missing.json', maxWorkers: '0' }, captureIo(directory).io)).rejects.toThrow(
      new UsageError("--max-workers must be an integer from 1 to 256 (got '0')"),
    );
  });
});
