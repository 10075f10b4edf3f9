/**
 * One open run per checkout (SPEC §8.6): while a run holds a repo, a second `run` on it exits 2
 * with the SPEC's text and starts nothing; the hold ends however the run closes (cancelled,
 * terminated), without any process having to let go. The built CLI against the shared dev
 * server and an in-process worker.
 */
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { WorkflowNotFoundError } from '@temporalio/common';
import { useFanoutWorker } from '../../helpers/fanout-worker';
import { FAKE_AGENT, runCli } from '../../helpers/scenario-runner';
import { testServer } from '../../helpers/temporal';
import { requireBuiltCli } from '../helpers/built-cli';

const fixture = useFanoutWorker('checkout-hold');

beforeAll(requireBuiltCli);

function setup(): { repo: string; slowPlan: string; quickPlan: string } {
  const base = mkdtempSync(join(tmpdir(), 'fanout-hold-'));
  const repo = realpathSync(mkdtempSync(join(base, 'repo-')));
  const plan = (name: string, sleepMs: number): string => {
    const file = join(base, `${name}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        name,
        confinement: 'off',
        agent: {
          command: [
            FAKE_AGENT,
            '--pid-file',
            'a/agent.pid',
            '--sleep-ms',
            String(sleepMs),
            '--artifact',
            'out.md',
          ],
        },
        work_units: [{ unit_id: 'a', description: 'unit a', allowed_directories: ['a'] }],
      }),
    );
    return file;
  };
  return { repo, slowPlan: plan('slow', 60_000), quickPlan: plan('quick', 10) };
}

function runArgs(planFile: string, repo: string, id: string): string[] {
  const { address, namespace } = testServer();
  return [
    'run',
    planFile,
    '--repo',
    repo,
    '--id',
    id,
    '--json',
    '--address',
    address,
    '--namespace',
    namespace,
    '--task-queue',
    fixture.taskQueue,
  ];
}

function cliArgs(...args: string[]): string[] {
  const { address, namespace } = testServer();
  return [...args, '--address', address, '--namespace', namespace, '--task-queue', fixture.taskQueue];
}

async function runningAgent(id: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const description = await fixture
      .client()
      .workflow.getHandle(id)
      .describe()
      .catch(() => null);
    if (description?.status.name === 'RUNNING' && (description.raw.pendingActivities?.length ?? 0) > 0)
      return;
    if (Date.now() > deadline) throw new Error(`run ${id} never had its agent running`);
    await delay(200);
  }
}

async function exists(id: string): Promise<boolean> {
  try {
    await fixture.client().workflow.getHandle(id).describe();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

const suffix = (): string => Date.now().toString(36);

/** Waits (generously: the machine is shared) for the agent's whole group to be gone. */
async function agentGone(pid: number): Promise<boolean> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      process.kill(-pid, 0);
    } catch {
      return true;
    }
    if (Date.now() > deadline) return false;
    await delay(250);
  }
}

describe('one run per checkout', () => {
  it('refuses a second run while the first is open, and takes the checkout once it is cancelled', async () => {
    const { repo, slowPlan, quickPlan } = setup();
    const first = `hold-first-${suffix()}`;
    const second = `hold-second-${suffix()}`;
    const firstRun = runCli(runArgs(slowPlan, repo, first), 120_000);
    await runningAgent(first);

    const refused = await runCli(runArgs(quickPlan, repo, second), 60_000);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      new RegExp(
        `${repo.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use by run ${first} \\(started \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\)\\. ` +
          `Wait for it, cancel it with 'agent-fanout cancel ${first}', or use workspace: git\\.`,
      ),
    );
    expect(await exists(second)).toBe(false);

    expect((await runCli(cliArgs('cancel', first), 60_000)).code).toBe(0);
    expect((await firstRun).code).toBe(1);

    const after = await runCli(runArgs(quickPlan, repo, second), 60_000);
    expect(after.stderr).not.toContain('is in use by run');
    expect(after.code).toBe(0);
  });

  it('is released when the holding run is terminated, with no worker having to act', async () => {
    const { repo, slowPlan, quickPlan } = setup();
    const holder = `hold-terminated-${suffix()}`;
    const next = `hold-next-${suffix()}`;
    const holderRun = runCli(runArgs(slowPlan, repo, holder), 120_000);
    await runningAgent(holder);

    expect((await runCli(runArgs(quickPlan, repo, next), 60_000)).code).toBe(2);
    await fixture
      .client()
      .workflow.getHandle(holder)
      .terminate('test: terminated while holding the checkout');
    await holderRun;
    // SPEC §8.3: the terminated run's agent does not live on until its supervisor's deadline.
    expect(await agentGone(Number(readFileSync(join(repo, 'a', 'agent.pid'), 'utf8')))).toBe(true);

    const after = await runCli(runArgs(quickPlan, repo, next), 60_000);
    expect(after.stderr).not.toContain('is in use by run');
    expect(after.code).toBe(0);
  });

  it('never writes its record through a link: .agent linked out of the repo is refused, nothing started', async () => {
    const { repo, quickPlan } = setup();
    const outside = mkdtempSync(join(tmpdir(), 'fanout-hold-outside-'));
    symlinkSync(outside, join(repo, '.agent'));
    const id = `hold-link-${suffix()}`;

    const refused = await runCli(runArgs(quickPlan, repo, id), 60_000);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `'${join(repo, '.agent')}' is a symbolic link; agent-fanout does not write through links. Remove it and retry.`,
    );
    expect(readdirSync(outside)).toEqual([]);
    expect(existsSync(join(outside, 'run-hold.json'))).toBe(false);
    expect(await exists(id)).toBe(false);
  });
});
