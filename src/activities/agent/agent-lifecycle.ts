/**
 * The agent side of one attempt: adopt what an interrupted try of this attempt left behind
 * (adoption.ts), or start the agent, then follow it to its end and return the facts the outcome is
 * decided on. Whatever goes wrong, the agent's group does not outlive the attempt, except when a
 * cancellation leaves it running on purpose for the next try to adopt (cancellation.ts).
 */

import { randomUUID } from 'node:crypto';
import { statSync, type Stats } from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { attemptDeadlines } from '../../plan/deadlines';
import { agentEnvironment } from '../unit-files/environment';
import type { CheckedFolders } from '../containment/safe-write';
import { collectEvidence, settleDelayMs, snapshotArtifacts } from '../unit-files/evidence';
import { attemptExitPath, attemptRecordPath, prepareNamespace } from '../unit-files/namespace';
import { substitutePlaceholders } from '../unit-files/placeholders';
import { recordLaunchInLogIndex } from '../unit-files/log-index';
import { adoptedAgent, findPreviousLaunch, ownerOf, RECORD_POLL_MS } from './adoption';
import type { AgentProcess } from './agent-process';
import { readPidScope } from './attempt-record';
import type { AttemptScope, Origin } from './attempt-scope';
import {
  agentLeftRunning,
  agentOutlivesCancellation,
  agentStatusLost,
  cancellationOf,
  cancellationReason,
} from './cancellation';
import type { AttemptFacts } from './classify-outcome';
import { followAgent } from './follow-agent';
import { LogTail } from './output-tail';
import { logPrevious, noteStrays, recordedFacts } from './previous-try';
import { stopProcessGroup } from './process-group';
import { spawnAgent } from './spawn-agent';
import {
  prepareContainment,
  sourceCheckoutRoots,
  type PreparedContainment,
} from '../containment/landlock-launch';

/** Adopts or starts the agent and follows it; returns the facts the outcome is decided on. */
export async function agentFacts(scope: AttemptScope): Promise<AttemptFacts> {
  const { context, input, paths } = scope;
  const previous = await findPreviousLaunch({
    info: context.info,
    attempt: input.attempt,
    recordPath: attemptRecordPath(paths, input.attempt),
    ...(input.ownerKey === undefined ? {} : { ownerKey: input.ownerKey }),
    ...(input.adopt === undefined ? {} : { adopt: input.adopt }),
  });
  logPrevious(scope, previous);
  switch (previous.kind) {
    case 'running': {
      const { record } = previous;
      scope.state.adopted = true;
      if (record.confinement !== undefined) scope.state.containment = { confinement: record.confinement };
      const logChangedMs = statOrNull(record.logPath)?.mtimeMs ?? record.startedAtMs;
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

/** Prepares the namespace and starts the agent through its supervisor, then follows it. */
async function launch(scope: AttemptScope): Promise<AttemptFacts> {
  const { deps, input, context, paths } = scope;
  const { unit, settings } = input;
  // The namespace's folders, checked once for every write of this launch (SPEC §8.4).
  const checked: CheckedFolders = new Map();
  await prepareNamespace(
    paths,
    { runId: input.runId, repo: scope.repo, unit, attempt: input.attempt },
    checked,
  );
  // Decided before the baseline: what the attempt's changes are observed under is what the agent runs under.
  const containment = await prepareAttemptContainment(scope);
  scope.state.containment = { ...containment.attempt };
  const repoChangedMs = await scope.takeChangeBaseline(containment.mode);
  const before = snapshotArtifacts(paths.artifactDir);
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
  const env = { ...agentEnvironment(deps.env, settings.env, identity, paths), ...containment.env };
  const logOffset = statOrNull(scope.logPath)?.size ?? 0;
  await recordLaunchInLogIndex(
    scope.repo,
    paths,
    { run: input.runId, attempt: input.attempt, from: logOffset },
    checked,
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
    ...(deps.supervisor === undefined ? {} : { supervisor: deps.supervisor }),
    ...(containment.landlock === undefined ? {} : { landlock: containment.landlock }),
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
      owner: ownerOf(context.info, input.ownerKey),
      ...(await readPidScope()),
      worker: `${process.pid}@${hostname()}`,
      exitPath: attemptExitPath(paths, input.attempt),
      confinement: containment.mode,
    },
    deadlineMs: startedAtMs + attemptDeadlines(settings).supervisorMs,
    graceMs: settings.grace.ms,
  });
  if (!spawned.ok) return { kind: 'not-started', binary: argv[0] ?? '', error: spawned.error };
  return followToFacts(scope, spawned.agent, origin);
}

/** The attempt's confinement (SPEC §8.1); in a git run its source checkout stays read-only (§9). */
async function prepareAttemptContainment(scope: AttemptScope): Promise<PreparedContainment> {
  const { input, paths, deps } = scope;
  const readOnlyRoots = await sourceCheckoutRoots(input, scope.repo);
  const { unit, settings } = input;
  return prepareContainment({ repo: scope.repo, paths, unit, settings, deps, readOnlyRoots });
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
      limits: {
        timeoutMs: attemptDeadlines(settings).followerMs,
        idleMs: settings.idleTimeout.ms,
        graceMs: settings.grace.ms,
      },
      pollMs: deps.timing.pollMs,
      startedAtMs: origin.startedAtMs,
      ...(origin.lastOutputAtMs !== undefined ? { lastOutputAtMs: origin.lastOutputAtMs } : {}),
      now: () => deps.clock.now(),
      signal: context.cancellationSignal,
      onStopping: () => {
        state.phase = 'stopping';
        heartbeater.beat();
      },
      release: () => agentOutlivesCancellation(context, deps.isRunOpen),
    });
    const { end, lastLine, stop } = followed;
    if (end.kind !== 'released') await noteStrays(scope);
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
    // No beat of its own: it would come within the interval of the last one, so the worker would
    // hold it back and drop it once the activity completes. A slow collection shows in the next.
    state.phase = 'collecting';
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

function statOrNull(file: string): Stats | null {
  try {
    return statSync(file, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}
