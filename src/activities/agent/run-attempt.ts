/**
 * One agent attempt of one unit (SPEC §4.1, §4.2, §4.4): escape check, then the agent (adopted from
 * an interrupted try of this attempt, or started; agent-lifecycle.ts) followed to its end, evidence,
 * outcome. Throws a non-retryable ApplicationFailure for every §4.2 failure, rethrows
 * CancelledFailure after the process group is gone, throws a retryable AgentLeftRunning when a
 * worker shutdown leaves the agent running for the next try, and lets anything else (an
 * infrastructure fault) propagate as retryable.
 */

import { Context } from '@temporalio/activity';
import { realpathSync } from 'node:fs';
import { agentFacts } from './agent-lifecycle';
import type { LiveState } from './attempt-scope';
import type { AttemptDeps } from './attempt-deps';
import { agentFailure, classifyOutcome } from './classify-outcome';
import { findEscapingDirectory } from '../unit-files/directory-escape';
import { Heartbeater } from './heartbeat';
import { directoryEscape } from './messages';
import type { ConfinementMode } from '../../plan/types';
import { attemptLogPath, namespacePaths } from '../unit-files/namespace';
import type { AgentHeartbeat, AttemptInput, AttemptSuccess } from '../types';
import { AttemptChangeTracker } from '../containment/changes-attempt';
import { attemptPathProblem } from '../containment/resolved-paths';
import { SymbolicLinkRefused } from '../containment/safe-write';
import { runGitAttempt } from '../git-workspace/git-attempt';
import { markLive, onHost, remoteHostOf, type LiveMark } from './remote-attempt';
import { attemptRecordPath } from '../unit-files/namespace';
import { runPrefetchingAttempt } from './prefetched-attempt';

export function runAgentAttempt(deps: AttemptDeps, input: AttemptInput): Promise<AttemptSuccess> {
  const host = remoteHostOf(deps, input);
  const attempt = async (): Promise<AttemptSuccess> => {
    // SPEC §9: the same attempt, in a working tree of its own (input.repo stays the source checkout).
    if (input.git !== undefined) return runGitAttempt(deps, input, (tree) => runAttemptIn(deps, input, tree));
    return runAttemptIn(deps, input, realpathSync.native(input.repo));
  };
  if (host !== undefined) return onHost(Context.current(), host, input, attempt);
  const handover = input.handover;
  if (handover === undefined || input.git !== undefined) return attempt();
  const paths = namespacePaths(input.repo, input.namespaceRoot, input.unit.unitId);
  const recordPath = attemptRecordPath(paths, input.attempt);
  return runPrefetchingAttempt(Context.current(), { ...input, handover }, recordPath, attempt);
}

/** The attempt with `repo` (a real path) as the agent's checkout: the source, or a git working tree. */
async function runAttemptIn(deps: AttemptDeps, input: AttemptInput, repo: string): Promise<AttemptSuccess> {
  const context = Context.current();
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
  const host = remoteHostOf(deps, input);
  if (host === undefined && input.git === undefined) {
    // Nothing reads a local attempt's heartbeat before its first interval: a next try finds the
    // agent by its attempt record, not by a heartbeat (adoption.ts).
    heartbeater.startQuiet(deps.timing.heartbeatMs);
  } else {
    // A remote attempt's first beat names its host at once (placed-attempt.ts reads it if the
    // try is lost); a git attempt has beaten through its checkout phase already.
    heartbeater.beat();
    heartbeater.start(deps.timing.heartbeatMs);
  }
  const tracker = new AttemptChangeTracker(input, repo, paths);
  let live: LiveMark | undefined;
  try {
    await refuseUnsafeDirectories(repo, input, iso);
    if (host !== undefined) {
      const where = { tree: repo, recordPath: attemptRecordPath(paths, input.attempt) };
      live = await markLive(host, input, context.info.workflowExecution?.workflowId ?? input.runId, where);
    }
    // Taken under the mode prepareContainment decided for this agent (SPEC §8.1: landlock may become audit).
    const takeChangeBaseline = (mode: ConfinementMode) => tracker.take(mode);
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
    const containment = state.containment === undefined ? {} : { containment: state.containment };
    const times = { startedAt: state.startedAt, finishedAt: iso(), ...containment };
    if (!outcome.ok) throw agentFailure(outcome.type, outcome.exitCode, outcome.message, times, observed);
    return {
      exitCode: 0,
      artifacts: [...outcome.artifacts],
      startedAt: state.startedAt ?? times.finishedAt,
      finishedAt: times.finishedAt,
      logPath,
      adopted: state.adopted === true,
      ...containment,
      ...observed,
    };
  } catch (error) {
    if (!(error instanceof SymbolicLinkRefused)) throw error;
    // SPEC §8.4: a link where agent-fanout writes fails the unit, never retried.
    throw agentFailure('SymbolicLinkWrite', 1, error.message, {
      startedAt: state.startedAt,
      finishedAt: iso(),
      ...(state.containment === undefined ? {} : { containment: state.containment }),
    });
  } finally {
    tracker.dispose();
    heartbeater.stop();
    await state.tail?.close();
    await live?.end(state.phase === 'released');
  }
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
