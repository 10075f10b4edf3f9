/**
 * The floor's workflows: the least a Temporal workflow can do to run processes one after another
 * (chain) or many at once (wide). One activity per process, no retries, no state but a counter.
 */
import { condition, proxyActivities } from '@temporalio/workflow';
import type { FloorActivities, FloorWork, LaunchStamps } from './floor-activities';

const { launch } = proxyActivities<FloorActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 1 },
});

export async function floorChain(work: FloorWork, links: number): Promise<LaunchStamps[]> {
  const stamps: LaunchStamps[] = [];
  for (let i = 0; i < links; i += 1) stamps.push(await launch(work));
  return stamps;
}

/**
 * Keeps `width` processes running until `units` have run: one loop, one condition. With
 * `prefetch`, that many more activities are started, each waiting on the worker for a process
 * to end (FloorWork's gate), so a slot is refilled without a workflow task in between.
 */
export async function floorWide(
  work: FloorWork,
  units: number,
  width: number,
  prefetch = 0,
): Promise<LaunchStamps[]> {
  const stamps: LaunchStamps[] = [];
  let started = 0;
  let running = 0;
  let failure: Error | undefined;
  while (stamps.length < units) {
    while (running < width + prefetch && started < units) {
      started += 1;
      running += 1;
      launch(prefetch > 0 ? { ...work, gate: width } : work).then(
        (stamp) => {
          stamps.push(stamp);
          running -= 1;
        },
        (error: unknown) => (failure = error instanceof Error ? error : new Error(String(error))),
      );
    }
    const seen = stamps.length;
    await condition(() => stamps.length > seen || failure !== undefined);
    if (failure !== undefined) throw failure;
  }
  return stamps;
}
