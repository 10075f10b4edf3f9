/** SPEC §8.5: the §2.3 rules on allowed directories as they resolve; texts copied from SPEC. */
import { mergeOutOfBounds, DirectorySet } from '../../src/plan/out-of-bounds';
import { resolvedWorkspaceProblem, type WorkspaceView } from '../../src/plan/resolved-workspace-rules';

const view = (
  overlap: 'reject' | 'serialize' = 'reject',
  namespaceRoot = '.agent/workers',
): WorkspaceView => ({
  namespaceRoot,
  overlap,
  workUnits: [
    { unitId: 'a', allowedDirectories: ['src/a', 'hooks'] },
    { unitId: 'b', allowedDirectories: ['src/b'] },
  ],
});

const moved = (unitId: string, directories: [string, string][]) =>
  new Map([[unitId, directories.map(([raw, resolved]) => ({ raw, resolved }))]]);

describe('resolvedWorkspaceProblem', () => {
  it('rejects a directory that resolves into .git, naming the resolved path and the link', () => {
    expect(
      resolvedWorkspaceProblem(
        view(),
        moved('a', [
          ['src/a', 'src/a'],
          ['hooks', '.git/hooks'],
        ]),
      ),
    ).toBe(
      "Work unit 'a' declares reserved path '.git/hooks' as an edit area. Reserved paths (.agent, .git, .) may not be declared as allowed_directories. Choose a project-owned subdirectory. (via symlink 'hooks' -> '.git/hooks')",
    );
  });

  it('rejects a directory that resolves into a namespace root other than .agent', () => {
    expect(resolvedWorkspaceProblem(view('reject', 'ns/workers'), moved('a', [['hooks', 'ns/x']]))).toBe(
      "Work unit 'a' declares reserved path 'ns/x' as an edit area. Path 'ns' holds the unit namespaces and may not be used as an allowed_directory. Choose a project-owned subdirectory. (via symlink 'hooks' -> 'ns/x')",
    );
  });

  it('rejects a directory that resolves onto another unit area, the units in id order', () => {
    expect(
      resolvedWorkspaceProblem(
        view(),
        moved('a', [
          ['src/a', 'src/a'],
          ['hooks', 'src/b/inner'],
        ]),
      ),
    ).toBe(
      "Work unit 'a' edit area 'src/b/inner' overlaps with work unit 'b' edit area 'src/b'. Choose disjoint subdirectories or merge the work units. (via symlink 'hooks' -> 'src/b/inner')",
    );
  });

  it('judges only the given unit when an attempt checks its own directories', () => {
    const areas = moved('b', [['src/b', 'src/a']]);
    expect(resolvedWorkspaceProblem(view(), areas, 'b')).toBe(
      "Work unit 'a' edit area 'src/a' overlaps with work unit 'b' edit area 'src/a'. Choose disjoint subdirectories or merge the work units. (via symlink 'src/b' -> 'src/a')",
    );
    expect(resolvedWorkspaceProblem(view(), moved('a', [['hooks', '.git']]), 'b')).toBeUndefined();
  });

  it('accepts links that resolve to a free place, and overlaps under overlap: serialize', () => {
    expect(resolvedWorkspaceProblem(view(), moved('a', [['hooks', 'lib/hooks']]))).toBeUndefined();
    expect(resolvedWorkspaceProblem(view('serialize'), moved('a', [['hooks', 'src/b']]))).toBeUndefined();
  });
});

describe('DirectorySet', () => {
  it('holds a path that is one of its directories or below one, by segments', () => {
    const set = new DirectorySet(['src/api', './docs/']);
    expect(['src/api', 'src/api/x.ts', 'docs/a.md'].map((p) => set.contains(p))).toEqual([true, true, true]);
    expect(['src/api2/x.ts', 'src', 'README.md'].map((p) => set.contains(p))).toEqual([false, false, false]);
  });
});

describe('mergeOutOfBounds', () => {
  it('keeps one entry per path and kind with every unit that saw it, sorted', () => {
    const first = mergeOutOfBounds([], 'b', [{ path: 'z.txt', kind: 'added' }]);
    const merged = mergeOutOfBounds(first, 'a', [
      { path: 'z.txt', kind: 'added' },
      { path: 'm.txt', kind: 'deleted' },
    ]);
    expect(merged).toEqual([
      { path: 'm.txt', kind: 'deleted', units: ['a'] },
      { path: 'z.txt', kind: 'added', units: ['a', 'b'] },
    ]);
  });
});
