/** Normalized plans for tests that need a Plan without going through a plan file. */
import type { Duration, Plan, WorkUnit } from '../../src/plan/types';

export function duration(ms: number, text = `${ms}ms`): Duration {
  return { ms, text };
}

export function testUnit(
  unitId: string,
  dependencies: string[] = [],
  extra: Partial<WorkUnit> = {},
): WorkUnit {
  return {
    unitId,
    description: `Work on ${unitId}.`,
    allowedDirectories: [`src/${unitId}`],
    dependencies,
    stepIds: [],
    ...extra,
  };
}

export function testPlan(units: WorkUnit[], extra: Partial<Plan> = {}): Plan {
  return {
    name: 'test-plan',
    maxWorkers: 8,
    onFailure: 'cancel',
    overlap: 'reject',
    agent: {
      command: ['true'],
      env: {},
      timeout: duration(7_200_000, '2h'),
      idleTimeout: duration(1_800_000, '30m'),
      grace: duration(2000, '2s'),
    },
    retry: {
      maxAttempts: 1,
      initialInterval: duration(10_000, '10s'),
      backoff: 2,
      maxInterval: duration(600_000, '10m'),
    },
    evidence: { pattern: '*' },
    namespaceRoot: '.agent/workers',
    // Tests of SPEC §1–§7 let agents write anywhere in the repo; containment (§8) tests ask for more.
    confinement: 'off',
    workUnits: units,
    ...extra,
  };
}
