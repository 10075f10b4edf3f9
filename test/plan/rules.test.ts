/**
 * SPEC §2 in order, on normalized plans. Expected texts are literals copied from SPEC.md, never
 * built with the message functions.
 */
import { checkPlanRules } from '../../src/plan/rules';
import type { Plan, WorkUnit } from '../../src/plan/types';
import { testPlan, testUnit } from '../helpers/plan-factory';

const unit = (
  unitId: string,
  dependencies: string[] = [],
  allowedDirectories = [`src/${unitId}`],
): WorkUnit => testUnit(unitId, dependencies, { allowedDirectories });

const check = (units: WorkUnit[], extra: Partial<Plan> = {}) => checkPlanRules(testPlan(units, extra));

describe('checkPlanRules: graph rules (SPEC §2.2)', () => {
  it('accepts a plan whose dependencies form a DAG, listed in any order', () => {
    expect(check([unit('c', ['a', 'b']), unit('b', ['a', 'a']), unit('a')])).toBeUndefined();
  });

  it('names the second occurrence of a duplicate unit id', () => {
    expect(check([unit('a'), unit('b'), unit('a', [], ['src/z'])])).toBe('Duplicate work unit id: a');
  });

  it('reports duplicates before a self-dependency listed earlier in the plan', () => {
    expect(check([unit('x', ['x']), unit('a'), unit('a', [], ['src/z'])])).toBe('Duplicate work unit id: a');
  });

  it('names a unit that depends on itself', () => {
    expect(check([unit('a', ['a'])])).toBe("Work unit 'a' depends on itself");
  });

  it("checks a unit's self-dependency before its unknown dependencies", () => {
    expect(check([unit('a', ['zz', 'a'])])).toBe("Work unit 'a' depends on itself");
  });

  it('names the first unknown dependency in listed order', () => {
    expect(check([unit('a'), unit('b', ['a', 'zz', 'yy'])])).toBe("Unknown dependency 'zz' in work unit 'b'");
  });

  it('checks units in plan order: an unknown dependency of an earlier unit wins over a later self-dependency', () => {
    expect(check([unit('b', ['nope']), unit('a', ['a'])])).toBe("Unknown dependency 'nope' in work unit 'b'");
  });

  it('names a in a two-unit cycle a <-> b', () => {
    expect(check([unit('a', ['b']), unit('b', ['a'])])).toBe("Dependency cycle detected at 'a'");
  });

  it('names a in the cycle a -> c -> b -> a, the first node met again', () => {
    expect(check([unit('a', ['c']), unit('b', ['a']), unit('c', ['b'])])).toBe(
      "Dependency cycle detected at 'a'",
    );
  });

  it('starts the walk from the first unit in plan order and follows dependencies in listed order', () => {
    const units = [unit('x', ['q', 'p']), unit('p', ['r']), unit('q'), unit('r', ['p'])];
    expect(check(units)).toBe("Dependency cycle detected at 'p'");
  });

  it('finds a cycle that is reachable only from a later unit', () => {
    expect(check([unit('a'), unit('b', ['c']), unit('c', ['d']), unit('d', ['c'])])).toBe(
      "Dependency cycle detected at 'c'",
    );
  });

  it('walks a chain of 20000 units without overflowing the stack', () => {
    const units = Array.from({ length: 20_000 }, (_, i) =>
      unit(`u${i}`, i === 0 ? ['u19999'] : [`u${i - 1}`]),
    );
    expect(check(units)).toBe("Dependency cycle detected at 'u0'");
  });
});

describe('checkPlanRules: same-workspace rules, pass 1 (SPEC §2.3)', () => {
  it('rejects a unit without allowed_directories', () => {
    expect(check([unit('a'), unit('b', [], [])])).toBe(
      "Work unit 'b' does not declare any allowed_directories. Each unit must declare the subdirectories it is permitted to edit. Choose disjoint subdirectories or merge the work units.",
    );
  });

  it.each(['.', './', './/.', '././'])('treats %p as the reserved empty path', (raw) => {
    expect(check([unit('a', [], ['src', raw])])).toBe(
      "Work unit 'a' declares an empty allowed_directory. The empty string is a reserved path. Choose a specific subdirectory.",
    );
  });

  it('rejects anything under .worktrees with its own text, quoting the entry as written', () => {
    expect(check([unit('a', [], ['./.worktrees//x/'])])).toBe(
      "Work unit 'a' declares reserved path './.worktrees//x/' as an edit area. Path '.worktrees' is reserved (defense-in-depth) and may not be used as an allowed_directory. Choose a project-owned subdirectory.",
    );
  });

  it.each(['.agent', '.git', '.git/hooks', './.agent/'])('rejects %p as a reserved path', (raw) => {
    expect(check([unit('a', [], [raw])])).toBe(
      `Work unit 'a' declares reserved path '${raw}' as an edit area. Reserved paths (.agent, .git, .) may not be declared as allowed_directories. Choose a project-owned subdirectory.`,
    );
  });

  it.each(['src/.git', '.agentx', '.GIT', 'src/.worktrees', '.Agent'])(
    'lets %p pass: only the first segment counts, case-sensitively',
    (raw) => {
      expect(check([unit('a', [], [raw])])).toBeUndefined();
    },
  );

  it("reserves the namespace root's first segment when it is not .agent", () => {
    expect(check([unit('a', [], ['work/src'])], { namespaceRoot: 'work/ns' })).toBe(
      "Work unit 'a' declares reserved path 'work/src' as an edit area. Path 'work' holds the unit namespaces and may not be used as an allowed_directory. Choose a project-owned subdirectory.",
    );
  });

  it('reserves nothing more than .agent itself for the default namespace root', () => {
    expect(check([unit('a', [], ['workers'])], { namespaceRoot: '.agent/workers' })).toBeUndefined();
  });

  it("checks a unit's directories in listed order", () => {
    expect(check([unit('a', [], ['.git', '.'])])).toBe(
      "Work unit 'a' declares reserved path '.git' as an edit area. Reserved paths (.agent, .git, .) may not be declared as allowed_directories. Choose a project-owned subdirectory.",
    );
  });

  it('runs pass 1 over every unit before looking for overlaps', () => {
    expect(check([unit('a', [], ['src']), unit('b', [], ['src']), unit('c', [], ['.git'])])).toBe(
      "Work unit 'c' declares reserved path '.git' as an edit area. Reserved paths (.agent, .git, .) may not be declared as allowed_directories. Choose a project-owned subdirectory.",
    );
  });

  it('checks graph rules before same-workspace rules', () => {
    expect(check([unit('a', ['b'], ['.git']), unit('b', ['a'])])).toBe("Dependency cycle detected at 'a'");
  });
});

describe('checkPlanRules: same-workspace rules, pass 2 (SPEC §2.3)', () => {
  it('names the unit that sorts first, whatever the plan order', () => {
    expect(check([unit('b', [], ['src/sub']), unit('a', [], ['src'])])).toBe(
      "Work unit 'a' edit area 'src' overlaps with work unit 'b' edit area 'src/sub'. Choose disjoint subdirectories or merge the work units.",
    );
  });

  it('compares normalized paths but quotes the entries as written', () => {
    expect(check([unit('a', [], ['./src']), unit('b', [], ['src/x'])])).toBe(
      "Work unit 'a' edit area './src' overlaps with work unit 'b' edit area 'src/x'. Choose disjoint subdirectories or merge the work units.",
    );
  });

  it("sorts each unit's directories before pairing them", () => {
    expect(check([unit('a', [], ['src/z', 'lib/x']), unit('b', [], ['src', 'lib'])])).toBe(
      "Work unit 'a' edit area 'lib/x' overlaps with work unit 'b' edit area 'lib'. Choose disjoint subdirectories or merge the work units.",
    );
  });

  it('finds an overlap through a second directory', () => {
    expect(check([unit('a', [], ['lib', 'src/x']), unit('b', [], ['docs', 'src'])])).toBe(
      "Work unit 'a' edit area 'src/x' overlaps with work unit 'b' edit area 'src'. Choose disjoint subdirectories or merge the work units.",
    );
  });

  it('does not exempt units that depend on each other', () => {
    expect(check([unit('a', [], ['src']), unit('b', ['a'], ['src/x'])])).toBe(
      "Work unit 'a' edit area 'src' overlaps with work unit 'b' edit area 'src/x'. Choose disjoint subdirectories or merge the work units.",
    );
  });

  it('orders unit ids by code point, not by locale', () => {
    expect(check([unit('b', [], ['x']), unit('B', [], ['x/y'])])).toBe(
      "Work unit 'B' edit area 'x/y' overlaps with work unit 'b' edit area 'x'. Choose disjoint subdirectories or merge the work units.",
    );
  });

  it('accepts sibling prefixes and overlaps inside one unit', () => {
    expect(check([unit('a', [], ['src/api', 'src/api/v2']), unit('b', [], ['src/api2'])])).toBeUndefined();
  });

  it('accepts overlapping units under overlap: serialize', () => {
    expect(
      check([unit('a', [], ['src']), unit('b', [], ['src/x'])], { overlap: 'serialize' }),
    ).toBeUndefined();
  });
});

describe('checkPlanRules: field rules a workflow re-checks (SPEC §2.1, §7.8, §7.15)', () => {
  it.each([0, 257, 1.5])('rejects max_workers %p with the range text', (maxWorkers) => {
    expect(check([unit('a')], { maxWorkers })).toBe(
      `max_workers must be an integer from 1 to 256 (got ${maxWorkers})`,
    );
  });

  it('rejects a unit id longer than 64 characters', () => {
    const id = 'x'.repeat(65);
    expect(check([unit(id)])).toBe(`unit_id must be at most 64 chars (got length 65: '${id}')`);
  });

  it('counts a unit id in characters, not UTF-16 units, before looking at its characters', () => {
    expect(check([unit('é'.repeat(40))])).toBe(
      "unit_id contains invalid character 'é'; allowed: [a-zA-Z0-9_-]",
    );
    expect(check([unit('🙂'.repeat(40))])).toBe(
      "unit_id contains invalid character '🙂'; allowed: [a-zA-Z0-9_-]",
    );
    expect(check([unit('🙂'.repeat(65))])).toBe(
      `unit_id must be at most 64 chars (got length 65: '${'🙂'.repeat(65)}')`,
    );
  });

  it('names the first invalid character of a unit id', () => {
    expect(check([unit('a.b c')])).toBe("unit_id contains invalid character '.'; allowed: [a-zA-Z0-9_-]");
  });

  it.each([
    ['', 'allowed_directories entries must be non-empty'],
    ['src\\a', "allowed_directories entries must use '/' separators"],
    ['/etc', 'allowed_directories entries must be relative paths'],
    ['src/../..', "allowed_directories entries must not contain '..'"],
  ])('rejects the allowed_directories entry %p', (raw, text) => {
    expect(check([unit('a', [], [raw])])).toBe(text);
  });

  it('names an unknown placeholder in agent.command', () => {
    expect(check([unit('a')], { agent: { ...testPlan([]).agent, command: ['x', '{workdir}/y'] } })).toBe(
      "agent.command uses unknown placeholder '{workdir}'",
    );
  });

  it("names an unknown placeholder in a unit's command", () => {
    expect(check([testUnit('a', [], { command: ['x', '--in={repo}', '{fake}'] })])).toBe(
      "Work unit 'a' command uses unknown placeholder '{fake}'",
    );
  });

  it('treats braces around anything but a name as plain text', () => {
    expect(check([testUnit('a', [], { command: ['x', '{"key": 1}', '{}', '{ unit_id }'] })])).toBeUndefined();
  });

  it('rejects a reserved variable in agent.env and in a unit env', () => {
    expect(
      check([unit('a')], { agent: { ...testPlan([]).agent, env: { OK: '1', FANOUT_RUN_ID: 'x' } } }),
    ).toBe("agent.env may not set reserved variable 'FANOUT_RUN_ID'");
    expect(check([testUnit('a', [], { env: { RALPH_WORKER_ID: 'x' } })])).toBe(
      "Work unit 'a' env may not set reserved variable 'RALPH_WORKER_ID'",
    );
  });

  it('requires a command for every unit when the plan has no agent.command', () => {
    const agent = { ...testPlan([]).agent, command: undefined };
    expect(check([testUnit('a', [], { command: ['x'] }), unit('b')], { agent })).toBe(
      "Work unit 'b' has no command and the plan has no agent.command (give one with --agent-command)",
    );
    expect(checkPlanRules(testPlan([unit('b')], { agent }), { requireCommand: false })).toBeUndefined();
  });

  it('checks field rules before graph rules', () => {
    expect(check([unit('a', ['a'])], { maxWorkers: 0 })).toBe(
      'max_workers must be an integer from 1 to 256 (got 0)',
    );
  });
});
