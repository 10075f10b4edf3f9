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
import { PrefetchedUnits } from './prefetched-units';
import { offerFreeSlots } from './freed-slot';
import { unitEnd, type PendingOutcomes } from './unit-end';
import { EVENTS_PER_GIT_LAUNCH, EVENTS_PER_LAUNCH, launchAllowance } from './history-budget';
import { buildProgress, renderDetails } from './progress';
import type { RunState } from './run-state';
import type { CancelCause } from './unit-record';
import { attemptContainment, runUnit } from './unit-runner';
import { showInVisibility } from './visibility';
import type { GitIntegration } from './git-integration';
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

/** How soon a slot held for a waiting unit is offered again when nothing else wakes the loop. */
const HELD_SLOT_RECHECK = '10ms';

export class SchedulerLoop {
  private readonly completions: Completion[] = [];
  /** Git units whose attempt succeeded, waiting for their merge into the integration. */
  private readonly pendingOutcomes: PendingOutcomes = new Map();
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
  /** The tickets given out before the last completed workflow task (freed-slot.ts). */
  private ticketsOut = 0;
  /** Free slots held for waiting units whose tickets are not out yet (freed-slot.ts). */
  private heldSlots = 0;
  /** Prefetched units whose first attempt is out, and when each counts as started. */
  private readonly prefetched = new PrefetchedUnits((unitId) =>
    this.context.state.handedOver(unitId, workflowNowIso()),
  );

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
    this.prefetched.callingBack(unitId);
    this.cancelCauses.set(unitId, 'request');
    this.scopes.get(unitId)?.cancel();
  }

  /** Slots no unit holds now, as far as this workflow knows. */
  private freeSlots(): number {
    return this.context.input.plan.maxWorkers - this.context.state.scheduler.running.size;
  }

  /** How many more attempts this execution's history budget allows now. */
  allowance(): number {
    const info = workflowInfo();
    return launchAllowance(
      { events: info.historyLength, bytes: info.historySize },
      // A git unit waiting for its merge still runs: its merge's events are in its launch's share.
      this.context.state.scheduler.running.size + this.prefetched.waiting.size,
      this.context.eventLimit,
      this.context.integration === undefined ? EVENTS_PER_LAUNCH : EVENTS_PER_GIT_LAUNCH,
    );
  }

  startUnit(unitId: string, resume?: { attempt: number; retryAt: string }, ticket?: number): void {
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
                  ...(ticket === undefined ? {} : { ticket }),
                  ticketsIssued: () => this.prefetched.ticketsIssued,
                  onStartedItself: (inTicketOrder) => this.prefetched.handedTo(unitId, inTicketOrder),
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
      this.prefetched.waiting.size === 0 &&
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
        // No await when no unit waits: a run without prefetch takes its steps as it always did.
        this.heldSlots =
          this.prefetched.waiting.size === 0
            ? 0
            : await offerFreeSlots(this.prefetched, () => this.freeSlots(), this.ticketsOut);
        const limit =
          this.heldSlots === 0
            ? this.allowance()
            : Math.max(0, Math.min(this.allowance(), this.freeSlots() - this.heldSlots));
        const launched = state.launchReady(workflowNowIso(), limit);
        // Units are prefetched once this task's completions are all handled, so that a slot one of
        // them frees never finds a waiting unit whose ticket is not out yet (freed-slot.ts). Tickets
        // first: the attempts starting now learn every ticket that is out (slot-handover.ts).
        const prefetched = this.completions.length === 0 ? this.prefetch() : [];
        for (const unitId of launched) this.startUnit(unitId);
        for (const [unitId, ticket] of prefetched) this.startUnit(unitId, undefined, ticket);
      }
      this.integrateNext();
      if (this.completions.length === 0) {
        const merged = integration?.idle ?? true;
        const idle = state.scheduler.running.size === 0 && this.prefetched.waiting.size === 0 && merged;
        if (this.mustContinue() && allHandlersFinished()) return 'continue';
        if (idle && !this.mustContinue()) return 'done';
        this.showDetails();
        // What is given out by now reaches the workers once this workflow task completes.
        this.ticketsOut = this.prefetched.ticketsIssued;
        // Asked again on every activation, not once before the wait: the budget also shrinks with
        // no completion at all (a retry's timer firing, a task's own events), and a retry that
        // waits for budget would otherwise wait for good, with no agent left to complete.
        const woken = (): boolean =>
          this.completions.length > 0 ||
          this.unexpected !== undefined ||
          (this.mustContinue() && allHandlersFinished());
        // A held slot is offered again in the next task, when the tickets given out now are out.
        if (this.heldSlots > 0) await condition(woken, HELD_SLOT_RECHECK);
        else await condition(woken);
      }
      if (this.unexpected !== undefined) throw this.unexpected;
      const next = takeNextCompletion(this.completions);
      if (next === undefined) continue;
      this.details.completed();
      if (
        next.kind === 'unit' &&
        (next.outcome.kind === 'returned' || this.prefetched.waiting.has(next.unitId))
      ) {
        // Its first attempt ended without a known start: it never got a slot, or was cancelled first.
        this.prefetched.returned(next.unitId);
        state.scheduler.returnPrefetched(next.unitId);
        continue;
      }
      const ended = unitEnd(next, {
        state,
        pendingOutcomes: this.pendingOutcomes,
        ...(integration === undefined ? {} : { integration }),
        ...(this.context.input.retryOf === undefined
          ? {}
          : { retryOf: this.context.input.retryOf.workflowId }),
      });
      if (ended === undefined) continue;
      const cause = this.cancelCauses.get(ended.unitId) ?? (state.isRunCancelled ? 'run' : 'policy');
      for (const unitId of state.settle(ended.unitId, ended.outcome, cause))
        this.scopes.get(unitId)?.cancel();
      const outcome = ended.outcome;
      if (outcome.kind !== 'cancelled' && outcome.handedTo !== undefined) {
        this.prefetched.handedTo(outcome.handedTo, outcome.handedInTicketOrder === true);
      }
      // Nothing new starts once the run stopped: the units waiting for a slot are called back.
      if (state.halted) for (const unitId of this.prefetched.waiting) this.scopes.get(unitId)?.cancel();
    }
  }

  /** Picks units to start ahead of a free slot, up to the run's `--prefetch`, with their tickets. */
  private prefetch(): [string, number][] {
    const { state } = this.context;
    if (this.prefetchLimit === 0 || state.halted) return [];
    const room = Math.min(this.prefetchLimit - this.prefetched.waiting.size, this.allowance());
    return state.scheduler.prefetch(room).map((unitId) => [unitId, this.prefetched.issue(unitId)]);
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
