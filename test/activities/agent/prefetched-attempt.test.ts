/**
 * A prefetching run's attempt hands its slot over once (prefetched-attempt.ts): a later try of the
 * same attempt (its worker died before the result reached the server) names the unit the first
 * try handed the slot to, and hands no second slot to another waiting unit.
 */
import type { Info } from '@temporalio/activity';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { recordedHandover } from '../../../src/activities/agent/handover-log';
import {
  forgetSlots,
  handOverSlot,
  slotsKey,
  waitForSlot,
} from '../../../src/activities/agent/slot-handover';
import type { AttemptInput, SlotHandover } from '../../../src/activities/types';
import {
  AttemptRun,
  FAKE,
  attemptInput,
  makeRepo,
  reapGroups,
  removeRepos,
  settings,
  unit,
} from '../helpers';

afterEach(reapGroups);
afterAll(removeRepos);

const execution = { workflowId: 'prefetched-attempt-test', runId: 'execution-1' };

function tryOf(attempt: number): Partial<Info> {
  return { activityId: 'unit-a-attempt-1', attempt, workflowExecution: execution };
}

async function prefetchingInput(): Promise<AttemptInput & { handover: SlotHandover }> {
  const repo = await makeRepo();
  const command = [FAKE, '--say', 'done', '--artifact', 'result.md'];
  return {
    ...attemptInput(repo, unit('a'), settings(command)),
    handover: { waitForSlot: false, onFailure: 'cancel' },
  };
}

describe('a prefetching attempt', () => {
  it('hands its slot over once: a second try names the same unit and leaves the next waiter waiting', async () => {
    const input = await prefetchingInput();
    const key = slotsKey(execution, input.runId);
    const stop = new AbortController();
    try {
      const waitB = waitForSlot(key, 'b', stop.signal);
      const first = await new AttemptRun({}, tryOf(1)).run(input);
      expect(first.handedTo).toBe('b');
      await expect(waitB).resolves.toBe('handed-over');
      // One line in the run's log, and no file of its own in the unit's namespace.
      const log = await readFile(
        join(input.repo, '.agent/runs', execution.workflowId, 'slot-handovers.jsonl'),
        'utf8',
      );
      expect(
        log
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as unknown),
      ).toEqual([
        {
          owner: {
            workflowId: execution.workflowId,
            workflowRunId: execution.runId,
            activityId: 'unit-a-attempt-1',
          },
          unitId: 'b',
          inTicketOrder: false,
        },
      ]);
      expect(await readdir(join(input.repo, '.agent/workers/a/logs'))).not.toContainEqual(
        expect.stringMatching(/handover/),
      );

      const waitC = waitForSlot(key, 'c', stop.signal);
      const second = await new AttemptRun({}, tryOf(2)).run(input);
      expect(second).toMatchObject({ exitCode: 0, adopted: true, handedTo: 'b' });
      // c still waits: the slot the second try freed was handed over already, by the first.
      await expect(handOverSlot(key)).resolves.toEqual({ unitId: 'c', inTicketOrder: false });
      await expect(waitC).resolves.toBe('handed-over');
    } finally {
      stop.abort();
      forgetSlots(key);
    }
  });

  it('hands a slot over again when the earlier try was another run’s', async () => {
    const input = await prefetchingInput();
    const key = slotsKey(execution, input.runId);
    // The same workflow id and activity id in a rerun (another execution) is another owner.
    const rerun = { ...execution, runId: 'execution-2' };
    const rerunKey = slotsKey(rerun, input.runId);
    const stop = new AbortController();
    try {
      const waitB = waitForSlot(key, 'b', stop.signal);
      await expect(new AttemptRun({}, tryOf(1)).run(input)).resolves.toMatchObject({ handedTo: 'b' });
      await expect(waitB).resolves.toBe('handed-over');
      const waitC = waitForSlot(rerunKey, 'c', stop.signal);
      const again = await new AttemptRun({}, { ...tryOf(2), workflowExecution: rerun }).run(input);
      expect(again.handedTo).toBe('c');
      await expect(waitC).resolves.toBe('handed-over');
    } finally {
      stop.abort();
      forgetSlots(key);
      forgetSlots(rerunKey);
    }
  });
});

describe('the handover log', () => {
  it('skips a line a crash cut short and finds the owner’s own line', async () => {
    const repo = await makeRepo();
    const owner = { workflowId: 'run/with slash', workflowRunId: 'execution-1', activityId: '7' };
    const other = { ...owner, activityId: '8' };
    const folder = join(repo, '.agent/runs', encodeURIComponent(owner.workflowId));
    await mkdir(folder, { recursive: true });
    const lines = [
      JSON.stringify({ owner, unitId: 'b', inTicketOrder: true }),
      JSON.stringify({ owner: other, unitId: 'c', inTicketOrder: false }),
      '{"owner":{"workflowId":"run/with slash","workflowRunId":"execution-1","activityId":"7"},"unitId":"z',
    ];
    await writeFile(join(folder, 'slot-handovers.jsonl'), lines.join('\n'));
    await expect(recordedHandover(repo, owner)).resolves.toEqual({ unitId: 'b', inTicketOrder: true });
    await expect(recordedHandover(repo, other)).resolves.toEqual({ unitId: 'c', inTicketOrder: false });
    await expect(recordedHandover(repo, { ...owner, activityId: '9' })).resolves.toBeUndefined();
    await expect(recordedHandover(await makeRepo(), owner)).resolves.toBeUndefined();
  });
});
