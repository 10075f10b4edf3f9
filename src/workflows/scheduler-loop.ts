/**
 * The one scheduler loop of an execution: launch what may run, then handle exactly one completion,
 * repeat. Each unit runs in a cancellation scope of its own, so one unit can be cancelled (the
 * failure policy, an operator's request) while the others run on.
 */
import {
  CancellationScope,
  allHandlersFinished,
  condition,
  setCurrentDetails,
  workflowInfo,
} from '@temporalio/workflow';
import type { PlanAreas } from '../activities';
import type { WorkUnit } from '../plan/types';
import { resolveUnitSettings } from '../plan/unit-settings';
import type { FanoutInput, Progress } from '../contracts/run-types';
import { workflowNowIso } from './clock';
import { launchAllowance } from './history-budget';
import { buildProgress, renderDetails } from './progress';
import type { RunState } from './run-state';
import type { CancelCause, UnitOutcome } from './unit-record';
import { attemptContainment, runUnit } from './unit-runner';
import { showInVisibility } from './visibility';

interface Completion {
  readonly unitId: string;
  readonly outcome: UnitOutcome;
}

/** Plans up to this size refresh the Web UI's details on every completion; larger ones less often. */
const DETAILS_EVERY_COMPLETION_UP_TO = 200;

export interface SchedulerLoopContext {
  readonly input: FanoutInput;
  readonly state: RunState;
  /** This execution's history budget, in events. */
  readonly eventLimit: number;
  /** The run's phase, as the Web UI's details show it. */
  readonly phase: () => Progress['state'];
}

export class SchedulerLoop {
  private readonly completions: Completion[] = [];
  private readonly scopes = new Map<string, CancellationScope>();
  private readonly cancelCauses = new Map<string, CancelCause>();
  private readonly unitsById: ReadonlyMap<string, WorkUnit>;
  private unexpected: Error | undefined;
  // Rendering the details is O(units): a large plan refreshes them every 1/200th of its units.
  private completionsSinceDetails: number | undefined;
  private readonly detailsEvery: number;
  /** What every attempt is told of the plan's areas (SPEC §8.2, §8.5), built once per execution. */
  private readonly containment: PlanAreas;

  constructor(private readonly context: SchedulerLoopContext) {
    const units = context.input.plan.workUnits;
    this.unitsById = new Map(units.map((unit) => [unit.unitId, unit]));
    this.containment = attemptContainment(context.input.plan);
    this.detailsEvery = Math.max(1, Math.ceil(units.length / DETAILS_EVERY_COMPLETION_UP_TO));
  }

  /** An operator cancels a unit that is running (or waiting to retry). */
  cancelLaunchedUnit(unitId: string): void {
    this.cancelCauses.set(unitId, 'request');
    this.scopes.get(unitId)?.cancel();
  }

  /** How many more attempts this execution's history budget allows now. */
  allowance(): number {
    const info = workflowInfo();
    return launchAllowance(
      { events: info.historyLength, bytes: info.historySize },
      this.context.state.scheduler.running.size,
      this.context.eventLimit,
    );
  }

  startUnit(unitId: string, resume?: { attempt: number; retryAt: string }): void {
    const unit = this.unitsById.get(unitId);
    if (unit === undefined) return;
    const { input, state } = this.context;
    const scope = new CancellationScope();
    this.scopes.set(unitId, scope);
    scope
      .run(() =>
        runUnit({
          runId: workflowInfo().workflowId,
          repo: input.repo,
          namespaceRoot: input.plan.namespaceRoot,
          unit,
          settings: resolveUnitSettings(input.plan, unit),
          onAttempt: (attempt) => state.attemptStarting(unitId, attempt),
          onRetry: (failed, attempt, delayMs, retryAt) =>
            state.retrying(unitId, failed, attempt, delayMs, retryAt),
          mayStartAttempt: () => this.allowance() > 0,
          ...(resume === undefined ? {} : { resume }),
          containment: this.containment,
        }),
      )
      .then(
        (outcome) => this.completions.push({ unitId, outcome }),
        (error: unknown) => {
          this.unexpected ??= error instanceof Error ? error : new Error(String(error));
        },
      );
  }

  /**
   * Runs the loop. Returns 'continue' when this execution's history budget is spent and the run
   * must continue as new (no agent running, nothing left to handle), 'done' when nothing can run
   * any more.
   */
  async run(): Promise<'done' | 'continue'> {
    const { state } = this.context;
    for (;;) {
      for (const unitId of state.launchReady(workflowNowIso(), this.allowance())) this.startUnit(unitId);
      if (this.completions.length === 0) {
        const idle = state.scheduler.running.size === 0;
        const mustContinue =
          this.allowance() === 0 && !state.halted && state.hasUnfinished && state.onlyRetriesWaiting;
        if (mustContinue && allHandlersFinished()) return 'continue';
        if (idle && !mustContinue) return 'done';
        this.showDetails();
        await condition(
          () =>
            this.completions.length > 0 ||
            this.unexpected !== undefined ||
            (mustContinue && allHandlersFinished()),
        );
      }
      if (this.unexpected !== undefined) throw this.unexpected;
      const next = this.completions.shift();
      if (next === undefined) continue;
      if (this.completionsSinceDetails !== undefined) this.completionsSinceDetails += 1;
      const cause = this.cancelCauses.get(next.unitId) ?? (state.isRunCancelled ? 'run' : 'policy');
      for (const unitId of state.settle(next.unitId, next.outcome, cause)) this.scopes.get(unitId)?.cancel();
    }
  }

  private showDetails(): void {
    if (this.completionsSinceDetails === undefined || this.completionsSinceDetails >= this.detailsEvery) {
      setCurrentDetails(renderDetails(buildProgress(this.context.state, this.context.phase())));
      showInVisibility(this.context.state, 'running');
      this.completionsSinceDetails = 0;
    }
  }
}
