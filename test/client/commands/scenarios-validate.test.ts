/**
 * `agent-fanout validate` over every acceptance scenario, through the real bin: rejected plans
 * exit 2 with the scenario's text (and the exact preflight message where the scenario pins it);
 * every other plan validates.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadScenarios } from '../../helpers/scenario-runner';
import { requireBuiltCli, runBuiltCli, writeScenarioPlan } from '../helpers/built-cli';

requireBuiltCli();

const scenarios = loadScenarios();
const directory = mkdtempSync(path.join(os.tmpdir(), 'fanout-validate-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('agent-fanout validate over the acceptance scenarios', () => {
  it('finds every scenario file', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(50);
  });

  const rejected = scenarios.filter((scenario) => scenario.expect.status === 'rejected');
  const accepted = scenarios.filter((scenario) => scenario.expect.status !== 'rejected');

  it.concurrent.each(rejected.map((scenario) => [scenario.file, scenario] as const))(
    'rejects %s with exit 2 and its text',
    async (_file, scenario) => {
      const run = await runBuiltCli(['validate', writeScenarioPlan(scenario, directory)]);
      expect(run.code).toBe(2);
      expect(`${run.stdout}${run.stderr}`).toContain(scenario.expect.error_contains);
      const exact = scenario.expect.events?.[0]?.error;
      if (exact !== undefined) expect(run.stderr.split('\n')).toContain(exact);
      expect(run.stderr).toMatch(/^parallel preflight rejected plan: /);
    },
  );

  it.concurrent.each(accepted.map((scenario) => [scenario.file, scenario] as const))(
    'validates %s with exit 0 and a summary',
    async (_file, scenario) => {
      const run = await runBuiltCli(['validate', writeScenarioPlan(scenario, directory)]);
      expect(run.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('warning: '))).toEqual(
        [],
      );
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Plan '.+' is valid\./);
      const units = (scenario.plan?.['work_units'] as unknown[] | undefined)?.length;
      if (units !== undefined) expect(run.stdout).toMatch(new RegExp(`\\n  units +${units}\\n`));
    },
  );
});
