/**
 * Replays histories recorded from earlier versions of the workflow (test/histories/*.json) against
 * the current code: a change that would break runs already in flight fails here. Re-record them
 * only with an intended, versioned change (see test/histories/record-histories.record.ts).
 *
 * protobufjs is a direct dependency for this: without it npm hoists grpc's protobufjs 7 and gives
 * @temporalio/common and @temporalio/proto a nested copy of 8 each, and proto JSON conversion
 * across the two copies fails ("type must be a Type").
 */
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { replayHistories } from '../helpers/replay';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const HISTORY_DIR = path.join(__dirname, '..', 'histories');

describe('recorded workflow histories', () => {
  const files = readdirSync(HISTORY_DIR).filter((file) => file.endsWith('.json'));

  it('exist', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  it('replay against the current workflow code without non-determinism', async () => {
    const histories = files.map((file) => ({
      workflowId: file,
      history: historyFromJSON(JSON.parse(readFileSync(path.join(HISTORY_DIR, file), 'utf8'))),
    }));
    const outcomes = await replayHistories(histories);
    expect(outcomes).toEqual(files.map((workflowId) => ({ workflowId })));
  });
});
