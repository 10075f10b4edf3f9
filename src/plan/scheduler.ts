/**
 * The scheduler of SPEC §3, pure: decisions are a function of the plan and of the order of
 * completions, so a replayed workflow makes the same ones.
 *
 * - A unit is ready when it is pending and every dependency has SUCCEEDED.
 * - Ready units launch in code-point order of unit_id while fewer than `maxWorkers` run.
 * - With `overlap: serialize`, a ready unit whose edit area overlaps a running unit's waits, and
 *   the next ready unit may go ahead.
 *
 * `nextLaunches` is the reference function over a whole state; `Scheduler` keeps the same rules
 * incrementally (ready set and dependency counters) so a plan of thousands of units re-plans in
 * time proportional to the ready set, not the plan.
 */
import { compareCodePoints, directorySegments, segmentsOverlap } from './overlap';
import type { OverlapMode, WorkUnit } from './types';

export type SchedulableUnit = Pick<WorkUnit, 'unitId' | 'dependencies' | 'allowedDirectories'>;

export interface SchedulerConfig {
  readonly maxWorkers: number;
  readonly overlap: OverlapMode;
}

/** Where a unit stands, as far as scheduling cares. */
export type ScheduleStatus = 'pending' | 'running' | 'succeeded' | 'done';

export interface ScheduleState extends SchedulerConfig {
  /** In plan order. */
  readonly units: readonly SchedulableUnit[];
  /** Missing entries count as pending. `done` is any terminal status other than success. */
  readonly statuses: ReadonlyMap<string, ScheduleStatus>;
}

/** Why a unit that has not launched is not running yet (SPEC §6, "why is it not running?"). */
export type WaitReason =
  | { readonly kind: 'dependencies'; readonly waitingFor: readonly string[] }
  | { readonly kind: 'slot'; readonly running: number; readonly maxWorkers: number }
  | { readonly kind: 'overlap'; readonly unitId: string };

/**
 * The units to launch now, in launch order: the ready ones in code-point order, while slots
 * remain, skipping (under serialize) those that overlap a running or just-launched unit.
 */
export function nextLaunches(state: ScheduleState): string[] {
  const status = (id: string): ScheduleStatus => state.statuses.get(id) ?? 'pending';
  const ready = state.units
    .filter((unit) => status(unit.unitId) === 'pending')
    .filter((unit) => unit.dependencies.every((dep) => status(dep) === 'succeeded'))
    .map((unit) => unit.unitId)
    .sort(compareCodePoints);
  const running = state.units.filter((unit) => status(unit.unitId) === 'running').map((unit) => unit.unitId);
  const areas = new EditAreas(state.units);
  return pickLaunches(ready, running, state, areas);
}

function pickLaunches(
  readyInOrder: readonly string[],
  running: readonly string[],
  config: SchedulerConfig,
  areas: EditAreas,
  limit = Number.POSITIVE_INFINITY,
): string[] {
  const launched: string[] = [];
  const busy = [...running];
  for (const candidate of readyInOrder) {
    if (busy.length >= config.maxWorkers || launched.length >= limit) break;
    if (config.overlap === 'serialize' && areas.firstOverlap(candidate, busy) !== undefined) continue;
    launched.push(candidate);
    busy.push(candidate);
  }
  return launched;
}

/** Each unit's directories as segment lists, for the serialize rule. */
class EditAreas {
  private readonly segments = new Map<string, string[][]>();

  constructor(units: readonly SchedulableUnit[]) {
    for (const unit of units) this.segments.set(unit.unitId, unit.allowedDirectories.map(directorySegments));
  }

  /** The first of `others` (in the order given) whose edit area overlaps `unitId`'s. */
  firstOverlap(unitId: string, others: Iterable<string>): string | undefined {
    const mine = this.segments.get(unitId) ?? [];
    for (const other of others) {
      if (other === unitId) continue;
      const theirs = this.segments.get(other) ?? [];
      if (mine.some((a) => theirs.some((b) => segmentsOverlap(a, b)))) return other;
    }
    return undefined;
  }
}

/**
 * The same rules as {@link nextLaunches}, kept incrementally. The caller reports every change of
 * a unit (launch, success, other terminal outcome, removal from consideration) and asks for
 * launches after each one.
 */
export class Scheduler {
  private readonly units = new Map<string, SchedulableUnit>();
  private readonly dependents = new Map<string, string[]>();
  private readonly unmetDependencies = new Map<string, number>();
  private readonly statuses = new Map<string, ScheduleStatus>();
  /** Pending units whose dependencies all succeeded, kept in code-point order. */
  private readonly ready: string[] = [];
  /** Running units in launch order. */
  private readonly runningUnits = new Set<string>();
  /**
   * Pending units whose attempt was started ahead of a free slot: it waits on the worker until a
   * unit of the run that ends hands its slot over (prefetch). Not ready, not running.
   */
  private readonly prefetchedUnits = new Set<string>();
  /** Units whose dependencies were unmet at the start, in code-point order: see {@link firstUnready}. */
  private readonly unreadyInOrder: string[] = [];
  private unreadyCursor = 0;
  private pending = 0;
  private readonly areas: EditAreas;

  constructor(
    units: readonly SchedulableUnit[],
    private readonly config: SchedulerConfig,
  ) {
    this.areas = new EditAreas(units);
    for (const unit of units) {
      this.units.set(unit.unitId, unit);
      this.statuses.set(unit.unitId, 'pending');
      this.pending += 1;
      const distinct = [...new Set(unit.dependencies)];
      this.unmetDependencies.set(unit.unitId, distinct.length);
      for (const dep of distinct) {
        const list = this.dependents.get(dep) ?? [];
        list.push(unit.unitId);
        this.dependents.set(dep, list);
      }
    }
    for (const unit of units)
      if (this.unmetDependencies.get(unit.unitId) === 0) this.insertReady(unit.unitId);
      else this.unreadyInOrder.push(unit.unitId);
    this.unreadyInOrder.sort(compareCodePoints);
  }

  /**
   * Picks the units to launch now and marks them running. `limit` caps how many start now (the
   * workflow's history budget); the rest stay ready, in order, for a later call.
   */
  launch(limit?: number): string[] {
    const launched = pickLaunches(this.ready, [...this.runningUnits], this.config, this.areas, limit);
    for (const id of launched) {
      this.removeReady(id);
      this.pending -= 1;
      this.statuses.set(id, 'running');
      this.runningUnits.add(id);
    }
    return launched;
  }

  /**
   * Picks up to `limit` ready units to start ahead of a free slot, in launch order, and marks them
   * prefetched. Only units that every later completion would still launch first qualify: no
   * pending unit with unmet dependencies sorts before them (it could become ready and go first),
   * and areas never hold a unit back (not under `serialize`).
   */
  prefetch(limit: number): string[] {
    if (this.config.overlap === 'serialize' || limit <= 0) return [];
    const bound = this.firstUnready();
    const picked: string[] = [];
    for (const unitId of this.ready) {
      if (picked.length >= limit) break;
      if (bound !== undefined && compareCodePoints(unitId, bound) > 0) break;
      picked.push(unitId);
    }
    for (const unitId of picked) {
      this.removeReady(unitId);
      this.prefetchedUnits.add(unitId);
    }
    return picked;
  }

  /** A prefetched unit took the slot a finished unit handed over: it runs now. */
  handedOver(unitId: string): boolean {
    if (!this.prefetchedUnits.delete(unitId)) return false;
    this.pending -= 1;
    this.statuses.set(unitId, 'running');
    this.runningUnits.add(unitId);
    return true;
  }

  /** A prefetched unit's attempt ended without starting its agent: it is ready again, in order. */
  returnPrefetched(unitId: string): void {
    if (!this.prefetchedUnits.delete(unitId)) return;
    if (this.statuses.get(unitId) === 'pending') this.insertReady(unitId);
  }

  get prefetched(): ReadonlySet<string> {
    return this.prefetchedUnits;
  }

  /** A running unit succeeded: its slot frees and its dependents may become ready. */
  succeeded(unitId: string): void {
    this.settle(unitId, 'succeeded');
    for (const dependent of this.dependents.get(unitId) ?? []) {
      const unmet = (this.unmetDependencies.get(dependent) ?? 0) - 1;
      this.unmetDependencies.set(dependent, unmet);
      if (unmet === 0 && this.statuses.get(dependent) === 'pending') this.insertReady(dependent);
    }
  }

  /** A unit ended without success (failed, cancelled, blocked, skipped): it frees its slot, if any. */
  finishedWithoutSuccess(unitId: string): void {
    this.settle(unitId, 'done');
  }

  /**
   * A unit that was running when the run continued as new (a retry waiting out its delay): it
   * holds its slot again without a new launch.
   */
  resumeRunning(unitId: string): void {
    if (this.statuses.get(unitId) === 'pending') this.leavePending(unitId);
    this.statuses.set(unitId, 'running');
    this.runningUnits.add(unitId);
  }

  status(unitId: string): ScheduleStatus | undefined {
    return this.statuses.get(unitId);
  }

  get running(): ReadonlySet<string> {
    return this.runningUnits;
  }

  /** How many units are pending (O(1), unlike {@link pendingUnits}). */
  get pendingCount(): number {
    return this.pending;
  }

  /** Pending units in plan order. */
  pendingUnits(): string[] {
    return [...this.units.keys()].filter((id) => this.statuses.get(id) === 'pending');
  }

  /** Why a pending unit has not launched; undefined for units that are not pending. */
  waitReason(unitId: string): WaitReason | undefined {
    const unit = this.units.get(unitId);
    if (unit === undefined || this.statuses.get(unitId) !== 'pending') return undefined;
    const waitingFor = [...new Set(unit.dependencies)].filter(
      (dep) => this.statuses.get(dep) !== 'succeeded',
    );
    if (waitingFor.length > 0) return { kind: 'dependencies', waitingFor };
    if (this.config.overlap === 'serialize') {
      const blocker = this.areas.firstOverlap(unitId, this.runningUnits);
      if (blocker !== undefined) return { kind: 'overlap', unitId: blocker };
    }
    return { kind: 'slot', running: this.runningUnits.size, maxWorkers: this.config.maxWorkers };
  }

  private settle(unitId: string, status: 'succeeded' | 'done'): void {
    if (this.statuses.get(unitId) === 'pending') this.leavePending(unitId);
    this.runningUnits.delete(unitId);
    this.statuses.set(unitId, status);
  }

  private leavePending(unitId: string): void {
    this.removeReady(unitId);
    this.prefetchedUnits.delete(unitId);
    this.pending -= 1;
  }

  /** The first pending unit, in code-point order, whose dependencies are not all met yet. */
  private firstUnready(): string | undefined {
    while (this.unreadyCursor < this.unreadyInOrder.length) {
      const unitId = this.unreadyInOrder[this.unreadyCursor] as string;
      if (this.statuses.get(unitId) === 'pending' && (this.unmetDependencies.get(unitId) ?? 0) > 0)
        return unitId;
      this.unreadyCursor += 1;
    }
    return undefined;
  }

  private insertReady(unitId: string): void {
    let low = 0;
    let high = this.ready.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareCodePoints(this.ready[middle] as string, unitId) < 0) low = middle + 1;
      else high = middle;
    }
    if (this.ready[low] !== unitId) this.ready.splice(low, 0, unitId);
  }

  private removeReady(unitId: string): void {
    const index = this.ready.indexOf(unitId);
    if (index >= 0) this.ready.splice(index, 1);
  }
}
