/** Proves the worker, the server and replay fit together: one activity call, its answer returned. */
import { proxyActivities } from '@temporalio/workflow';

export interface SmokeEchoActivities {
  echo(text: string): Promise<string>;
}

export interface SmokeEchoInput {
  readonly text: string;
}

const { echo } = proxyActivities<SmokeEchoActivities>({ startToCloseTimeout: '10 seconds' });

/** Returns what the `echo` activity made of `input.text`. */
export async function smokeEchoWorkflow(input: SmokeEchoInput): Promise<string> {
  return echo(input.text);
}
