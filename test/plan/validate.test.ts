/**
 * validatePlanText on refused plans. Texts SPEC fixes are literals copied from SPEC.md; our own
 * texts are checked for the path and the fix they name.
 */
import { validatePlanText } from '../../src/plan/validate';
import { failure, goodUnit, validateObject } from './helpers/plan-files';

describe('validatePlanText: field rules with texts fixed by SPEC §1 and §7.8', () => {
  it.each([
    [0, 'max_workers must be an integer from 1 to 256 (got 0)'],
    [257, 'max_workers must be an integer from 1 to 256 (got 257)'],
    [2.5, 'max_workers must be an integer from 1 to 256 (got 2.5)'],
    ['8', 'max_workers must be an integer from 1 to 256 (got "8")'],
    [null, 'max_workers must be an integer from 1 to 256 (got null)'],
  ])('rejects max_workers %p', (maxWorkers, text) => {
    expect(failure(validateObject({ max_workers: maxWorkers, work_units: [] })).message).toBe(text);
  });

  it('rejects a unit_id with a space with the exact SPEC text', () => {
    const result = failure(validateObject({ work_units: [goodUnit('a'), goodUnit('a b')] }));
    expect(result).toMatchObject({
      kind: 'field',
      message: "unit_id contains invalid character ' '; allowed: [a-zA-Z0-9_-]",
      location: 'work_units[1].unit_id',
    });
  });

  it('rejects a unit_id longer than 64 characters', () => {
    const id = 'a'.repeat(70);
    expect(failure(validateObject({ work_units: [goodUnit(id)] })).message).toBe(
      `unit_id must be at most 64 chars (got length 70: '${id}')`,
    );
  });

  it.each([
    ['', 'allowed_directories entries must be non-empty'],
    ['src\\api', "allowed_directories entries must use '/' separators"],
    ['/abs/src', 'allowed_directories entries must be relative paths'],
    ['src/../etc', "allowed_directories entries must not contain '..'"],
  ])('rejects the allowed_directories entry %p', (raw, text) => {
    const result = failure(
      validateObject({ work_units: [goodUnit('a', { allowed_directories: ['ok', raw] })] }),
    );
    expect(result.message).toBe(text);
    expect(result.location).toBe('work_units[0].allowed_directories[1]');
  });

  it('names an unknown key inside a unit by the unit id', () => {
    const unit = goodUnit('b', { dependancies: ['a'] });
    expect(failure(validateObject({ work_units: [goodUnit('a'), unit] })).message).toBe(
      "Work unit 'b' has unknown key 'dependancies'",
    );
  });

  it('numbers a unit from 1 when it has no valid id, and reports its unknown key before the id', () => {
    const unit = { 'unit-id': 'b', description: 'x', allowed_directories: ['src/b'] };
    expect(failure(validateObject({ work_units: [goodUnit('a'), unit] })).message).toBe(
      "Work unit #2 has unknown key 'unit-id'",
    );
  });

  it('names an unknown placeholder in a unit command and in agent.command', () => {
    const unit = goodUnit('a', { command: ['agent', '--write', '{workdir}/out.txt'] });
    expect(failure(validateObject({ work_units: [unit] })).message).toBe(
      "Work unit 'a' command uses unknown placeholder '{workdir}'",
    );
    const plan = { agent: { command: ['agent', '{unit_id}', '{attempts}'] }, work_units: [] };
    expect(failure(validateObject(plan)).message).toBe("agent.command uses unknown placeholder '{attempts}'");
  });

  it('accepts all eight placeholders, also inside longer arguments', () => {
    const command = [
      'x',
      '{unit_id}-{attempt}',
      '{description}',
      '{prompt_file}',
      '{namespace}/a',
      '{artifact_dir}',
      '{manifest}',
      '{repo}',
    ];
    expect(validateObject({ work_units: [goodUnit('a', { command })] }).ok).toBe(true);
  });

  it('requires a command when the plan has no agent.command', () => {
    const bare = { unit_id: 'b', description: 'x', allowed_directories: ['src/b'] };
    expect(failure(validateObject({ work_units: [goodUnit('a'), bare] })).message).toBe(
      "Work unit 'b' has no command and the plan has no agent.command (give one with --agent-command)",
    );
  });

  it('rejects reserved variables in agent.env and unit env (SPEC §7.15)', () => {
    expect(failure(validateObject({ agent: { env: { FANOUT_UNIT_ID: 'x' } }, work_units: [] })).message).toBe(
      "agent.env may not set reserved variable 'FANOUT_UNIT_ID'",
    );
    const unit = goodUnit('a', { env: { SAFE: '1', RALPH_WORKER_NAMESPACE: '/x' } });
    expect(failure(validateObject({ work_units: [unit] })).message).toBe(
      "Work unit 'a' env may not set reserved variable 'RALPH_WORKER_NAMESPACE'",
    );
  });
});

describe('validatePlanText: field rules with our own texts name the path and the fix', () => {
  it.each([
    [
      'a unit timeout that is not a duration',
      { work_units: [goodUnit('a'), goodUnit('b', { timeout: '5 minutes' })] },
      /^work_units\[1\]\.timeout: "5 minutes" is not a duration; write it like 500ms, 30s, 5m or 2h/,
    ],
    [
      'a zero idle_timeout',
      { agent: { idle_timeout: 0 }, work_units: [] },
      /^agent\.idle_timeout: must be longer than 0/,
    ],
    [
      'an unknown on_failure',
      { on_failure: 'stop', work_units: [] },
      /^on_failure: "stop" is not allowed; use one of cancel, drain, continue$/,
    ],
    [
      'an unknown overlap mode',
      { overlap: 'allow', work_units: [] },
      /^overlap: "allow" is not allowed; use one of reject, serialize$/,
    ],
    [
      'a misspelt agent key',
      { agent: { idle_timout: '5m' }, work_units: [] },
      /^agent: unknown key 'idle_timout'; allowed: command, env, timeout, idle_timeout, grace, writable$/,
    ],
    [
      'an env value that is not a string',
      { agent: { env: { PORT: 8080 } }, work_units: [] },
      /^agent\.env\.PORT: must be a string; quote the value \("8080"\)$/,
    ],
    [
      'an env name that is not a variable name',
      { agent: { env: { 'MY-VAR': 'x' } }, work_units: [] },
      /^agent\.env\["MY-VAR"\]: "MY-VAR" is not a variable name/,
    ],
    [
      'an empty agent.command',
      { agent: { command: [] }, work_units: [] },
      /^agent\.command: must name at least the program/,
    ],
    [
      'an agent.command written as one string',
      { agent: { command: 'claude -p' }, work_units: [] },
      /^agent\.command: must be a list of strings/,
    ],
    [
      'retry.max_attempts below 1',
      { retry: { max_attempts: 0 }, work_units: [] },
      /^retry\.max_attempts: must be at least 1 \(got 0\)$/,
    ],
    [
      'an evidence pattern with a directory',
      { evidence: { pattern: 'out/*.md' }, work_units: [] },
      /^evidence\.pattern: .*cannot contain \//,
    ],
    [
      'a namespace_root outside the repo',
      { namespace_root: '../elsewhere', work_units: [] },
      /^namespace_root: "\.\.\/elsewhere" is not a usable directory; give a relative directory inside the repo/,
    ],
    [
      'a namespace_root inside .git',
      { namespace_root: '.git/ns', work_units: [] },
      /^namespace_root: \.git is reserved/,
    ],
    ['a plan without work_units', {}, /^work_units: missing; a plan lists its units under work_units/],
    [
      'work_units that is not a list',
      { work_units: { a: 1 } },
      /^work_units: expected a list, got an object$/,
    ],
    [
      'a unit that is not an object',
      { work_units: ['a'] },
      /^work_units\[0\]: must be an object with unit_id, description and allowed_directories$/,
    ],
    [
      'an empty description',
      { work_units: [goodUnit('a', { description: '' })] },
      /^work_units\[0\]\.description: must not be empty$/,
    ],
    [
      'a description over 4096 characters',
      { work_units: [goodUnit('a', { description: 'x'.repeat(4097) })] },
      /^work_units\[0\]\.description: must be at most 4096 characters \(got 4097\)$/,
    ],
    [
      'a missing description',
      { work_units: [{ unit_id: 'a', allowed_directories: [] }] },
      /^work_units\[0\]\.description: missing; every unit needs one/,
    ],
    ['an empty unit_id', { work_units: [goodUnit('')] }, /^work_units\[0\]\.unit_id: must not be empty/],
    [
      'a step id that is not S-<positive int>',
      { work_units: [goodUnit('a', { step_ids: ['S-1', 'S-0'] })] },
      /^work_units\[0\]\.step_ids\[1\]: "S-0" is not a step id; write S-<positive integer>/,
    ],
    [
      'a step id listed twice',
      { work_units: [goodUnit('a', { step_ids: ['S-1', 'S-2', 'S-1'] })] },
      /^work_units\[0\]\.step_ids\[2\]: 'S-1' is listed twice/,
    ],
    [
      'a misspelt key in a unit retry',
      { work_units: [goodUnit('a', { retry: { backof: 3 } })] },
      /^work_units\[0\]\.retry: unknown key 'backof'; allowed: max_attempts, initial_interval, backoff, max_interval$/,
    ],
    [
      'dependencies written as one string',
      { work_units: [goodUnit('a', { dependencies: 'b' })] },
      /^work_units\[0\]\.dependencies: expected a list, got "b"$/,
    ],
  ])('explains %s with its path and the fix', (_label, plan, pattern) => {
    const result = failure(validateObject(plan));
    expect(result.kind).toBe('field');
    expect(result.message).toMatch(pattern);
    expect(result.message).not.toMatch(/\n/);
  });

  it('reports the first problem in the order the plan is written', () => {
    const plan = { work_units: [goodUnit('a', { timeout: 'soon' })], on_failure: 'stop' };
    expect(failure(validateObject(plan)).message).toMatch(/^work_units\[0\]\.timeout:/);
    const reordered = { on_failure: 'stop', work_units: [goodUnit('a', { timeout: 'soon' })] };
    expect(failure(validateObject(reordered)).message).toMatch(/^on_failure:/);
  });

  it("reports a unit's unknown key before the unit's other problems", () => {
    const unit = { unit_id: 'a', description: '', allowed_directories: ['/abs'], comand: ['x'] };
    expect(failure(validateObject({ work_units: [unit] })).message).toBe(
      "Work unit 'a' has unknown key 'comand'",
    );
  });
});

describe('validatePlanText: kinds of failure', () => {
  it('tells a syntax error, a field rule and a graph or workspace rejection apart', () => {
    expect(failure(validatePlanText('{', { fileName: 'p.json' })).kind).toBe('syntax');
    expect(failure(validateObject({ max_workers: 0, work_units: [] })).kind).toBe('field');
    const cycle = {
      work_units: [goodUnit('a', { dependencies: ['b'] }), goodUnit('b', { dependencies: ['a'] })],
    };
    expect(failure(validateObject(cycle))).toEqual({
      ok: false,
      kind: 'rejected',
      message: "Dependency cycle detected at 'a'",
    });
    const overlap = { work_units: [goodUnit('a', { allowed_directories: ['src'] }), goodUnit('b')] };
    expect(failure(validateObject(overlap)).kind).toBe('rejected');
  });

  it('checks every field rule before any graph rule', () => {
    const plan = {
      work_units: [goodUnit('a', { dependencies: ['a'] }), goodUnit('b', { command: ['{nope}'] })],
    };
    expect(failure(validateObject(plan)).message).toBe(
      "Work unit 'b' command uses unknown placeholder '{nope}'",
    );
  });
});
