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
import { Worker } from '@temporalio/worker';
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
    const outcomes: { workflowId: string; error?: string }[] = [];
    for await (const replay of Worker.runReplayHistories(
      { workflowsPath: require.resolve('../../src/workflows') },
      histories,
    )) {
      outcomes.push(
        replay.error === undefined
          ? { workflowId: replay.workflowId }
          : { workflowId: replay.workflowId, error: replay.error.message },
      );
    }
    expect(outcomes).toEqual(files.map((workflowId) => ({ workflowId })));
  });
});
