/**
 * When the scheduler loop refreshes the Web UI's details and `list`'s search attributes.
 * Rendering them is O(units): a large plan refreshes them at most once a second.
 */
import { patched } from '@temporalio/workflow';
import { workflowNowMs } from './clock';

/** Plans up to this size refresh the Web UI's details on every completion; larger ones less often. */
const DETAILS_EVERY_COMPLETION_UP_TO = 200;
/**
 * A larger plan refreshes its details (and `agent-fanout list`'s search attributes) at most this
 * often, in workflow time: each refresh visits every unit, and each changed count is an event and
 * a visibility write on the server. Runs started before this rule refreshed every 1/200th of their
 * units; the patch keeps their replay.
 */
const DETAILS_INTERVAL_MS = 1_000;
const DETAILS_BY_TIME_PATCH = 'fanout-details-by-time';

export class DetailsRefresh {
  private completionsSince: number | undefined;
  private shownAtMs = 0;
  private readonly every: number;

  constructor(private readonly units: number) {
    this.every = Math.max(1, Math.ceil(units / DETAILS_EVERY_COMPLETION_UP_TO));
  }

  completed(): void {
    if (this.completionsSince !== undefined) this.completionsSince += 1;
  }

  shown(): void {
    this.completionsSince = 0;
    this.shownAtMs = workflowNowMs();
  }

  due(): boolean {
    const since = this.completionsSince;
    if (since === undefined) return true;
    if (since === 0) return false;
    if (this.units > DETAILS_EVERY_COMPLETION_UP_TO && patched(DETAILS_BY_TIME_PATCH)) {
      return workflowNowMs() - this.shownAtMs >= DETAILS_INTERVAL_MS;
    }
    return since >= this.every;
  }
}
