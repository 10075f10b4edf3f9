import { jsonErrorOffset } from '../../src/plan/json-error-offset';
import { parsePlanText, planSyntaxOf } from '../../src/plan/parse';

function problem(text: string, fileName: string): string {
  const result = parsePlanText(text, fileName);
  if (result.ok) throw new Error('expected a parse failure');
  return result.message;
}

describe('planSyntaxOf', () => {
  it('picks the syntax by extension, case-insensitively', () => {
    expect(planSyntaxOf('a: 1', 'plan.JSON')).toBe('json');
    expect(planSyntaxOf('{"a": 1}', 'plan.yml')).toBe('yaml');
    expect(planSyntaxOf('{"a": 1}', 'plan.yaml')).toBe('yaml');
  });

  it('sniffs JSON from a leading brace or bracket when the extension says nothing', () => {
    expect(planSyntaxOf('  \n{"a": 1}', 'plan')).toBe('json');
    expect(planSyntaxOf('[1]', 'plan.txt')).toBe('json');
    expect(planSyntaxOf('work_units: []', undefined)).toBe('yaml');
  });
});

describe('parsePlanText', () => {
  it('reads a JSON object and a YAML mapping to the same value', () => {
    const json = parsePlanText('{"name": "x", "work_units": [{"unit_id": "a"}]}', 'p.json');
    const yaml = parsePlanText('name: x\nwork_units:\n  - unit_id: a\n', 'p.yaml');
    expect(json).toEqual({ ok: true, value: { name: 'x', work_units: [{ unit_id: 'a' }] } });
    expect(yaml).toEqual(json);
  });

  it('ignores a byte-order mark', () => {
    expect(parsePlanText('\uFEFF{"work_units": []}', 'p.json')).toEqual({
      ok: true,
      value: { work_units: [] },
    });
  });

  it('reads YAML 1.2: yes/no/on stay strings', () => {
    expect(parsePlanText('name: no\nflag: on\n', 'p.yaml')).toEqual({
      ok: true,
      value: { name: 'no', flag: 'on' },
    });
  });

  // JSON.parse words its errors differently from one Node version to the next: only the place is pinned.
  it('names the line and column of a JSON error that JSON.parse gives no position for', () => {
    expect(problem('{\n  "a": 1,\n  "b": x\n}', 'p.json')).toMatch(
      /^p\.json is not valid JSON: Unexpected token 'x' at line 3, column 8$/,
    );
  });

  it('names the line and column of a missing comma, without the offset JSON.parse gives', () => {
    const message = problem('{\n  "a": 1\n  "b": 2\n}', 'p.json');
    expect(message).toMatch(/^p\.json is not valid JSON: .+ at line 3, column 3$/);
    expect(message).not.toMatch(/position/);
  });

  it('places an early end of input at the end of the text', () => {
    expect(problem('{"a": [1, 2', 'p.json')).toMatch(/^p\.json is not valid JSON: .+ at line 1, column 12$/);
  });

  it('names the line and column of a YAML error', () => {
    expect(problem('name: x\nwork_units: [a\nmax_workers: 2\n', 'p.yaml')).toMatch(
      /^p\.yaml is not valid YAML: .+ at line 3, column 1$/,
    );
  });

  it('refuses duplicate keys and several documents in YAML', () => {
    expect(problem('name: a\nname: b\n', 'p.yaml')).toBe(
      'p.yaml is not valid YAML: Map keys must be unique at line 2, column 1',
    );
    expect(problem('name: a\n---\nname: b\n', 'p.yaml')).toMatch(
      /^p\.yaml is not valid YAML: Source contains multiple documents/,
    );
  });

  it('refuses a YAML document that expands aliases without limit', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...'bcdefghij'
        .split('')
        .map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefghij'[i]}`).join(', ')}]`),
    ].join('\n');
    expect(problem(bomb, 'p.yaml')).toMatch(/^p\.yaml is not valid YAML: /);
  });

  it.each([
    ['a JSON list', '[1, 2]', 'p.json', 'a list'],
    ['a JSON number', '42', 'p.json', 'a number'],
    ['JSON null', 'null', 'p.json', 'nothing'],
    ['a JSON string', '"text"', 'p.json', 'a string'],
    ['an empty YAML file', '', 'p.yaml', 'nothing'],
    ['a YAML file with only a comment', '# only a comment\n', 'p.yaml', 'nothing'],
    ['a YAML list', '- a\n- b\n', 'p.yaml', 'a list'],
  ])('refuses %s as a plan', (_label, text, fileName, found) => {
    expect(problem(text, fileName)).toBe(
      `${fileName} does not hold a plan: found ${found}; a plan is an object with work_units (see agent-fanout schema)`,
    );
  });

  it('keeps every message on one line, escaping control characters from the input', () => {
    expect(problem('{"a": "\u0001"}', 'p.json')).not.toMatch(/\p{Cc}/u);
    expect(problem('\u0001', 'p.json')).toMatch(/\\u0001/);
  });
});

describe('jsonErrorOffset', () => {
  it.each([
    ['{"a": 1}', undefined],
    ['[1, -2.5e3, true, false, null, "x\\n\\u00e9"]', undefined],
    ['{"a": 1,}', 8],
    ['[1,]', 3],
    ['{"a" 1}', 5],
    ['{"a": 01}', 7],
    ['"tab\tinside"', 4],
    ['{"a": 1} x', 9],
    ['', 0],
  ])('finds the first error of %p at %p', (text, offset) => {
    expect(jsonErrorOffset(text)).toBe(offset);
  });
});
