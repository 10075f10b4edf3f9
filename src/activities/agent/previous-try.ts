/**
 * What an interrupted try of this attempt left behind, seen from the next try: the log lines that
 * say what was found, and the facts of an agent that ended while no worker followed it (read from
 * its exit file and log).
 */

import { LogTail } from './output-tail';
import { attemptDeadlines } from '../../plan/deadlines';
import { collectEvidence } from '../unit-files/evidence';
import { previousHeartbeat, type PreviousLaunch } from './adoption';
import type { AttemptScope } from './attempt-scope';
import type { AttemptFacts } from './classify-outcome';
import { spawnErrorOf } from './exit-status';
import { stopProcessGroup } from './process-group';
import { awaitStraySweep } from '../containment/stray-processes';
import { attemptRecordPath } from '../unit-files/namespace';

export function logPrevious(scope: AttemptScope, previous: PreviousLaunch): void {
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

/** The outcome of an agent that ended while no worker followed it, from its exit file and log. */
export async function recordedFacts(
  scope: AttemptScope,
  previous: Extract<PreviousLaunch, { kind: 'finished' }>,
): Promise<AttemptFacts> {
  const { input, state } = scope;
  const { record, end } = previous;
  state.startedAt = record.startedAt;
  if (record.confinement !== undefined) state.containment = { confinement: record.confinement };
  if (previous.groupMayLinger) await stopProcessGroup(record.pgid, input.settings.grace.ms);
  await noteStrays(scope);
  if (end.kind === 'spawn-error') {
    return { kind: 'not-started', binary: record.argv[0] ?? '', error: spawnErrorOf(end) };
  }
  const ranPastTimeout =
    end.endedAtMs !== null &&
    end.endedAtMs > record.startedAtMs + attemptDeadlines(input.settings).followerMs;
  if (end.stoppedAtDeadline || ranPastTimeout) return { kind: 'timeout' };
  state.tail = await LogTail.open(record.logPath, record.logOffset);
  await state.tail.poll();
  state.phase = 'collecting';
  const evidence =
    end.exitCode === 0
      ? await collectEvidence(scope.paths.artifactDir, input.settings.evidencePattern, record.artifactsBefore)
      : [];
  return { kind: 'exited', exitCode: end.exitCode, lastLine: state.tail.lastLine(), evidence };
}

/** Waits until what the agent left running is gone (SPEC §8.3) and records how much there was. */
export async function noteStrays({ paths, input, context, state }: AttemptScope): Promise<void> {
  const swept = state.agent?.sweptStrays?.();
  const count = await awaitStraySweep(attemptRecordPath(paths, input.attempt), input, context.log, swept);
  if (count !== null && state.containment !== undefined) state.containment.strayProcesses = count;
}
