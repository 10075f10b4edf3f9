/**
 * Shared fixtures for the activity tests: a throw-away repo, units and settings, an activity
 * environment that records heartbeats, a reaper that kills every process group a test started
 * (by pgid, never by name), and an independent check that a group has no live member.
 */

import type { Info } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger } from '@temporalio/worker';
import { mkdtemp, readdir, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createActivities, type ActivityDeps } from '../../src/activities';
import type { AgentHeartbeat, AttemptInput, AttemptSuccess } from '../../src/activities/types';
import type { AgentFailureDetails, AgentFailureType } from '../../src/errors';
import type { UnitSettings, WorkUnit } from '../../src/plan/types';
import { duration } from '../helpers/plan-factory';
import { FAKE_AGENT } from '../helpers/scenario-runner';

export const FAKE = FAKE_AGENT;
/** sha256 of `fake agent artifact\n` (scenarios README §4). */
export const FAKE_ARTIFACT_SHA256 = '0e2906b63e9f88b5abe9172613c81a0a5ceacb0ea974d6a8770d0e0711a364c4';

const repos: string[] = [];

/** A fresh empty directory, by its real path. */
export async function makeRepo(): Promise<string> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'fanout-act-')));
  repos.push(dir);
  return dir;
}

export async function removeRepos(): Promise<void> {
  for (const dir of repos.splice(0)) await rm(dir, { recursive: true, force: true });
}

export { duration };

export function unit(unitId: string, overrides: Partial<WorkUnit> = {}): WorkUnit {
  return {
    unitId,
    description: `Implement the ${unitId} part.`,
    allowedDirectories: [`src/${unitId}`],
    dependencies: [],
    stepIds: [],
    ...overrides,
  };
}

export function settings(command: readonly string[], overrides: Partial<UnitSettings> = {}): UnitSettings {
  return {
    command,
    env: {},
    timeout: duration(60_000, '60s'),
    idleTimeout: duration(60_000, '60s'),
    grace: duration(1000, '1s'),
    retry: {
      maxAttempts: 1,
      initialInterval: duration(10_000, '10s'),
      backoff: 2,
      maxInterval: duration(600_000, '10m'),
    },
    evidencePattern: '*',
    // These tests cover SPEC §1–§7, where agents write anywhere in the repo (pids/, counts/);
    // containment (§8) has its own tests, under containment/.
    confinement: 'off',
    ...overrides,
  };
}

export function attemptInput(
  repo: string,
  workUnit: WorkUnit,
  unitSettings: UnitSettings,
  attempt = 1,
): AttemptInput {
  return {
    runId: 'fanout-test-run',
    repo,
    namespaceRoot: '.agent/workers',
    unit: workUnit,
    settings: unitSettings,
    attempt,
  };
}

/** Process groups started by the current test. */
const startedGroups = new Set<number>();

/** Marks a process group for {@link reapGroups}: a test that starts one outside {@link AttemptRun}. */
export function trackGroup(pgid: number): void {
  startedGroups.add(pgid);
}

/** SIGKILLs every group a test started; for afterEach. */
export function reapGroups(): void {
  for (const pgid of startedGroups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  startedGroups.clear();
}

/**
 * One activity environment per try (its cancellation is sticky), recording heartbeats. `info`
 * overrides the activity info, e.g. `{ attempt: 2, heartbeatDetails }` for an infrastructure retry.
 */
export class AttemptRun {
  /** Quiet: failed attempts are expected here, the SDK would log each one as a warning. */
  readonly env: MockActivityEnvironment;
  readonly heartbeats: AgentHeartbeat[] = [];

  constructor(
    private readonly deps: Partial<ActivityDeps> = {},
    info?: Partial<Info>,
  ) {
    this.env = new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') });
    this.env.on('heartbeat', (details: AgentHeartbeat) => {
      this.heartbeats.push(details);
      if (details.pgid !== null) startedGroups.add(details.pgid);
    });
  }

  run(input: AttemptInput): Promise<AttemptSuccess> {
    return this.env.run(createActivities(this.deps).runAgentAttempt, input);
  }

  /** Resolves with the first heartbeat that has a pid. */
  async running(timeoutMs = 10_000): Promise<AgentHeartbeat> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const beat = this.heartbeats.find((h) => h.pid !== null);
      if (beat) return beat;
      if (Date.now() > deadline) throw new Error('agent never started');
      await delay(20);
    }
  }
}

/** Runs one attempt in a fresh environment. */
export function runAttempt(input: AttemptInput, deps: Partial<ActivityDeps> = {}): Promise<AttemptSuccess> {
  return new AttemptRun(deps).run(input);
}

/** Asserts the attempt failed with the given SPEC §4.2 type, exact text and exit code. */
export async function expectAgentFailure(
  attempt: Promise<unknown>,
  type: AgentFailureType,
  message: string,
  exitCode: number,
): Promise<ApplicationFailure> {
  const error: unknown = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  const failure = error as ApplicationFailure;
  expect({ type: failure.type, message: failure.message, nonRetryable: failure.nonRetryable }).toEqual({
    type,
    message,
    nonRetryable: true,
  });
  const details = failure.details?.[0] as AgentFailureDetails;
  expect({ exitCode: details.exitCode, error: details.error }).toEqual({ exitCode, error: message });
  return failure;
}

/** Live (non-zombie) members of a process group, read from /proc independently of src/. */
export async function liveMembers(pgid: number): Promise<number[]> {
  const live: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') live.push(Number(entry));
  }
  return live;
}

/** True when `pid` exists and is not a zombie. */
export async function isLive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

/** Waits (up to 5 s, for the zombie reaper) until `kill(-pgid, 0)` reports ESRCH; returns the code seen. */
export async function groupSignalProbe(pgid: number): Promise<string> {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      process.kill(-pgid, 0);
    } catch (error) {
      return (error as NodeJS.ErrnoException).code ?? 'unknown';
    }
    if (Date.now() > deadline) return 'alive';
    await delay(50);
  }
}

export async function readPid(path: string): Promise<number> {
  return Number((await readFile(path, 'utf8')).trim());
}

/** Waits until `path` holds a pid, and returns it. */
export async function waitForPid(path: string, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pid = await readPid(path).catch(() => 0);
    if (pid > 0) return pid;
    if (Date.now() > deadline) throw new Error(`no pid in ${path}`);
    await delay(20);
  }
}

/** Prints a measured number when FANOUT_TEST_MEASURE=1 (for reports), silent otherwise. */
export function measured(label: string, value: number, unit: string): void {
  if (process.env.FANOUT_TEST_MEASURE === '1') process.stdout.write(`MEASURE ${label}: ${value} ${unit}\n`);
}

/**
 * A shell command that writes the shell's own descriptors (number and target) to `file`. They are
 * listed from a subshell, whose pipe to the shell is fd 3.
 */
export function writeOwnDescriptorsTo(file: string): string {
  const list = 'for f in /proc/$$/fd/*; do echo "${f##*/} $(readlink "$f")"; done';
  return `fds=$(${list}); echo "$fds" > ${file}`;
}

/** Expects that list to hold only an agent's stdio: /dev/null in, the log out, the subshell's pipe. */
export async function expectOnlyStdio(file: string, logPath: string): Promise<void> {
  const fds = (await readFile(file, 'utf8')).trim().split('\n').sort();
  expect(fds).toEqual([
    '0 /dev/null',
    `1 ${logPath}`,
    `2 ${logPath}`,
    expect.stringMatching(/^3 pipe:\[\d+\]$/),
  ]);
}
