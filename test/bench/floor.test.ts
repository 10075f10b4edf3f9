/**
 * `npm run bench:floor`: Temporal's own floor on this machine. Its arithmetic, and short real runs
 * against a dev server with real processes.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@temporalio/client';
import { chainLinksMs, wideFigures } from '../../src/bench/floor/floor-figures';
import { testClient, testServer } from '../helpers/temporal';

const RUN_FLOOR = path.join(__dirname, '..', '..', 'dist', 'bench', 'floor', 'run-floor.js');
const run = promisify(execFile);

describe('floor figures', () => {
  it('measures each chain link from one exit to the next spawn', () => {
    const stamps = [
      { spawnedAt: 0, exitedAt: 5 },
      { spawnedAt: 25, exitedAt: 30 },
      { spawnedAt: 42, exitedAt: 50 },
    ];
    expect(chainLinksMs(stamps)).toEqual([20, 12]);
  });

  it('compares a wide run with the same durations, each started the moment a slot frees', () => {
    // Two slots; durations 10, 10, 10, 30. Ideal: slot A 10 + 10 = 20, slot B 10 + 30 = 40.
    const stamps = [
      { spawnedAt: 100, exitedAt: 110 },
      { spawnedAt: 101, exitedAt: 111 },
      { spawnedAt: 115, exitedAt: 125 },
      { spawnedAt: 118, exitedAt: 148 },
    ];
    const figures = wideFigures(stamps, 2);
    expect(figures.makespanMs).toBe(48);
    expect(figures.idealMs).toBe(40);
    expect(figures.ratio).toBeCloseTo(1.2);
  });
});

describe('run-floor.js against a real dev server', () => {
  it('runs a chain of real processes and reports its links and CPU', async () => {
    const { stdout } = await run(process.execPath, [RUN_FLOOR, '--shape', 'chain', '--links', '6']);
    expect(stdout).toMatch(
      /^floor chain, 6 × sh -c ':': per-link ms p50 [\d.]+ p95 [\d.]+ max [\d.]+; worker CPU [\d.]+ s, server CPU [\d.]+ s/m,
    );
  }, 120_000);

  it('keeps width activities running at once and compares the makespan with the ideal', async () => {
    const { stdout } = await run(process.execPath, [
      RUN_FLOOR,
      ...['--shape', 'wide', '--units', '6', '--width', '3', '--no-process'],
    ]);
    // Two waves of 1 s waits: the makespan is at least the ideal, 2 s.
    const figures = /makespan ([\d.]+) s, ideal ([\d.]+) s, ratio ([\d.]+)/.exec(stdout);
    expect(stdout).toContain('floor wide, 6 × a 1 s wait, 3 at once');
    expect(Number(figures?.[2])).toBeGreaterThanOrEqual(2);
    expect(Number(figures?.[1])).toBeGreaterThanOrEqual(Number(figures?.[2]));
  }, 120_000);

  it('splits the wide shape over workflows side by side, on a server given by its address', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const { stdout } = await run(process.execPath, [
      RUN_FLOOR,
      ...['--shape', 'wide', '--units', '5', '--width', '4', '--shards', '2', '--no-process'],
      ...['--address', testServer().address],
    ]);
    expect(stdout).toContain('floor wide, 5 × a 1 s wait, 4 at once in 2 workflows');
    // A server it did not start: its CPU is not the floor's to count.
    expect(stdout).toContain('server CPU — (not ours)');
    // 3 units on 2 slots and 2 on 2: two waves of 1 s in the slowest workflow, and the pooled stamps
    // hold all five on 4 slots, whose ideal is 2 s too.
    const figures = /makespan ([\d.]+) s, ideal ([\d.]+) s/.exec(stdout);
    expect(Number(figures?.[2])).toBeGreaterThanOrEqual(2);
    expect(Number(figures?.[1])).toBeGreaterThanOrEqual(2);
    // In the default namespace, which the floor uses on a server it did not start.
    const shared = await testClient();
    const client = new Client({ connection: shared.connection, namespace: 'default' });
    const started: string[] = [];
    try {
      for await (const execution of client.workflow.list({
        query: `WorkflowType = 'floorWide' AND StartTime > '${since}'`,
      }))
        started.push(execution.workflowId);
    } finally {
      await shared.connection.close();
    }
    expect(started.map((id) => id.replace(/^floor-\d+-/, '')).sort()).toEqual(['wide-0', 'wide-1']);
  }, 120_000);

  it('prefetches activities that wait on the worker, never running more than the width at once', async () => {
    const { stdout } = await run(process.execPath, [
      RUN_FLOOR,
      ...['--shape', 'wide', '--units', '6', '--width', '2', '--prefetch', '2', '--no-process'],
      ...['--address', testServer().address],
    ]);
    expect(stdout).toContain('floor wide, 6 × a 1 s wait, 2 at once, 2 prefetched');
    // Four activities start together; were the gate not there, four waits would overlap and the
    // six would end in about 2 s. Held to two at once they take three waves, about 3 s (a Node
    // timer may fire a millisecond early, so not exactly 3).
    const makespan = Number(/makespan ([\d.]+) s/.exec(stdout)?.[1]);
    expect(makespan).toBeGreaterThan(2.5);
  }, 120_000);

  it('refuses prefetch for a chain with exit code 2', async () => {
    await expect(run(process.execPath, [RUN_FLOOR, '--prefetch', '4'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--prefetch applies to the wide shape only') as unknown,
    });
  });

  it('refuses shards for a chain with exit code 2', async () => {
    await expect(run(process.execPath, [RUN_FLOOR, '--shards', '2'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--shards splits the wide shape only') as unknown,
    });
  });

  it('refuses an unknown shape with exit code 2 and the usage', async () => {
    await expect(run(process.execPath, [RUN_FLOOR, '--shape', 'ring'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--shape must be chain or wide, not ring') as unknown,
    });
  });
});
