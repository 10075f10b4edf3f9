import { compareAndSwapRef, RefMoved } from '../../src/git/refs';
import { integrate } from '../../src/git/integrate';
import { startingPoint } from '../../src/git/starting-point';
import { IDENTITY, commitFiles, filesOf, gitIn, makeRepo, removeRepo } from './git-repo';

/** base with a.txt and b.txt; unit outputs change one file each. */
function scene(repo: string) {
  const base = commitFiles(repo, { 'a.txt': 'a\n', 'b.txt': 'b\n', 'c.txt': 'c\n' }, 'base');
  const one = commitFiles(repo, { 'a.txt': 'a by one\n' }, 'one', base);
  const two = commitFiles(repo, { 'b.txt': 'b by two\n' }, 'two', base);
  const clash = commitFiles(repo, { 'a.txt': 'a by clash\n', 'c.txt': 'c by clash\n' }, 'clash', base);
  const oneMore = commitFiles(repo, { 'c.txt': 'c by one-more\n' }, 'one-more', one);
  return { base, one, two, clash, oneMore };
}

describe('startingPoint', () => {
  let repo: string;
  beforeEach(() => (repo = makeRepo()));
  afterEach(() => removeRepo(repo));

  it('is the base itself with nothing to merge, and fast-forwards to a single output', async () => {
    const { base, one } = scene(repo);
    expect(await startingPoint(repo, base, [], IDENTITY)).toEqual({ kind: 'ok', sha: base });
    expect(await startingPoint(repo, base, [{ unitId: 'one', sha: one }], IDENTITY)).toEqual({
      kind: 'ok',
      sha: one,
    });
  });

  it('skips an input already contained and fast-forwards to one that contains the rest', async () => {
    const { base, one, oneMore } = scene(repo);
    const inputs = [
      { unitId: 'a-one', sha: one },
      { unitId: 'b-more', sha: oneMore },
    ];
    expect(await startingPoint(repo, base, inputs, IDENTITY)).toEqual({ kind: 'ok', sha: oneMore });
    expect(await startingPoint(repo, base, [...inputs].reverse(), IDENTITY)).toEqual({
      kind: 'ok',
      sha: oneMore,
    });
  });

  it('makes a merge commit with the run identity, the same SHA every time and in another repo', async () => {
    const { base, one, two } = scene(repo);
    const inputs = [
      { unitId: 'two', sha: two },
      { unitId: 'one', sha: one },
    ];
    const first = await startingPoint(repo, base, inputs, IDENTITY);
    const again = await startingPoint(repo, base, inputs, IDENTITY);
    expect(first.kind).toBe('ok');
    expect(again).toEqual(first);
    if (first.kind !== 'ok') return;
    expect(filesOf(repo, first.sha)).toEqual({ 'a.txt': 'a by one', 'b.txt': 'b by two', 'c.txt': 'c' });
    // unit_id order: 'one' fast-forwards, then 'two' is merged in.
    expect(gitIn(repo, 'log', '-1', '--format=%P', first.sha)).toBe(`${one} ${two}`);
    expect(gitIn(repo, 'log', '-1', '--format=%an <%ae> %at|%cn <%ce> %ct', first.sha)).toBe(
      'agent-fanout <agent-fanout@localhost> 1767323045|agent-fanout <agent-fanout@localhost> 1767323045',
    );
    const other = makeRepo();
    try {
      const copy = scene(other);
      expect(copy.one).toBe(one);
      expect(await startingPoint(other, copy.base, inputs, IDENTITY)).toEqual(first);
    } finally {
      removeRepo(other);
    }
  });

  it('names the conflicted paths and the units being merged', async () => {
    const { base, one, two, clash } = scene(repo);
    const inputs = [
      { unitId: 'one', sha: one },
      { unitId: 'two', sha: two },
      { unitId: 'zz-clash', sha: clash },
    ];
    expect(await startingPoint(repo, base, inputs, IDENTITY)).toEqual({
      kind: 'conflict',
      units: ['one', 'zz-clash'],
      paths: ['a.txt'],
    });
  });
});

describe('integrate', () => {
  let repo: string;
  beforeEach(() => (repo = makeRepo()));
  afterEach(() => removeRepo(repo));

  it('fast-forwards from the base, then merges, and returns conflicted paths sorted', async () => {
    const { base, one, two, clash } = scene(repo);
    const first = await integrate(repo, base, two, IDENTITY, 'integrate two');
    expect(first).toEqual({ kind: 'ok', sha: two });
    const second = await integrate(repo, two, one, IDENTITY, 'integrate one');
    if (second.kind !== 'ok') throw new Error('expected a merge');
    expect(gitIn(repo, 'log', '-1', '--format=%P%n%s', second.sha)).toBe(`${two} ${one}\nintegrate one`);
    expect(await integrate(repo, two, one, IDENTITY, 'integrate one')).toEqual(second);
    expect(await integrate(repo, second.sha, one, IDENTITY, 'again')).toEqual(second);
    const conflicted = commitFiles(repo, { 'c.txt': 'c other\n', 'a.txt': 'a other\n' }, 'x', one);
    expect(await integrate(repo, conflicted, clash, IDENTITY, 'clash')).toEqual({
      kind: 'conflict',
      paths: ['a.txt', 'c.txt'],
    });
  });
});

describe('compareAndSwapRef', () => {
  let repo: string;
  beforeEach(() => (repo = makeRepo()));
  afterEach(() => removeRepo(repo));

  it('creates an absent ref, answers already when it holds the new value, refuses a moved one', async () => {
    const { base, one, two } = scene(repo);
    const ref = 'refs/fanout/run-1/units/one';
    expect(await compareAndSwapRef(repo, ref, one, null)).toBe('updated');
    expect(gitIn(repo, 'rev-parse', ref)).toBe(one);
    expect(await compareAndSwapRef(repo, ref, one, null)).toBe('already');
    await expect(compareAndSwapRef(repo, ref, two, null)).rejects.toThrow(RefMoved);
    await expect(compareAndSwapRef(repo, ref, two, base)).rejects.toMatchObject({
      name: 'RefMoved',
      expected: base,
      actual: one,
    });
    expect(await compareAndSwapRef(repo, ref, two, one)).toBe('updated');
    expect(gitIn(repo, 'rev-parse', ref)).toBe(two);
  });
});
