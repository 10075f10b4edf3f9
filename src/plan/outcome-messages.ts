/** The fixed texts of SPEC §4.3 and §6 for units that did not run to their own end. */

export function cancelledBecauseAnotherFailed(): string {
  return 'Cancelled because another worker failed';
}

export function notStartedBecauseAnotherFailed(): string {
  return 'Not started because another worker failed';
}

export function blockedByFailedDependencies(blockers: readonly string[]): string {
  return `Blocked by failed dependencies: ${blockers.join(', ')}`;
}

export function cancelledByRequest(): string {
  return 'Cancelled by request';
}

export function cancelledBecauseRunCancelled(): string {
  return 'Cancelled because the run was cancelled';
}

export function notStartedBecauseRunCancelled(): string {
  return 'Not started because the run was cancelled';
}

/** An attempt that ended for a reason outside the agent (lost worker, retries of the activity used up). */
export function infrastructureFailure(unitId: string, cause: string): string {
  return `Worker '${unitId}' could not be run by any worker: ${cause}`;
}
