/** From the parsed plan file (snake_case, defaults applied) to the normalized {@link Plan}. */
import { normalizeDirectory } from './overlap';
import type { PlanFile, UnitFile } from './schema';
import type { Plan, RetryPolicy, WorkUnit } from './types';

export interface NormalizeOptions {
  /** Used when the plan has no `name`: the plan file's base name without extension. */
  readonly defaultName: string;
  /** `--agent-command` (SPEC §7.9): becomes `agent.command` when the plan has none. */
  readonly agentCommand?: readonly string[];
}

export function toPlan(file: PlanFile, options: NormalizeOptions): Plan {
  const command = file.agent.command ?? options.agentCommand;
  return {
    name: file.name ?? options.defaultName,
    maxWorkers: file.max_workers,
    onFailure: file.on_failure,
    overlap: file.overlap,
    agent: {
      ...(command ? { command: [...command] } : {}),
      env: file.agent.env,
      timeout: file.agent.timeout,
      idleTimeout: file.agent.idle_timeout,
      grace: file.agent.grace,
      ...definedOnly({ writable: file.agent.writable }),
    },
    retry: {
      maxAttempts: file.retry.max_attempts,
      initialInterval: file.retry.initial_interval,
      backoff: file.retry.backoff,
      maxInterval: file.retry.max_interval,
    },
    evidence: { pattern: file.evidence.pattern },
    namespaceRoot: normalizeDirectory(file.namespace_root),
    ...definedOnly({
      confinement: file.confinement,
      workspace: file.workspace,
      hostLossTimeout: file.host_loss_timeout,
    }),
    workUnits: file.work_units.map(toWorkUnit),
  };
}

function toWorkUnit(unit: UnitFile): WorkUnit {
  return {
    unitId: unit.unit_id,
    description: unit.description,
    allowedDirectories: unit.allowed_directories,
    dependencies: unit.dependencies,
    stepIds: unit.step_ids,
    ...definedOnly({
      command: unit.command,
      env: unit.env,
      timeout: unit.timeout,
      idleTimeout: unit.idle_timeout,
      retry: unit.retry && toRetryOverrides(unit.retry),
    }),
  };
}

function toRetryOverrides(retry: NonNullable<UnitFile['retry']>): Partial<RetryPolicy> {
  return definedOnly({
    maxAttempts: retry.max_attempts,
    initialInterval: retry.initial_interval,
    backoff: retry.backoff,
    maxInterval: retry.max_interval,
  });
}

/** Leaves absent keys out, so the plan crosses the wire as plain JSON without `undefined`s. */
function definedOnly<T extends object>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<T>;
}
