/**
 * What ended attempts report beside their outcome (SPEC §8): each unit's confinement and changes
 * go into its record; the run keeps each containment warning once (§8.1) and the changes outside
 * every unit's area, merged over the run with the units that saw them (§8.2).
 */
import { DirectorySet, mergeOutOfBounds, outsideEveryArea } from '../plan/out-of-bounds';
import type { OutOfBoundsChange, Plan } from '../plan/types';
import type { UnitOutcome } from './unit-record';
import type { UnitRecords } from './unit-records';

export class AttemptReports {
  /** Containment warnings of the attempts that ended here, each once (SPEC §8.1). */
  readonly warnings: string[] = [];
  /** Changes outside every unit's area, by path, with the units that saw them (SPEC §8.2). */
  outOfBounds: readonly OutOfBoundsChange[] = [];
  private areas: DirectorySet | undefined;

  constructor(
    private readonly plan: Plan,
    private readonly records: UnitRecords,
    /** What earlier executions of the run reported (it continued as new). */
    carried?: { readonly warnings?: readonly string[]; readonly outOfBounds?: readonly OutOfBoundsChange[] },
  ) {
    this.warnings.push(...(carried?.warnings ?? []));
    this.outOfBounds = carried?.outOfBounds ?? [];
  }

  /** The reports for the next execution (SPEC §8.1, §8.2 hold for the whole run). */
  carry(): { warnings?: readonly string[]; outOfBounds?: readonly OutOfBoundsChange[] } {
    return {
      ...(this.warnings.length === 0 ? {} : { warnings: [...this.warnings] }),
      ...(this.outOfBounds.length === 0 ? {} : { outOfBounds: this.outOfBounds }),
    };
  }

  /** Keeps what the attempts of a unit that just ended reported. */
  ended(unitId: string, outcome: UnitOutcome): void {
    if (outcome.kind === 'cancelled') return;
    const warning = this.records.contained(unitId, outcome.containment);
    if (warning !== undefined && !this.warnings.includes(warning)) this.warnings.push(warning);
    if (outcome.observed === undefined) return;
    const { changes, outOfBounds = [] } = outcome.observed;
    if (changes !== undefined) this.records.change(unitId, { changes });
    const seen = outsideEveryArea(outOfBounds, this.allAreas());
    this.outOfBounds = mergeOutOfBounds(this.outOfBounds, unitId, seen);
  }

  /** Every unit's allowed directories and agent.writable: what an attempt may have judged without them. */
  private allAreas(): DirectorySet {
    this.areas ??= new DirectorySet([
      ...this.plan.workUnits.flatMap((unit) => unit.allowedDirectories),
      ...(this.plan.agent.writable ?? []),
    ]);
    return this.areas;
  }
}
