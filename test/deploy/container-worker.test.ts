/**
 * The worker started exactly as the container starts it (`node bin/agent-fanout.js worker …` with
 * the compose file's flags and environment, compiled code and the prebuilt workflow bundle),
 * against the real dev server: it runs a plan, and its Prometheus endpoint serves the SDK's
 * metrics and the project's counters while it does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { awaitResult, readProgress, startRun } from '../../src/client/fanout-client';
import { requireBuiltCli } from '../client/helpers/built-cli';
import { testPlan, testUnit } from '../helpers/plan-factory';
import { CLI, FAKE_AGENT, PROJECT_ROOT } from '../helpers/scenario-runner';
import { testClient, testServer } from '../helpers/temporal';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function scrape(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  return response.text();
}

/** The value of a metric line (first sample whose name and labels start with `prefix`). */
function sample(metrics: string, prefix: string): number | undefined {
  const line = metrics.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

interface ComposeWorker {
  command: string[];
  environment: Record<string, string>;
}

describe('the worker as the container runs it', () => {
  let worker: ChildProcess | undefined;

  afterAll(async () => {
    if (worker?.pid !== undefined && worker.exitCode === null) {
      const exited = new Promise((resolve) => worker?.once('exit', resolve));
      worker.kill('SIGTERM');
      await exited;
    }
  });

  it('runs a plan from the compose command line, with the prebuilt bundle, and serves metrics during the run', async () => {
    requireBuiltCli();
    expect(existsSync(path.join(PROJECT_ROOT, 'dist', 'workflow-bundle.js'))).toBe(true);
    const compose = parse(readFileSync(path.join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8')) as {
      services: { worker: ComposeWorker };
    };
    const taskQueue = `container-worker-${Date.now().toString(36)}`;
    const metricsPort = await freePort();
    // The compose command with its ${VAR:-default}s resolved the way this test needs them.
    const args = compose.services.worker.command.map((word) =>
      word.includes('FANOUT_TASK_QUEUE')
        ? taskQueue
        : word.includes('FANOUT_METRICS_PORT')
          ? String(metricsPort)
          : word.replace(/\$\{[A-Z_]+:-([^}]*)\}/, '$1'),
    );
    expect(args[0]).toBe('worker');
    expect(args).toContain('--metrics-port');
    const server = testServer();
    let stderr = '';
    worker = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: server.namespace },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    worker.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

    const client = await testClient();
    try {
      const repo = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fanout-container-')));
      const units = ['a', 'b', 'c'].map((id) =>
        testUnit(id, [], { command: [FAKE_AGENT, '--sleep-ms', '4000', '--artifact', 'x.md'] }),
      );
      const handle = await startRun(client, {
        plan: testPlan(units, { name: 'container' }),
        repo,
        taskQueue,
        workflowId: taskQueue,
      });

      // RUNNING in progress means scheduled; the counter moves when the worker starts the attempt.
      let during = '';
      let stillRunning = false;
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        during = await scrape(metricsPort).catch(() => '');
        if (sample(during, 'agent_fanout_attempts_started') === 3) {
          const progress = await readProgress(handle);
          stillRunning = progress.units.every((u) => u.status === 'RUNNING');
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(sample(during, 'agent_fanout_attempts_started')).toBe(3);
      expect(stillRunning).toBe(true);
      expect(during).toMatch(/^temporal_worker_task_slots_available\{/m);

      const result = await awaitResult(handle);
      expect(result.status).toBe('succeeded');
      const after = await scrape(metricsPort);
      expect(sample(after, 'agent_fanout_attempts_succeeded')).toBe(3);
      expect(sample(after, 'agent_fanout_attempt_duration_seconds_count')).toBe(3);
      const total = sample(after, 'agent_fanout_attempt_duration_seconds_sum') ?? 0;
      expect(total).toBeGreaterThan(3 * 4);
      expect(total).toBeLessThan(3 * 60);
    } finally {
      await client.connection.close();
    }
    expect(stderr).toContain(`worker polling task queue '${taskQueue}'`);
  });
});
