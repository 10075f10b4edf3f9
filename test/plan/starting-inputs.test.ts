import { OverlapIndex, predictedStartingInputs, startingInputs } from '../../src/plan/starting-inputs';
import { testPlan, testUnit } from '../helpers/plan-factory';

const area = (unitId: string, ...allowedDirectories: string[]) => ({ unitId, allowedDirectories });

describe('OverlapIndex', () => {
  it('pairs units whose directories are equal or nested, both ways, sorted by unit_id', () => {
    const index = new OverlapIndex([
      area('z', 'src/api'),
      area('b', 'src/api/auth'),
      area('a', 'docs', 'src/api/auth/x'),
      area('c', 'src/api2'),
      area('top', 'src'),
      area('same', 'src/api'),
    ]);
    expect(index.partners('z')).toEqual(['a', 'b', 'same', 'top']);
    expect(index.partners('b')).toEqual(['a', 'same', 'top', 'z']);
    expect(index.partners('a')).toEqual(['b', 'same', 'top', 'z']);
    expect(index.partners('c')).toEqual(['top']);
    expect(index.partners('top')).toEqual(['a', 'b', 'c', 'same', 'z']);
    expect(index.partners('unknown')).toEqual([]);
  });

  it('counts a unit once however many of its directories overlap', () => {
    const index = new OverlapIndex([area('a', 'x', 'x/y', './x/'), area('b', 'x/y/z'), area('c', 'xy')]);
    expect(index.partners('a')).toEqual(['b']);
    expect(index.partners('b')).toEqual(['a']);
    expect(index.partners('c')).toEqual([]);
  });
});

describe('startingInputs', () => {
  const commits: Record<string, string> = { a: 'aaa', b: 'bbb', s: 'sss' };
  const commitOf = (unitId: string) => commits[unitId];

  it('merges the dependencies and the SUCCEEDED overlapping units, unique, by unit_id', () => {
    const unit = testUnit('c', ['b', 'a', 'b']);
    expect(startingInputs(unit, ['s', 'a', 'pending'], commitOf)).toEqual([
      { unitId: 'a', sha: 'aaa' },
      { unitId: 'b', sha: 'bbb' },
      { unitId: 's', sha: 'sss' },
    ]);
  });

  it('orders by code point, not locale', () => {
    const shas: Record<string, string> = { B: '1', _x: '2', b: '3', '10': '4', '9': '5' };
    const unit = testUnit('u', ['b', '_x', 'B', '9', '10']);
    expect(startingInputs(unit, [], (id) => shas[id]).map((input) => input.unitId)).toEqual([
      '10',
      '9',
      'B',
      '_x',
      'b',
    ]);
  });

  it('starts from the base alone when nothing is merged', () => {
    expect(startingInputs(testUnit('solo'), ['pending'], commitOf)).toEqual([]);
  });

  it('refuses a dependency without a commit', () => {
    expect(() => startingInputs(testUnit('c', ['missing']), [], commitOf)).toThrow(
      "dependency 'missing' of 'c' has no commit",
    );
  });
});

describe('predictedStartingInputs', () => {
  it('lists the dependencies of a join', () => {
    const plan = testPlan([testUnit('a'), testUnit('b'), testUnit('c', ['b', 'a']), testUnit('d')]);
    expect(predictedStartingInputs(plan)).toEqual({ a: [], b: [], c: ['a', 'b'], d: [] });
  });

  it('lets serialized overlapping units build on those launched before them', () => {
    const shared = { allowedDirectories: ['src/shared'] };
    const plan = testPlan(
      [
        testUnit('second', [], shared),
        testUnit('first', [], shared),
        testUnit('nested', [], { allowedDirectories: ['src/shared/deep'] }),
        testUnit('apart'),
      ],
      { overlap: 'serialize' },
    );
    expect(predictedStartingInputs(plan)).toEqual({
      second: ['first', 'nested'],
      first: [],
      nested: ['first'],
      apart: [],
    });
  });
});

describe('OverlapIndex on a large plan', () => {
  it('answers the partners of one of 3,000 units sharing an area without building every pair', () => {
    const units = Array.from({ length: 3000 }, (_, i) =>
      area(`u${String(i).padStart(4, '0')}`, 'src/shared'),
    );
    const index = new OverlapIndex(units);
    expect(index.partners('u0000')).toHaveLength(2999);
  });
});
