/**
 * The ideal makespan of a run: the plan's own scheduling rules (the `Scheduler` the workflow uses)
 * replayed in a discrete-event simulation where each unit takes exactly the agent duration it was
 * measured to take (finished_at - started_at) and the coordinator costs nothing: a completion
 * launches its successors at the same instant.
 *
 * Completions at the same instant are handled one at a time, in unit-id code-point order, each
 * followed by a launch, as the workflow's loop does (one completion, then launches).
 */
import { Scheduler, type SchedulableUnit, type SchedulerConfig } from '../plan/scheduler';

interface Completion {
  readonly at: number;
  readonly unitId: string;
}

/** Orders completions by time, then by unit id. */
function before(a: Completion, b: Completion): boolean {
  return a.at < b.at || (a.at === b.at && a.unitId < b.unitId);
}

/** A binary min-heap of completions. */
class CompletionQueue {
  private readonly items: Completion[] = [];

  get size(): number {
    return this.items.length;
  }

  push(item: Completion): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i] as Completion, items[parent] as Completion)) break;
      [items[i], items[parent]] = [items[parent] as Completion, items[i] as Completion];
      i = parent;
    }
  }

  pop(): Completion | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < items.length && before(items[left] as Completion, items[smallest] as Completion))
          smallest = left;
        if (right < items.length && before(items[right] as Completion, items[smallest] as Completion))
          smallest = right;
        if (smallest === i) break;
        [items[i], items[smallest]] = [items[smallest] as Completion, items[i] as Completion];
        i = smallest;
      }
    }
    return top;
  }
}

export interface IdealRun {
  /** From the first launch (time 0) to the last completion, in ms. */
  readonly makespanMs: number;
  /** Simulated start of each unit, ms from time 0. */
  readonly startMs: ReadonlyMap<string, number>;
}

/**
 * Simulates the run. `durationMs` must hold every unit; the simulation throws if the rules leave a
 * unit that never launches (a cycle, which a validated plan cannot have).
 */
export function simulateIdeal(
  units: readonly SchedulableUnit[],
  config: SchedulerConfig,
  durationMs: ReadonlyMap<string, number>,
): IdealRun {
  const scheduler = new Scheduler(units, config);
  const queue = new CompletionQueue();
  const startMs = new Map<string, number>();
  const launchAt = (now: number): void => {
    for (const unitId of scheduler.launch()) {
      const duration = durationMs.get(unitId);
      if (duration === undefined) throw new Error(`no measured duration for unit ${unitId}`);
      startMs.set(unitId, now);
      queue.push({ at: now + Math.max(0, duration), unitId });
    }
  };
  let now = 0;
  launchAt(now);
  while (queue.size > 0) {
    const next = queue.pop() as Completion;
    now = next.at;
    scheduler.succeeded(next.unitId);
    launchAt(now);
  }
  if (startMs.size !== units.length) {
    throw new Error(`simulation launched ${startMs.size} of ${units.length} units`);
  }
  return { makespanMs: now, startMs };
}
