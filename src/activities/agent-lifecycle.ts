/**
 * The agent side of one attempt: adopt what an interrupted try of this attempt left behind
 * (adoption.ts), or start the agent, then follow it to its end and return the facts the outcome is
 * decided on. Whatever goes wrong, the agent's group does not outlive the attempt, except when a
 * cancellation leaves it running on purpose for the next try to adopt (cancellation.ts).
 */

import type { Context } from '@temporalio/activity';
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import {
  adoptedAgent,
  findPreviousLaunch,
  ownerOf,
  previousHeartbeat,
  RECORD_POLL_MS,
  type PreviousLaunch,
} from './adoption';
import { readPidScope } from './attempt-record';
import {
  agentLeftRunning,
  agentStatusLost,
  cancellationLeavesAgentRunning,
  cancellationOf,
  cancellationReason,
} from './cancellation';
import type { AttemptFacts } from './classify-outcome';
import { agentEnvironment } from './environment';
import { collectEvidence, settleDelayMs, snapshotArtifacts, type ArtifactSnapshot } from './evidence';
import { spawnErrorOf } from './exit-status';
import { followAgent } from './follow-agent';
import type { Heartbeater } from './heartbeat';
import { attemptExitPath, attemptRecordPath, prepareNamespace, type NamespacePaths } from './namespace';
import { LogTail } from './output-tail';
import { substitutePlaceholders } from './placeholders';
import { stopProcessGroup } from './process-group';
import type { AttemptDeps } from './run-attempt';
import { spawnAgent, type AgentProcess } from './spawn-agent';
import type { AgentPhase, AttemptInput } from './types';

/** Mutable view of the attempt that heartbeats describe. */
export interface LiveState {
  phase: AgentPhase;
  agent: AgentProcess | null;
  startedAt: string | null;
  tail: LogTail | null;
  /** True when this try followed an agent an earlier, interrupted try had started. */
  adopted?: boolean;
}

export interface AttemptScope {
  readonly deps: AttemptDeps;
  readonly input: AttemptInput;
  readonly context: Context;
  readonly repo: string;
  readonly paths: NamespacePaths;
  readonly logPath: string;
  readonly state: LiveState;
  readonly heartbeater: Heartbeater;
  /** Snapshots what the agent may change (SPEC §8.2) just before it starts; the newest mtime/ctime seen. */
  readonly takeChangeBaseline: () => Promise<number>;
}

/** Where the followed agent's attempt began: its start, its log offset, its evidence snapshot. */
interface Origin {
  readonly startedAtMs: number;
  readonly startedAt: string;
  readonly logPath: string;
  readonly logOffset: number;
  readonly artifactsBefore: ArtifactSnapshot;
  readonly lastOutputAtMs?: number;
}

/**
 * The supervisor stops an agent nobody stopped this long after its timeout (plus grace): a
 * backstop for an agent whose workers are all gone, well behind the worker's own timeout.
 */
export const SUPERVISOR_DEADLINE_MARGIN_MS = 30_000;

/** Adopts or starts the agent and follows it; returns the facts the outcome is decided on. */
export async function agentFacts(scope: AttemptScope): Promise<AttemptFacts> {
  const { context, input, paths } = scope;
  const previous = await findPreviousLaunch({
    info: context.info,
    attempt: input.attempt,
    recordPath: attemptRecordPath(paths, input.attempt),
  });
  logPrevious(scope, previous);
  switch (previous.kind) {
    case 'running': {
      const { record } = previous;
      scope.state.adopted = true;
      const logChangedMs = await stat(record.logPath).then(
        (info) => info.mtimeMs,
        () => record.startedAtMs,
      );
      // Its exit is learnt only by polling: never slower than RECORD_POLL_MS, whatever the log cadence.
      const pollMs = Math.min(scope.deps.timing.pollMs, RECORD_POLL_MS);
      return followToFacts(scope, adoptedAgent(record, pollMs), {
        ...record,
        lastOutputAtMs: Math.max(record.startedAtMs, logChangedMs),
      });
    }
    case 'finished':
      scope.state.adopted = true;
      return recordedFacts(scope, previous);
    case 'gone':
      if (previous.groupMayLinger) await stopProcessGroup(previous.record.pgid, input.settings.grace.ms);
      return launch(scope);
    case 'none':
      return launch(scope);
  }
}

function logPrevious(scope: AttemptScope, previous: PreviousLaunch): void {
  const { context, input } = scope;
  const fields = { unitId: input.unit.unitId, agentAttempt: input.attempt };
  const beat = previousHeartbeat(context.info.heartbeatDetails);
  if (previous.kind !== 'none' && beat?.pid != null && beat.pid !== previous.record.pid) {
    context.log.warn('Last heartbeat names another agent pid than the attempt record; trusting the record', {
      ...fields,
      heartbeatPid: beat.pid,
      recordPid: previous.record.pid,
    });
  }
  if (previous.kind === 'running')
    context.log.info('Adopting the running agent of an interrupted try', {
      ...fields,
      pid: previous.record.pid,
      launchedBy: previous.record.worker,
    });
  else if (previous.kind === 'finished')
    context.log.info('The agent of an interrupted try has ended; reading its recorded outcome', {
      ...fields,
      pid: previous.record.pid,
    });
  else if (previous.kind === 'gone')
    context.log.warn('Starting the agent again: the interrupted try left nothing to adopt', {
      ...fields,
      reason: previous.reason,
    });
}

/** Prepares the namespace and starts the agent through its supervisor, then follows it. */
async function launch(scope: AttemptScope): Promise<AttemptFacts> {
  const { deps, input, context, paths } = scope;
  const { unit, settings } = input;
  await prepareNamespace(paths, { runId: input.runId, repo: scope.repo, unit, attempt: input.attempt });
  const repoChangedMs = await scope.takeChangeBaseline();
  const before = await snapshotArtifacts(paths.artifactDir);
  const newest = { ...before, newestChangeMs: Math.max(before.newestChangeMs, repoChangedMs) };
  const settleMs = settleDelayMs(newest, deps.clock.now());
  if (settleMs > 0) await delay(settleMs);
  if (context.cancellationSignal.aborted) throw cancellationOf(context);

  const argv = substitutePlaceholders(settings.command, {
    unit_id: unit.unitId,
    description: unit.description,
    prompt_file: paths.promptFile,
    namespace: paths.root,
    artifact_dir: paths.artifactDir,
    manifest: paths.manifest,
    attempt: String(input.attempt),
    repo: scope.repo,
  });
  const identity = {
    runId: input.runId,
    unitId: unit.unitId,
    attempt: input.attempt,
    allowedDirectories: unit.allowedDirectories,
  };
  const env = agentEnvironment(deps.env, settings.env, identity, paths);
  const logOffset = await stat(scope.logPath).then(
    (info) => info.size,
    () => 0,
  );
  const startedAtMs = deps.clock.now();
  const origin: Origin = {
    startedAtMs,
    startedAt: new Date(startedAtMs).toISOString(),
    logPath: scope.logPath,
    logOffset,
    artifactsBefore: before.snapshot,
  };
  const spawned = await spawnAgent(deps.spawn, argv, {
    cwd: scope.repo,
    env,
    logPath: scope.logPath,
    recordPath: attemptRecordPath(paths, input.attempt),
    record: {
      version: 1,
      attempt: input.attempt,
      argv,
      ...origin,
      launchId: randomUUID(),
      owner: ownerOf(context.info),
      ...(await readPidScope()),
      worker: `${process.pid}@${hostname()}`,
      exitPath: attemptExitPath(paths, input.attempt),
    },
    deadlineMs: startedAtMs + settings.timeout.ms + settings.grace.ms + SUPERVISOR_DEADLINE_MARGIN_MS,
    graceMs: settings.grace.ms,
  });
  if (!spawned.ok) return { kind: 'not-started', binary: argv[0] ?? '', error: spawned.error };
  return followToFacts(scope, spawned.agent, origin);
}

/** Follows a started or adopted agent to its end. */
async function followToFacts(
  scope: AttemptScope,
  agent: AgentProcess,
  origin: Origin,
): Promise<AttemptFacts> {
  const { deps, input, context, state, heartbeater } = scope;
  const { unit, settings } = input;
  state.agent = agent;
  state.startedAt = origin.startedAt;
  state.phase = 'running';
  let released = false;
  try {
    state.tail = await LogTail.open(origin.logPath, origin.logOffset);
    heartbeater.beat();
    const followed = await followAgent(agent, state.tail, {
      limits: { timeoutMs: settings.timeout.ms, idleMs: settings.idleTimeout.ms, graceMs: settings.grace.ms },
      pollMs: deps.timing.pollMs,
      startedAtMs: origin.startedAtMs,
      ...(origin.lastOutputAtMs !== undefined ? { lastOutputAtMs: origin.lastOutputAtMs } : {}),
      now: () => deps.clock.now(),
      signal: context.cancellationSignal,
      onStopping: () => {
        state.phase = 'stopping';
        heartbeater.beat();
      },
      release: () => cancellationLeavesAgentRunning(context),
    });
    const { end, lastLine, stop } = followed;
    if (stop !== null && stop.signals.length > 0)
      context.log.info('Stopped agent process group', { unitId: unit.unitId, end: end.kind, ...stop });
    if (end.kind === 'released') {
      released = true;
      agent.detach();
      state.phase = 'released';
      heartbeater.beat();
      const reason = cancellationReason(context);
      context.log.info('Left the agent running for the next try to adopt', {
        unitId: unit.unitId,
        pid: agent.pid,
        reason,
      });
      throw agentLeftRunning(agent.pid, reason);
    }
    if (end.kind === 'cancelled') throw cancellationOf(context);
    if (end.kind === 'lost') throw agentStatusLost(agent.pid);
    state.phase = 'collecting';
    heartbeater.beat();
    if (end.kind !== 'exited') return { kind: end.kind };
    const evidence =
      end.exitCode === 0
        ? await collectEvidence(scope.paths.artifactDir, settings.evidencePattern, origin.artifactsBefore)
        : [];
    return { kind: 'exited', exitCode: end.exitCode, lastLine, evidence };
  } catch (error) {
    // Whatever went wrong, the agent must not outlive the attempt, unless it was left running on purpose.
    if (!released) {
      const stop = await stopProcessGroup(agent.pgid, settings.grace.ms);
      if (stop.signals.length > 0)
        context.log.warn('Stopped agent process group after an error', { unitId: unit.unitId, ...stop });
    }
    throw error;
  }
}

/** The outcome of an agent that ended while no worker followed it, from its exit file and log. */
async function recordedFacts(
  scope: AttemptScope,
  previous: Extract<PreviousLaunch, { kind: 'finished' }>,
): Promise<AttemptFacts> {
  const { input, state } = scope;
  const { record, end } = previous;
  state.startedAt = record.startedAt;
  if (previous.groupMayLinger) await stopProcessGroup(record.pgid, input.settings.grace.ms);
  if (end.kind === 'spawn-error') {
    return { kind: 'not-started', binary: record.argv[0] ?? '', error: spawnErrorOf(end) };
  }
  const ranPastTimeout =
    end.endedAtMs !== null && end.endedAtMs > record.startedAtMs + input.settings.timeout.ms;
  if (end.stoppedAtDeadline || ranPastTimeout) return { kind: 'timeout' };
  state.tail = await LogTail.open(record.logPath, record.logOffset);
  await state.tail.poll();
  state.phase = 'collecting';
  scope.heartbeater.beat();
  const evidence =
    end.exitCode === 0
      ? await collectEvidence(scope.paths.artifactDir, input.settings.evidencePattern, record.artifactsBefore)
      : [];
  return { kind: 'exited', exitCode: end.exitCode, lastLine: state.tail.lastLine(), evidence };
}
