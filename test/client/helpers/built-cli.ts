/**
 * Runs the real `bin/agent-fanout.js` as a subprocess. It needs the compiled `dist/`, which CI
 * builds (`npm run build`) before `npm test`; without it the suite fails at once and says so.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  PROJECT_ROOT,
  runCli,
  writeScenarioPlan as writePlanFile,
  type CliRun,
  type Scenario,
} from '../../helpers/scenario-runner';

const COMPILED_MAIN = path.join(PROJECT_ROOT, 'dist', 'client', 'main.js');

export function requireBuiltCli(): void {
  if (!existsSync(COMPILED_MAIN)) {
    throw new Error('dist/client/main.js is missing: run `npm run build` before these tests');
  }
}

export function runBuiltCli(args: readonly string[]): Promise<CliRun> {
  return runCli(args, 60_000);
}

/** The scenario's plan written into `directory`, named after the scenario file. */
export function writeScenarioPlan(scenario: Scenario, directory: string): string {
  return writePlanFile(scenario, directory, scenario.file.replace(/\.json$/, ''));
}
