/**
 * One agent attempt of one unit (SPEC §4.1, §4.2): escape check, namespace, environment, spawn,
 * follow to the end, evidence, outcome. Throws a non-retryable ApplicationFailure for every
 * §4.2 failure, rethrows CancelledFailure after the process group is gone, and lets anything
 * else (an infrastructure fault) propagate as retryable.
 */

import { CancelledFailure, Context } from '@temporalio/activity';
import { realpath, stat } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { readProcessStartTicks, writeAttemptRecord } from './attempt-record';
import { agentFailure, classifyOutcome, type AttemptFacts } from './classify-outcome';
import { findEscapingDirectory } from './directory-escape';
import { agentEnvironment } from './environment';
import { collectEvidence, settleDelayMs, snapshotArtifacts } from './evidence';
import { followAgent } from './follow-agent';
import { Heartbeater } from './heartbeat';
import { directoryEscape } from './messages';
import {
  attemptLogPath,
  attemptRecordPath,
  namespacePaths,
  prepareNamespace,
  type NamespacePaths,
} from './namespace';
import { LogTail } from './output-tail';
import { substitutePlaceholders } from './placeholders';
import { stopProcessGroup } from './process-group';
import { spawnAgent, type AgentProcess, type SpawnFn } from './spawn-agent';
import type { AgentHeartbeat, AgentPhase, AttemptInput, AttemptSuccess } from './types';

export interface Clock {
  /** Wall-clock milliseconds since the epoch. */
  now(): number;
}

export interface AttemptTiming {
  /** How often the log is read and the time limits checked. */
  readonly pollMs: number;
  readonly heartbeatMs: number;
}

export interface AttemptDeps {
  readonly spawn: SpawnFn;
  readonly clock: Clock;
  /** The worker's environment, the bottom layer of the agent's. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly timing: AttemptTiming;
}

/** Mutable view of the attempt that heartbeats describe. */
interface LiveState {
  phase: AgentPhase;
  agent: AgentProcess | null;
  startedAt: string | null;
  tail: LogTail | null;
}

function cancellationOf(context: Context): CancelledFailure {
  const reason: unknown = context.cancellationSignal.reason;
  return reason instanceof CancelledFailure ? reason : new CancelledFailure('CANCELLED');
}

async function sizeOrZero(path: string): Promise<number> {
  return stat(path).then(
    (info) => info.size,
    () => 0,
  );
}

export async function runAgentAttempt(deps: AttemptDeps, input: AttemptInput): Promise<AttemptSuccess> {
  const context = Context.current();
  const repo = await realpath(input.repo);
  const paths = namespacePaths(repo, input.namespaceRoot, input.unit.unitId);
  const logPath = attemptLogPath(paths, input.attempt);
  const iso = (): string => new Date(deps.clock.now()).toISOString();

  const state: LiveState = { phase: 'preparing', agent: null, startedAt: null, tail: null };
  const heartbeat = (): AgentHeartbeat => ({
    phase: state.phase,
    attempt: input.attempt,
    pid: state.agent?.pid ?? null,
    pgid: state.agent?.pgid ?? null,
    startedAt: state.startedAt,
    bytes: state.tail?.bytes ?? 0,
    lastLines: state.tail?.lastLines() ?? [],
    logPath,
  });
  const heartbeater = new Heartbeater(context, heartbeat);
  heartbeater.beat();
  heartbeater.start(deps.timing.heartbeatMs);
  try {
    const escaping = await findEscapingDirectory(repo, input.unit.allowedDirectories);
    if (escaping !== null) {
      throw agentFailure('DirectoryEscape', 1, directoryEscape(escaping, repo), {
        startedAt: null,
        finishedAt: iso(),
      });
    }
    const facts = await startAndFollow(deps, input, {
      context,
      repo,
      paths,
      logPath,
      state,
      heartbeater,
    });
    const outcome = classifyOutcome(
      {
        unitId: input.unit.unitId,
        timeout: input.settings.timeout,
        idleTimeout: input.settings.idleTimeout,
        artifactDir: paths.artifactDir,
      },
      facts,
    );
    const times = { startedAt: state.startedAt, finishedAt: iso() };
    if (!outcome.ok) throw agentFailure(outcome.type, outcome.exitCode, outcome.message, times);
    return {
      exitCode: 0,
      artifacts: [...outcome.artifacts],
      startedAt: state.startedAt ?? times.finishedAt,
      finishedAt: times.finishedAt,
      logPath,
    };
  } finally {
    heartbeater.stop();
    await state.tail?.close();
  }
}

interface AttemptScope {
  readonly context: Context;
  readonly repo: string;
  readonly paths: NamespacePaths;
  readonly logPath: string;
  readonly state: LiveState;
  readonly heartbeater: Heartbeater;
}

/** Prepares, spawns and follows the agent; returns the facts the outcome is decided on. */
async function startAndFollow(
  deps: AttemptDeps,
  input: AttemptInput,
  scope: AttemptScope,
): Promise<AttemptFacts> {
  const { context, paths, state, heartbeater } = scope;
  const { unit, settings } = input;
  await prepareNamespace(paths, { runId: input.runId, repo: scope.repo, unit, attempt: input.attempt });
  const before = await snapshotArtifacts(paths.artifactDir);
  const settleMs = settleDelayMs(before, deps.clock.now());
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
  const logOffset = await sizeOrZero(scope.logPath);
  const startedAtMs = deps.clock.now();
  const spawned = await spawnAgent(deps.spawn, argv, { cwd: scope.repo, env, logPath: scope.logPath });
  if (!spawned.ok) return { kind: 'not-started', binary: argv[0] ?? '', error: spawned.error };

  const agent = spawned.agent;
  state.agent = agent;
  state.startedAt = new Date(startedAtMs).toISOString();
  state.phase = 'running';
  try {
    state.tail = await LogTail.open(scope.logPath, logOffset);
    heartbeater.beat();
    await writeAttemptRecord(attemptRecordPath(paths, input.attempt), {
      version: 1,
      attempt: input.attempt,
      pid: agent.pid,
      pgid: agent.pgid,
      processStartTicks: await readProcessStartTicks(agent.pid),
      argv,
      logPath: scope.logPath,
      logOffset,
      startedAt: state.startedAt,
      startedAtMs,
      artifactsBefore: before.snapshot,
    });
    const followed = await followAgent(agent, state.tail, {
      limits: { timeoutMs: settings.timeout.ms, idleMs: settings.idleTimeout.ms, graceMs: settings.grace.ms },
      pollMs: deps.timing.pollMs,
      startedAtMs,
      now: () => deps.clock.now(),
      signal: context.cancellationSignal,
      onStopping: () => {
        state.phase = 'stopping';
        heartbeater.beat();
      },
    });
    const { end, lastLine, stop } = followed;
    if (stop.signals.length > 0)
      context.log.info('Stopped agent process group', { unitId: unit.unitId, end: end.kind, ...stop });
    if (end.kind === 'cancelled') throw cancellationOf(context);
    state.phase = 'collecting';
    heartbeater.beat();
    if (end.kind !== 'exited') return { kind: end.kind };
    const evidence =
      end.exitCode === 0
        ? await collectEvidence(paths.artifactDir, settings.evidencePattern, before.snapshot)
        : [];
    return { kind: 'exited', exitCode: end.exitCode, lastLine, evidence };
  } catch (error) {
    // Whatever went wrong, the agent must not outlive the attempt.
    const stop = await stopProcessGroup(agent.pgid, settings.grace.ms);
    if (stop.signals.length > 0)
      context.log.warn('Stopped agent process group after an error', { unitId: unit.unitId, ...stop });
    throw error;
  }
}
