/**
 * Measures, not asserts: how long after a worker's death (SIGKILL) its running agent is adopted by
 * a peer worker already polling the same queue, over several trials; and the same after a graceful
 * SIGTERM. Prints one line per trial and the medians. Not part of `npm test`; run it with
 *
 *   npm run build && npx jest --testMatch '**' + '/test/crash/*.measure.ts'
 *
 * Adoption is taken from the peer's own log line ("Adopting the running agent …"), which the
 * activity writes the moment the retried try has found the agent alive.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { awaitResult } from '../../src/client/fanout-client';
import { testClient, testServer } from '../helpers/temporal';
import {
  allPrinted,
  makeRepo,
  reapEverything,
  requireBuiltCli,
  startCrashRun,
  startWorkerProcess,
  tickingPlan,
  waitFor,
  type WorkerProcess,
} from './helpers';

const TRIALS = Number(process.env.FANOUT_MEASURE_TRIALS ?? 5);
const logDir = mkdtempSync(join(tmpdir(), 'fanout-measure-logs-'));
let client: Client;

beforeAll(async () => {
  requireBuiltCli();
  client = await testClient();
});
afterEach(reapEverything);
afterAll(async () => {
  await client?.connection.close();
});

function adoptedAt(worker: WorkerProcess): number | undefined {
  const match = /^(\S+) \[INFO\] Adopting the running agent/m.exec(worker.log());
  return match?.[1] === undefined ? undefined : Date.parse(match[1]);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** One trial: a unit's agent runs on `victim`, a peer polls too; `stop` ends the victim. */
async function trial(label: string, signal: 'SIGKILL' | 'SIGTERM', index: number): Promise<number> {
  const { address } = testServer();
  const taskQueue = `measure-${label}-${index}-${process.pid}-${Date.now().toString(36)}`;
  const repo = makeRepo();
  const victim = await startWorkerProcess(address, taskQueue, { logDir });
  const handle = await startCrashRun(client, tickingPlan(['a'], 60, 500), repo, taskQueue, taskQueue);
  await waitFor('the agent', () => allPrinted(repo, ['a'], 'tick 2'));
  const peer = await startWorkerProcess(address, taskQueue, { logDir });
  const stoppedAt = Date.now();
  process.kill(victim.pid, signal);
  const at = await waitFor('the adoption', () => adoptedAt(peer), 60_000);
  await handle.cancel();
  await awaitResult(handle).catch(() => undefined);
  return at - stoppedAt;
}

describe('adoption latency', () => {
  it.each([['kill9', 'SIGKILL'] as const, ['sigterm', 'SIGTERM'] as const])(
    'after %s',
    async (label, signal) => {
      const samples: number[] = [];
      for (let index = 0; index < TRIALS; index += 1) {
        const ms = await trial(label, signal, index);
        samples.push(ms);
        process.stdout.write(`MEASURE ${signal} to adoption, trial ${index + 1}: ${ms} ms\n`);
        await reapEverything();
      }
      process.stdout.write(
        `MEASURE ${signal} to adoption: p50 ${median(samples)} ms, min ${Math.min(...samples)} ms, ` +
          `max ${Math.max(...samples)} ms over ${samples.length} trials\n`,
      );
      expect(samples).toHaveLength(TRIALS);
    },
    600_000,
  );
});
