/**
 * One agent attempt of one unit (SPEC §4.1, §4.2, §4.4): escape check, then the agent (adopted from
 * an interrupted try of this attempt, or started; agent-lifecycle.ts) followed to its end, evidence,
 * outcome. Throws a non-retryable ApplicationFailure for every §4.2 failure, rethrows
 * CancelledFailure after the process group is gone, throws a retryable AgentLeftRunning when a
 * worker shutdown leaves the agent running for the next try, and lets anything else (an
 * infrastructure fault) propagate as retryable.
 */

import { Context } from '@temporalio/activity';
import { realpath } from 'node:fs/promises';
import { agentFacts, type LiveState } from './agent-lifecycle';
import { agentFailure, classifyOutcome } from './classify-outcome';
import { findEscapingDirectory } from './directory-escape';
import { Heartbeater } from './heartbeat';
import { directoryEscape } from './messages';
import { attemptLogPath, namespacePaths } from './namespace';
import type { SpawnFn } from './spawn-agent';
import type { AgentHeartbeat, AttemptInput, AttemptSuccess } from './types';
import type { ConfinementMode } from '../plan/types';
import { AttemptChangeTracker } from './containment/changes-attempt';
import { attemptPathProblem } from './containment/resolved-paths';
import { SymbolicLinkRefused } from './containment/safe-write';

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
  const tracker = new AttemptChangeTracker(confinementMode(input), input, repo, paths);
  try {
    await refuseUnsafeDirectories(repo, input, iso);
    const takeChangeBaseline = () => tracker.take();
    const scope = { deps, input, context, repo, paths, logPath, state, heartbeater, takeChangeBaseline };
    const facts = await agentFacts(scope);
    const observed = await tracker.observe(context);
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
    if (!outcome.ok) throw agentFailure(outcome.type, outcome.exitCode, outcome.message, times, observed);
    return {
      exitCode: 0,
      artifacts: [...outcome.artifacts],
      startedAt: state.startedAt ?? times.finishedAt,
      finishedAt: times.finishedAt,
      logPath,
      adopted: state.adopted === true,
      ...observed,
    };
  } catch (error) {
    if (!(error instanceof SymbolicLinkRefused)) throw error;
    // SPEC §8.4: a link where agent-fanout writes fails the unit, never retried.
    throw agentFailure('SymbolicLinkWrite', 1, error.message, {
      startedAt: state.startedAt,
      finishedAt: iso(),
    });
  } finally {
    tracker.dispose();
    heartbeater.stop();
    await state.tail?.close();
  }
}

/**
 * The confinement mode this attempt's changes are observed under (SPEC §8.1, §8.2).
 * LEAD: connect containment part A's resolved mode here (confinement-mode.ts: Landlock missing or
 * the checkout under $HOME turn `landlock` into `audit`). Until then: the plan's, default landlock.
 */
function confinementMode(input: AttemptInput): ConfinementMode {
  return input.containment?.confinement ?? 'landlock';
}

/** SPEC §4.1 escape and §8.5 resolved-path checks before anything is written; each fails the unit. */
async function refuseUnsafeDirectories(repo: string, input: AttemptInput, iso: () => string): Promise<void> {
  const escaping = await findEscapingDirectory(repo, input.unit.allowedDirectories);
  if (escaping !== null) {
    throw agentFailure('DirectoryEscape', 1, directoryEscape(escaping, repo), {
      startedAt: null,
      finishedAt: iso(),
    });
  }
  const reserved = await attemptPathProblem(repo, input);
  if (reserved !== undefined) {
    throw agentFailure('ResolvedPathReserved', 1, reserved, { startedAt: null, finishedAt: iso() });
  }
}
