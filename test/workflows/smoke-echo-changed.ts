/**
 * smoke-echo.ts after an incompatible change (a timer before the activity), under the same
 * workflow name: replaying smoke-echo's history with it must fail as non-deterministic.
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { SmokeEchoActivities, SmokeEchoInput } from './smoke-echo';

const { echo } = proxyActivities<SmokeEchoActivities>({ startToCloseTimeout: '10 seconds' });

export async function smokeEchoWorkflow(input: SmokeEchoInput): Promise<string> {
  await sleep('1 second');
  return echo(input.text);
}
