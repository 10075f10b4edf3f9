/** Properties of validation and of the overlap relation over random plans and paths. */
import fc from 'fast-check';
import { predictWaves } from '../../src/plan/graph';
import { directoriesOverlap, normalizeDirectory } from '../../src/plan/overlap';
import { checkPlanRules } from '../../src/plan/rules';
import { validatePlanText, type PlanValidation } from '../../src/plan/validate';
import { testPlan, testUnit } from '../helpers/plan-factory';

interface UnitFile {
  unit_id: string;
  description: string;
  allowed_directories: string[];
  dependencies: string[];
}

/** Units whose dependencies point only to units generated before them, then shuffled into any plan order. */
const acyclicUnits = fc
  .uniqueArray(fc.stringMatching(/^[a-zA-Z0-9_-]{1,12}$/), { minLength: 1, maxLength: 14 })
  .chain((ids) =>
    fc.tuple(
      fc.constant(ids),
      fc.tuple(...ids.map((_, index) => fc.subarray(ids.slice(0, index)))),
      fc.shuffledSubarray(ids, { minLength: ids.length, maxLength: ids.length }),
    ),
  )
  .map(([ids, dependencyLists, planOrder]) => {
    const byId = new Map<string, UnitFile>(
      ids.map((id, index) => [
        id,
        {
          unit_id: id,
          description: `Work on ${id}.`,
          allowed_directories: [`area${index}/src`],
          dependencies: dependencyLists[index] ?? [],
        },
      ]),
    );
    return planOrder.map((id) => byId.get(id) as UnitFile);
  });

const planText = (units: UnitFile[], maxWorkers: number) =>
  JSON.stringify({
    max_workers: maxWorkers,
    agent: { command: ['agent', '{prompt_file}'] },
    work_units: units,
  });

/** An independent model of SPEC §2.2.3: recursive depth-first walk in plan order. */
function referenceCycleNode(units: readonly UnitFile[]): string | undefined {
  const dependencies = new Map(units.map((unit) => [unit.unit_id, unit.dependencies]));
  const onPath = new Set<string>();
  const done = new Set<string>();
  const visit = (node: string): string | undefined => {
    if (onPath.has(node)) return node;
    if (done.has(node)) return undefined;
    onPath.add(node);
    for (const dependency of dependencies.get(node) ?? []) {
      const found = visit(dependency);
      if (found !== undefined) return found;
    }
    onPath.delete(node);
    done.add(node);
    return undefined;
  };
  for (const unit of units) {
    const found = visit(unit.unit_id);
    if (found !== undefined) return found;
  }
  return undefined;
}

function accepted(result: PlanValidation) {
  if (!result.ok) throw new Error(`expected acceptance, got: ${result.message}`);
  return result.plan;
}

describe('validatePlanText over random plans', () => {
  it('accepts every acyclic plan with disjoint edit areas, in any plan order', () => {
    fc.assert(
      fc.property(acyclicUnits, fc.integer({ min: 1, max: 256 }), (units, maxWorkers) => {
        expect(validatePlanText(planText(units, maxWorkers), { fileName: 'p.json' }).ok).toBe(true);
      }),
    );
  });

  it('predicts waves that launch each unit once, after its dependencies, never more than max_workers at a time', () => {
    fc.assert(
      fc.property(acyclicUnits, fc.integer({ min: 1, max: 4 }), (units, maxWorkers) => {
        const plan = accepted(validatePlanText(planText(units, maxWorkers), { fileName: 'p.json' }));
        const waves = predictWaves(plan);
        const waveOf = new Map(waves.flatMap((wave, index) => wave.map((id) => [id, index] as const)));
        expect(waves.flat().sort()).toEqual(units.map((unit) => unit.unit_id).sort());
        for (const wave of waves) expect(wave.length).toBeLessThanOrEqual(maxWorkers);
        for (const unit of units) {
          for (const dependency of unit.dependencies) {
            expect(waveOf.get(dependency)).toBeLessThan(waveOf.get(unit.unit_id) ?? -1);
          }
        }
      }),
    );
  });

  it('rejects every plan with an injected cycle, naming the node a depth-first walk in plan order meets again', () => {
    const withCycle = acyclicUnits
      .filter((units) => units.length >= 2)
      .chain((units) =>
        fc.tuple(
          fc.constant(units),
          fc.integer({ min: 0, max: units.length - 1 }),
          fc.integer({ min: 0, max: units.length - 1 }),
        ),
      )
      .filter(([, first, second]) => first !== second)
      .map(([units, first, second]) => {
        const copy = units.map((unit) => ({ ...unit, dependencies: [...unit.dependencies] }));
        const [a, b] = [copy[first] as UnitFile, copy[second] as UnitFile];
        a.dependencies.push(b.unit_id);
        b.dependencies.push(a.unit_id);
        return copy;
      });
    fc.assert(
      fc.property(withCycle, (units) => {
        const result = validatePlanText(planText(units, 4), { fileName: 'p.json' });
        expect(result).toEqual({
          ok: false,
          kind: 'rejected',
          message: `Dependency cycle detected at '${referenceCycleNode(units) ?? 'none'}'`,
        });
      }),
    );
  });
});

describe('directoriesOverlap', () => {
  const segment = fc.constantFrom('a', 'b', 'ab', 'a.b', '.x', 'src');
  const segments = fc.array(segment, { minLength: 1, maxLength: 4 });
  /** The same path as people write it: `./` in front, doubled or trailing slashes, `.` segments. */
  const spelled = (parts: string[]) =>
    fc
      .tuple(fc.boolean(), fc.boolean(), fc.boolean())
      .map(
        ([dotFirst, doubled, trailing]) =>
          `${dotFirst ? './' : ''}${parts.join(doubled ? '//./' : '/')}${trailing ? '/' : ''}`,
      );
  const path = segments.chain(spelled);

  it('is symmetric', () => {
    fc.assert(
      fc.property(path, path, (a, b) => directoriesOverlap([a], [b]) === directoriesOverlap([b], [a])),
    );
  });

  it('holds exactly when one normalized path is the other or lies under it, segment by segment', () => {
    fc.assert(
      fc.property(path, path, (a, b) => {
        const [x, y] = [normalizeDirectory(a), normalizeDirectory(b)];
        const model = x === y || x.startsWith(`${y}/`) || y.startsWith(`${x}/`);
        expect(directoriesOverlap([a], [b])).toBe(model);
      }),
    );
  });

  it('does not depend on how a path is spelled', () => {
    fc.assert(
      fc.property(
        segments.chain((parts) => fc.tuple(fc.constant(parts.join('/')), spelled(parts))),
        path,
        ([plain, decorated], other) => {
          expect(directoriesOverlap([decorated], [other])).toBe(directoriesOverlap([plain], [other]));
        },
      ),
    );
  });

  it('never confuses a sibling that merely shares a prefix of characters', () => {
    fc.assert(
      fc.property(segments, (parts) => !directoriesOverlap([parts.join('/')], [`${parts.join('/')}2`])),
    );
  });
});

/** SPEC §2.3 pass 2 read literally: every pair, in order, with its own path splitting. */
function referenceFirstOverlap(
  units: readonly { unitId: string; allowedDirectories: readonly string[] }[],
): string | undefined {
  const segmentsOf = (raw: string) => raw.split('/').filter((part) => part !== '' && part !== '.');
  const isPrefix = (a: string[], b: string[]) => a.every((part, index) => b[index] === part);
  const pairs = [...units]
    .sort((a, b) => (a.unitId < b.unitId ? -1 : 1))
    .flatMap((unit) => [...unit.allowedDirectories].sort().map((raw) => ({ unitId: unit.unitId, raw })));
  for (let i = 0; i < pairs.length; i += 1) {
    for (let j = i + 1; j < pairs.length; j += 1) {
      const [first, second] = [pairs[i], pairs[j]];
      if (!first || !second || first.unitId === second.unitId) continue;
      const [a, b] = [segmentsOf(first.raw), segmentsOf(second.raw)];
      if (isPrefix(a, b) || isPrefix(b, a)) {
        return `Work unit '${first.unitId}' edit area '${first.raw}' overlaps with work unit '${second.unitId}' edit area '${second.raw}'. Choose disjoint subdirectories or merge the work units.`;
      }
    }
  }
  return undefined;
}

describe('checkPlanRules overlap search', () => {
  const pool = ['a', 'a/b', 'a/b/c', './a', 'a//b/', 'ab', 'b', 'b/a', 'c/d', 'c', 'd/e/f', 'd/e'];
  const units = fc
    .uniqueArray(fc.constantFrom('a', 'b', 'c', 'B', '-x', '10', '9', 'z_'), { minLength: 1, maxLength: 8 })
    .chain((ids) =>
      fc.tuple(
        ...ids.map((id) =>
          fc
            .subarray(pool, { minLength: 1, maxLength: 3 })
            .map((dirs) => testUnit(id, [], { allowedDirectories: dirs })),
        ),
      ),
    );

  it('reports the same first overlap as comparing every pair in SPEC order', () => {
    fc.assert(
      fc.property(units, (workUnits) => {
        expect(checkPlanRules(testPlan(workUnits))).toBe(referenceFirstOverlap(workUnits));
      }),
      { numRuns: 500 },
    );
  });
});
