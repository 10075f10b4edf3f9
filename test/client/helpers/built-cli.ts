/**
 * Runs the real `bin/agent-fanout.js` as a subprocess. It needs the compiled `dist/`, which CI
 * builds (`npm run build`) before `npm test`; without it the suite fails at once and says so.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FAKE_AGENT, PROJECT_ROOT, runCli, type CliRun, type Scenario } from '../../helpers/scenario-runner';

const COMPILED_MAIN = path.join(PROJECT_ROOT, 'dist', 'client', 'main.js');

export function requireBuiltCli(): void {
  if (!existsSync(COMPILED_MAIN)) {
    throw new Error('dist/client/main.js is missing: run `npm run build` before these tests');
  }
}

export function runBuiltCli(args: readonly string[]): Promise<CliRun> {
  return runCli(args, 60_000);
}

/**
 * Writes the scenario's plan into `directory` with `{fake}` substituted as the scenarios README
 * says: whole command elements in a JSON plan, every occurrence in a YAML plan.
 */
export function writeScenarioPlan(scenario: Scenario, directory: string): string {
  const base = path.join(directory, scenario.file.replace(/\.json$/, ''));
  if (scenario.plan_yaml !== undefined) {
    writeFileSync(`${base}.yaml`, scenario.plan_yaml.split('{fake}').join(FAKE_AGENT));
    return `${base}.yaml`;
  }
  const swap = (command: unknown): unknown =>
    Array.isArray(command)
      ? (command as unknown[]).map((element) => (element === '{fake}' ? FAKE_AGENT : element))
      : command;
  const plan = structuredClone(scenario.plan ?? {}) as {
    agent?: { command?: unknown };
    work_units?: { command?: unknown }[];
  };
  if (plan.agent?.command !== undefined) plan.agent.command = swap(plan.agent.command);
  for (const unit of plan.work_units ?? []) if (unit.command !== undefined) unit.command = swap(unit.command);
  writeFileSync(`${base}.json`, JSON.stringify(plan, null, 2));
  return `${base}.json`;
}
