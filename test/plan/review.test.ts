/**
 * reviewPlanText: every problem of a plan in one pass (SPEC §2), the first one being the one
 * validatePlanText (and so a run) reports. Texts SPEC fixes are literals copied from SPEC.md.
 */
import { reviewPlanText, type PlanReview } from '../../src/plan/review';
import { validatePlanText } from '../../src/plan/validate';
import { goodUnit } from './helpers/plan-files';

const review = (plan: Record<string, unknown>) =>
  reviewPlanText(JSON.stringify(plan, null, 2), { fileName: 'plans/demo.json' });

function refused(result: PlanReview) {
  if (result.ok) throw new Error('expected the plan to be refused');
  return result;
}

const messages = (result: PlanReview) => refused(result).problems.map((problem) => problem.message);

describe('reviewPlanText', () => {
  it('reports a field problem, an unknown dependency and a cycle in different units together', () => {
    const plan = {
      work_units: [
        goodUnit('a', { dependencies: ['b'] }),
        goodUnit('b', { dependencies: ['a'] }),
        goodUnit('c', { timeout: 'soon' }),
        goodUnit('d'),
        goodUnit('e', { dependencies: ['dd'] }),
      ],
    };
    expect(messages(review(plan))).toEqual([
      expect.stringMatching(/^work_units\[2\]\.timeout: "soon" is not a duration/),
      "Unknown dependency 'dd' in work unit 'e'",
      "Dependency cycle detected at 'a'",
    ]);
  });

  it('gives as its first problem the one validatePlanText reports', () => {
    const plans = [
      { max_workers: 0, work_units: [goodUnit('a', { dependencies: ['x'] })] },
      { work_units: [goodUnit('a', { dependencies: ['a', 'x'] }), goodUnit('a')] },
      { work_units: [goodUnit('a', { allowed_directories: ['src'] }), goodUnit('b', { command: ['{x}'] })] },
      {
        work_units: [
          goodUnit('b', { allowed_directories: ['.git'] }),
          goodUnit('a', { allowed_directories: ['src'] }),
        ],
      },
    ];
    for (const plan of plans) {
      const text = JSON.stringify(plan);
      const first = refused(reviewPlanText(text)).problems[0]?.message;
      const validation = validatePlanText(text);
      expect(validation.ok ? undefined : validation.message).toBe(first);
    }
  });

  it('reports every unknown dependency, self-dependency and duplicate id, in plan order', () => {
    const plan = {
      work_units: [
        goodUnit('a', { dependencies: ['x', 'a', 'y', 'x'] }),
        goodUnit('b'),
        goodUnit('b', { allowed_directories: ['src/b2'] }),
      ],
    };
    expect(messages(review(plan))).toEqual([
      'Duplicate work unit id: b',
      "Work unit 'a' depends on itself",
      "Unknown dependency 'x' in work unit 'a'",
      "Unknown dependency 'y' in work unit 'a'",
    ]);
  });

  it('reports each pair of units whose edit areas overlap, the SPEC pair first', () => {
    const plan = {
      work_units: [
        goodUnit('c', { allowed_directories: ['src/api/auth'] }),
        goodUnit('a', { allowed_directories: ['src/api'] }),
        goodUnit('b', { allowed_directories: ['docs', 'src/api/x'] }),
        goodUnit('d', { allowed_directories: ['docs/api'] }),
      ],
    };
    expect(messages(review(plan))).toEqual([
      "Work unit 'a' edit area 'src/api' overlaps with work unit 'b' edit area 'src/api/x'. Choose disjoint subdirectories or merge the work units.",
      "Work unit 'a' edit area 'src/api' overlaps with work unit 'c' edit area 'src/api/auth'. Choose disjoint subdirectories or merge the work units.",
      "Work unit 'b' edit area 'docs' overlaps with work unit 'd' edit area 'docs/api'. Choose disjoint subdirectories or merge the work units.",
    ]);
  });

  it('does not call a dependency on a unit with an invalid id unknown', () => {
    const plan = { work_units: [goodUnit('a b'), goodUnit('c', { dependencies: ['a b', 'zz'] })] };
    expect(messages(review(plan))).toEqual([
      "unit_id contains invalid character ' '; allowed: [a-zA-Z0-9_-]",
      "Unknown dependency 'zz' in work unit 'c'",
    ]);
  });

  it('says so when a unit without an id makes unknown dependencies uncertain', () => {
    const { unit_id: _, ...nameless } = goodUnit('x');
    const result = refused(review({ work_units: [nameless, goodUnit('c', { dependencies: ['x'] })] }));
    expect(result.problems.map((problem) => problem.message)).toEqual([
      'work_units[0].unit_id: missing; every unit needs an id of letters, digits, _ and -',
      "Unknown dependency 'x' in work unit 'c'",
    ]);
    expect(result.notes).toEqual([
      'work unit #1 has no usable unit_id, so dependencies on it could not be told from unknown ones',
    ]);
  });

  it('reports no rule that only a refused value broke', () => {
    const plan = {
      overlap: 'sometimes',
      agent: { command: 'claude -p' },
      work_units: [
        goodUnit('a', { allowed_directories: ['/abs'], command: undefined }),
        goodUnit('b', { allowed_directories: ['src'] }),
        goodUnit('c', { allowed_directories: ['src/c'] }),
      ],
    };
    const result = refused(review(plan));
    expect(result.problems.map((problem) => problem.path)).toEqual([
      ['overlap'],
      ['agent', 'command'],
      ['work_units', 0, 'allowed_directories', 0],
    ]);
    expect(result.notes).toEqual(['edit areas were not checked for overlaps: overlap itself is not valid']);
  });

  it('refuses a top-level key one typo from a known key, naming it, and only warns about others', () => {
    const result = refused(review({ on_falure: 'drain', phase: 'x', work_units: [goodUnit('a')] }));
    expect(result.problems).toEqual([
      expect.objectContaining({
        message: "on_falure: unknown top-level key, too close to 'on_failure' to ignore",
        hints: ["did you mean 'on_failure'?"],
        kind: 'field',
      }),
    ]);
    expect(result.warnings).toEqual([
      "ignoring unknown top-level key 'phase' (fine for a Ralph planning artifact; otherwise check the spelling)",
    ]);
  });

  it('suggests the key a misspelt nested key stands for', () => {
    const result = refused(review({ retry: { max_attempt: 2 }, work_units: [goodUnit('a')] }));
    expect(result.problems[0]).toMatchObject({
      message:
        "retry: unknown key 'max_attempt'; allowed: max_attempts, initial_interval, backoff, max_interval",
      hints: ["did you mean 'max_attempts'?"],
    });
  });

  it('places each problem at its line and column in a JSON plan', () => {
    const result = refused(review({ max_workers: 0, work_units: [goodUnit('a', { dependencies: ['x'] })] }));
    expect(result.problems.map((problem) => problem.position)).toEqual([
      { line: 2, column: 18 },
      { line: 15, column: 9 },
    ]);
  });

  it('places an unknown key at the key and a missing key at the object that lacks it', () => {
    const yaml = [
      'work_units:',
      '  - unit_id: a',
      '    description: x',
      '    allowed_directories: [src/a]',
      '    comand: [x]',
      '  - unit_id: b',
      '    allowed_directories: [src/b]',
      '',
    ].join('\n');
    const result = refused(reviewPlanText(yaml, { fileName: 'p.yaml', agentCommand: ['x'] }));
    expect(result.problems.map(({ message, position }) => [message, position])).toEqual([
      ["Work unit 'a' has unknown key 'comand'", { line: 5, column: 5 }],
      [
        "work_units[1].description: missing; every unit needs one: it is the agent's prompt",
        { line: 6, column: 5 },
      ],
    ]);
  });
});
