/**
 * The shared acceptance scenarios (test/fixtures/scenarios) that run against the cluster: one or
 * more of each kind of behaviour that depends on the server rather than on plan parsing.
 */
import { loadScenarios, type Scenario } from '../../helpers/scenario-runner';

const SAMPLE: Record<string, string> = {
  '05-chain.json': 'dependency order',
  '07-wide-cap-refill.json': 'slots refilled under max_workers',
  '30-no-evidence-sibling.json': 'evidence: a unit without artifacts fails',
  '31-evidence-rules.json': 'evidence rules',
  '32-chain-fail-head.json': 'failure policy cancel: dependents blocked',
  '33-sibling-cancel-group-kill.json': 'cancel: running siblings stopped, whole process group',
  '34-diamond-fail-cancel-block.json': 'failure policy cancel on a diamond',
  '37-drain.json': 'failure policy drain',
  '38-continue.json': 'failure policy continue',
  '39-overlap-serialize.json': 'overlap: serialize',
  '40-retries.json': 'retries',
  '43-timeouts.json': 'timeouts',
  '44-leftover-process.json': 'leftover processes stopped',
};

/**
 * The sampled scenarios, each with `confinement: off` added to its plan when it sets none (the
 * cluster tests are about the server; containment has tests of its own).
 */
export function clusterScenarioSample(): { scenario: Scenario; about: string }[] {
  const byFile = new Map(loadScenarios().map((scenario) => [scenario.file, scenario]));
  return Object.entries(SAMPLE).map(([file, about]) => {
    const scenario = byFile.get(file);
    if (scenario === undefined) throw new Error(`scenario ${file} is missing from test/fixtures/scenarios`);
    return { scenario: withConfinementOff(scenario), about };
  });
}

function withConfinementOff(scenario: Scenario): Scenario {
  if (scenario.plan_yaml !== undefined) {
    return /^confinement:/m.test(scenario.plan_yaml)
      ? scenario
      : { ...scenario, plan_yaml: `confinement: off\n${scenario.plan_yaml}` };
  }
  const plan = scenario.plan ?? {};
  return 'confinement' in plan ? scenario : { ...scenario, plan: { ...plan, confinement: 'off' } };
}
