/**
 * One unit's effective settings: plan defaults with the unit's overrides on top (the unit's
 * `retry` key by key, SPEC §7.3; env per variable, SPEC §7.15). Pure, for the workflow.
 */
import type { Plan, RetryPolicy, UnitSettings, WorkUnit } from './types';

export function resolveUnitSettings(plan: Plan, unit: WorkUnit): UnitSettings {
  const command = unit.command ?? plan.agent.command;
  if (!command) {
    // checkPlanRules rejects such a plan, so reaching this is a bug in the caller.
    throw new Error(`Work unit '${unit.unitId}' has no command and the plan has no agent.command`);
  }
  return {
    command,
    env: { ...plan.agent.env, ...unit.env },
    timeout: unit.timeout ?? plan.agent.timeout,
    idleTimeout: unit.idleTimeout ?? plan.agent.idleTimeout,
    grace: plan.agent.grace,
    retry: mergeRetry(plan.retry, unit.retry),
    evidencePattern: plan.evidence.pattern,
    ...(plan.confinement === undefined ? {} : { confinement: plan.confinement }),
    ...(plan.agent.writable === undefined ? {} : { writable: plan.agent.writable }),
  };
}

function mergeRetry(plan: RetryPolicy, unit: Partial<RetryPolicy> | undefined): RetryPolicy {
  return {
    maxAttempts: unit?.maxAttempts ?? plan.maxAttempts,
    initialInterval: unit?.initialInterval ?? plan.initialInterval,
    backoff: unit?.backoff ?? plan.backoff,
    maxInterval: unit?.maxInterval ?? plan.maxInterval,
  };
}
