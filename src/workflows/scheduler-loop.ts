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
import { OverlapIndex } from '../plan/starting-inputs';
import { resolveUnitSettings } from '../plan/unit-settings';
import type { FanoutInput, Progress } from '../contracts/run-types';
import { workflowNowIso } from './clock';
import { takeNextCompletion, type Completion } from './completions';
import { DetailsRefresh } from './details-refresh';
import { EVENTS_PER_GIT_LAUNCH, EVENTS_PER_LAUNCH, launchAllowance } from './history-budget';
import { buildProgress, renderDetails } from './progress';
import type { RunState } from './run-state';
import type { CancelCause, UnitOutcome } from './unit-record';
import { attemptContainment, runUnit } from './unit-runner';
import { showInVisibility } from './visibility';
import { integrationConflict, integrationFailed, type GitIntegration } from './git-integration';
import { gitAttemptInput } from './git-attempt';
import type { Placement } from './placed-attempt';

export interface SchedulerLoopContext {
  readonly input: FanoutInput;
  readonly state: RunState;
  /** This execution's history budget, in events. */
  readonly eventLimit: number;
  /** The run's phase, as the Web UI's details show it. */
  readonly phase: () => Progress['state'];
  /** A `workspace: git` run's integration (SPEC §9); absent in a shared run. */
  readonly integration?: GitIntegration;
  /** A remote run (SPEC §10): where each try of an attempt goes is decided by the workflow. */
  readonly placement?: Placement;
}

export class SchedulerLoop {
  private readonly completions: Completion[] = [];
  /** Git units whose attempt succeeded, waiting for their merge into the integration. */
  private readonly pendingOutcomes = new Map<string, Extract<UnitOutcome, { kind: 'succeeded' }>>();
  private readonly scopes = new Map<string, CancellationScope>();
  private readonly cancelCauses = new Map<string, CancelCause>();
  private readonly unitsById: ReadonlyMap<string, WorkUnit>;
  private unexpected: Error | undefined;
  private readonly details: DetailsRefresh;
  /** What every attempt is told of the plan's areas (SPEC §8.2, §8.5), built once per execution. */
  private readonly containment: PlanAreas;
  /** A git run's overlapping units (SPEC §9 starting points), indexed once per execution. */
  private readonly overlaps: OverlapIndex | undefined;
  /** How many units may wait on a worker for a slot (`--prefetch`); 0 where the run cannot. */
  private readonly prefetchLimit: number;
  /** Prefetched units whose first attempt is out, not yet known to have started its agent. */
  private readonly waiting = new Set<string>();

  constructor(private readonly context: SchedulerLoopContext) {
    const units = context.input.plan.workUnits;
    this.unitsById = new Map(units.map((unit) => [unit.unitId, unit]));
    this.containment = attemptContainment(context.input.plan);
    // Only `overlap: serialize` lets areas overlap (SPEC §2.3); under `reject` no unit has partners.
    const overlapping = context.input.git !== undefined && context.input.plan.overlap === 'serialize';
    this.overlaps = overlapping ? new OverlapIndex(units) : undefined;
    this.details = new DetailsRefresh(units.length);
    // A slot is handed over on its worker: only where every attempt runs on the shared checkout.
    const local = context.input.git === undefined && context.placement === undefined;
    this.prefetchLimit = local ? (context.input.prefetch ?? 0) : 0;
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
      // A git unit waiting for its merge still runs: its merge's events are in its launch's share.
      this.context.state.scheduler.running.size + this.waiting.size,
      this.context.eventLimit,
      this.context.integration === undefined ? EVENTS_PER_LAUNCH : EVENTS_PER_GIT_LAUNCH,
    );
  }

  startUnit(unitId: string, resume?: { attempt: number; retryAt: string }, prefetched = false): void {
    const unit = this.unitsById.get(unitId);
    if (unit === undefined) return;
    const { input, state } = this.context;
    const git = input.git;
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
          ...(git === undefined
            ? {}
            : { gitAttempt: () => gitAttemptInput(git, unit, this.overlaps?.partners(unitId) ?? [], state) }),
          ...(this.context.placement === undefined ? {} : { placement: this.context.placement }),
          ...(this.prefetchLimit === 0
            ? {}
            : {
                handover: {
                  onFailure: input.plan.onFailure,
                  prefetched,
                  onHandedOver: () => this.handOver(unitId),
                },
              }),
        }),
      )
      .then(
        (outcome) => this.completions.push({ kind: 'unit', unitId, outcome }),
        (error: unknown) => {
          this.unexpected ??= error instanceof Error ? error : new Error(String(error));
        },
      );
  }

  /**
   * The history budget is spent and nothing but waiting retries (or reused units waiting for
   * their merge) is left in this execution: it must continue as new to go on.
   */
  private mustContinue(): boolean {
    const { state, integration } = this.context;
    return (
      this.allowance() === 0 &&
      !state.halted &&
      state.hasUnfinished &&
      state.onlyRetriesWaiting &&
      this.waiting.size === 0 &&
      (integration?.onlyReusedWaiting ?? true)
    );
  }

  /**
   * Runs the loop. Returns 'continue' when this execution's history budget is spent and the run
   * must continue as new (no agent running, nothing left to handle), 'done' when nothing can run
   * any more.
   */
  async run(): Promise<'done' | 'continue'> {
    const { state, integration } = this.context;
    for (;;) {
      // A retry's reused units are merged into the integration before any new unit starts.
      if (integration?.reusing !== true) {
        for (const unitId of state.launchReady(workflowNowIso(), this.allowance())) this.startUnit(unitId);
        this.prefetch();
      }
      this.integrateNext();
      if (this.completions.length === 0) {
        const merged = integration?.idle ?? true;
        const idle = state.scheduler.running.size === 0 && this.waiting.size === 0 && merged;
        if (this.mustContinue() && allHandlersFinished()) return 'continue';
        if (idle && !this.mustContinue()) return 'done';
        this.showDetails();
        // Asked again on every activation, not once before the wait: the budget also shrinks with
        // no completion at all (a retry's timer firing, a task's own events), and a retry that
        // waits for budget would otherwise wait for good, with no agent left to complete.
        await condition(
          () =>
            this.completions.length > 0 ||
            this.unexpected !== undefined ||
            (this.mustContinue() && allHandlersFinished()),
        );
      }
      if (this.unexpected !== undefined) throw this.unexpected;
      const next = takeNextCompletion(this.completions);
      if (next === undefined) continue;
      this.details.completed();
      if (next.kind === 'unit' && (next.outcome.kind === 'returned' || this.waiting.delete(next.unitId))) {
        // Its first attempt ended without a known start: it never got a slot, or was cancelled first.
        this.waiting.delete(next.unitId);
        state.scheduler.returnPrefetched(next.unitId);
        continue;
      }
      const ended = this.unitEnd(next);
      if (ended === undefined) continue;
      const cause = this.cancelCauses.get(ended.unitId) ?? (state.isRunCancelled ? 'run' : 'policy');
      for (const unitId of state.settle(ended.unitId, ended.outcome, cause))
        this.scopes.get(unitId)?.cancel();
      if (ended.outcome.kind !== 'cancelled' && ended.outcome.handedTo !== undefined) {
        this.handOver(ended.outcome.handedTo);
      }
      // Nothing new starts once the run stopped: the units waiting for a slot are called back.
      if (state.halted) for (const unitId of this.waiting) this.scopes.get(unitId)?.cancel();
    }
  }

  /** Starts units' first attempts ahead of a free slot, up to the run's `--prefetch`. */
  private prefetch(): void {
    const { state } = this.context;
    if (this.prefetchLimit === 0 || state.halted) return;
    const room = Math.min(this.prefetchLimit - this.waiting.size, this.allowance());
    for (const unitId of state.scheduler.prefetch(room)) {
      this.waiting.add(unitId);
      this.startUnit(unitId, undefined, true);
    }
  }

  /** A prefetched unit's agent started in a slot handed over to it: it runs from now on. */
  private handOver(unitId: string): void {
    if (!this.waiting.delete(unitId)) return;
    this.context.state.handedOver(unitId, workflowNowIso());
  }

  /**
   * How a completion ends its unit, or undefined when it does not end one yet: in a git run a
   * succeeded unit first waits for its merge into the integration, and a reused unit counts as
   * reused only once merged (one that conflicts runs again instead).
   */
  private unitEnd(completion: Completion): { unitId: string; outcome: UnitOutcome } | undefined {
    const { integration, state } = this.context;
    if (completion.kind === 'unit') {
      const { unitId, outcome } = completion;
      if (outcome.kind === 'returned') return undefined;
      if (integration === undefined || outcome.kind !== 'succeeded' || outcome.commit === undefined) {
        return { unitId, outcome };
      }
      this.pendingOutcomes.set(unitId, outcome);
      // The unit keeps its slot until its merge settles it: the launch a freed slot allows comes
      // after the unit's completion event, as in a shared run (SPEC §5 rounds; issue 15 "same events").
      integration.enqueue({ kind: 'completed', unitId, output: outcome.commit });
      return undefined;
    }
    const { entry, conflicts, failure } = completion.done;
    const merged = conflicts === undefined && failure === undefined;
    if (entry.kind === 'reused') {
      const retryOf = this.context.input.retryOf?.workflowId;
      // An operator may have cancelled the unit while it waited for its merge.
      const stillPending = state.status(entry.unitId) === 'PENDING';
      if (merged && retryOf !== undefined && stillPending) {
        state.reuse(entry.unitId, entry.earlier, retryOf);
      }
      return undefined;
    }
    const outcome = this.pendingOutcomes.get(entry.unitId);
    this.pendingOutcomes.delete(entry.unitId);
    if (outcome === undefined || outcome.kind !== 'succeeded') return undefined;
    if (merged) return { unitId: entry.unitId, outcome };
    const failed: UnitOutcome = {
      kind: 'failed',
      exitCode: 1,
      error:
        conflicts === undefined
          ? integrationFailed(entry.unitId, failure ?? '')
          : integrationConflict(entry.unitId, conflicts),
      startedAt: outcome.startedAt,
      finishedAt: outcome.finishedAt,
      ...(outcome.containment === undefined ? {} : { containment: outcome.containment }),
      ...(outcome.observed === undefined ? {} : { observed: outcome.observed }),
      ...(outcome.host === undefined ? {} : { host: outcome.host }),
    };
    return { unitId: entry.unitId, outcome: failed };
  }

  /** Starts the next merge into the integration, when one waits and none is in flight. */
  private integrateNext(): void {
    const { integration, state } = this.context;
    // A retry's budget spent while merging reused units: continue as new before the next merge.
    if (integration?.reusing === true && this.allowance() === 0 && !state.halted) return;
    integration?.startNext(
      (done) => this.completions.push({ kind: 'integration', done }),
      (error: unknown) => {
        this.unexpected ??= error instanceof Error ? error : new Error(String(error));
      },
    );
  }

  private showDetails(): void {
    if (!this.details.due()) return;
    setCurrentDetails(renderDetails(buildProgress(this.context.state, this.context.phase())));
    showInVisibility(this.context.state, 'running');
    this.details.shown();
  }
}
