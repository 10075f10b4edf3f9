/**
 * The one scheduler loop of an execution: launch what may run, then handle exactly one completion,
 * repeat. Each unit runs in a cancellation scope of its own, so one unit can be cancelled (the
 * failure policy, an operator's request) while the others run on.
 */
import {
  CancellationScope,
  allHandlersFinished,
  condition,
  patched,
  setCurrentDetails,
  workflowInfo,
} from '@temporalio/workflow';
import type { PlanAreas } from '../activities';
import type { WorkUnit } from '../plan/types';
import { OverlapIndex } from '../plan/starting-inputs';
import { resolveUnitSettings } from '../plan/unit-settings';
import type { FanoutInput, Progress } from '../contracts/run-types';
import { workflowNowIso, workflowNowMs } from './clock';
import { EVENTS_PER_GIT_LAUNCH, EVENTS_PER_LAUNCH, launchAllowance } from './history-budget';
import { buildProgress, renderDetails } from './progress';
import type { RunState } from './run-state';
import type { CancelCause, UnitOutcome } from './unit-record';
import { attemptContainment, runUnit } from './unit-runner';
import { showInVisibility } from './visibility';
import {
  integrationConflict,
  integrationFailed,
  type GitIntegration,
  type IntegrationDone,
} from './git-integration';
import { gitAttemptInput } from './git-attempt';
import type { Placement } from './placed-attempt';

/** What the loop handles one at a time: a unit's coroutine ended, or a git merge answered. */
type Completion =
  | { readonly kind: 'unit'; readonly unitId: string; readonly outcome: UnitOutcome }
  | { readonly kind: 'integration'; readonly done: IntegrationDone };

/** Plans up to this size refresh the Web UI's details on every completion; larger ones less often. */
const DETAILS_EVERY_COMPLETION_UP_TO = 200;
/**
 * A larger plan refreshes its details (and `agent-fanout list`'s search attributes) at most this
 * often, in workflow time: each refresh visits every unit, and each changed count is an event and
 * a visibility write on the server. Runs started before this rule refreshed every 1/200th of their
 * units; the patch keeps their replay.
 */
const DETAILS_INTERVAL_MS = 1_000;
const DETAILS_BY_TIME_PATCH = 'fanout-details-by-time';

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
  // Rendering the details is O(units): a large plan refreshes them at most once a second.
  private completionsSinceDetails: number | undefined;
  private detailsShownAtMs = 0;
  private readonly detailsEvery: number;
  /** What every attempt is told of the plan's areas (SPEC §8.2, §8.5), built once per execution. */
  private readonly containment: PlanAreas;
  /** A git run's overlapping units (SPEC §9 starting points), indexed once per execution. */
  private readonly overlaps: OverlapIndex | undefined;

  constructor(private readonly context: SchedulerLoopContext) {
    const units = context.input.plan.workUnits;
    this.unitsById = new Map(units.map((unit) => [unit.unitId, unit]));
    this.containment = attemptContainment(context.input.plan);
    // Only `overlap: serialize` lets areas overlap (SPEC §2.3); under `reject` no unit has partners.
    const overlapping = context.input.git !== undefined && context.input.plan.overlap === 'serialize';
    this.overlaps = overlapping ? new OverlapIndex(units) : undefined;
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
      // A git unit waiting for its merge still runs: its merge's events are in its launch's share.
      this.context.state.scheduler.running.size,
      this.context.eventLimit,
      this.context.integration === undefined ? EVENTS_PER_LAUNCH : EVENTS_PER_GIT_LAUNCH,
    );
  }

  startUnit(unitId: string, resume?: { attempt: number; retryAt: string }): void {
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
      }
      this.integrateNext();
      if (this.completions.length === 0) {
        const merged = integration?.idle ?? true;
        const idle = state.scheduler.running.size === 0 && merged;
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
      const next = this.completions.shift();
      if (next === undefined) continue;
      if (this.completionsSinceDetails !== undefined) this.completionsSinceDetails += 1;
      const ended = this.unitEnd(next);
      if (ended === undefined) continue;
      const cause = this.cancelCauses.get(ended.unitId) ?? (state.isRunCancelled ? 'run' : 'policy');
      for (const unitId of state.settle(ended.unitId, ended.outcome, cause))
        this.scopes.get(unitId)?.cancel();
    }
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
      if (integration === undefined || outcome.kind !== 'succeeded' || outcome.commit === undefined) {
        return completion;
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
    if (!this.detailsDue()) return;
    setCurrentDetails(renderDetails(buildProgress(this.context.state, this.context.phase())));
    showInVisibility(this.context.state, 'running');
    this.completionsSinceDetails = 0;
    this.detailsShownAtMs = workflowNowMs();
  }

  private detailsDue(): boolean {
    const since = this.completionsSinceDetails;
    if (since === undefined) return true;
    if (since === 0) return false;
    const large = this.context.input.plan.workUnits.length > DETAILS_EVERY_COMPLETION_UP_TO;
    if (large && patched(DETAILS_BY_TIME_PATCH)) {
      return workflowNowMs() - this.detailsShownAtMs >= DETAILS_INTERVAL_MS;
    }
    return since >= this.detailsEvery;
  }
}
