/**
 * The settle marks of the watch shortcut (settle-marks.ts): a rename's event tells that every
 * earlier event arrived, and no file is created or removed per settle once the pool is big enough.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettleMarks, processSettleMarks } from '../../../src/activities/containment/settle-marks';

const opened: SettleMarks[] = [];

function open(): { marks: SettleMarks; events: () => number } {
  let events = 0;
  const marks = SettleMarks.open(() => (events += 1));
  opened.push(marks);
  return { marks, events: () => events };
}

afterEach(() => {
  for (const marks of opened.splice(0)) marks.close();
});

function inodes(folder: string): number[] {
  return readdirSync(folder)
    .map((name) => statSync(join(folder, name)).ino)
    .sort((a, b) => a - b);
}

describe('SettleMarks', () => {
  it('renames one file for every settle in a row, always the same inode', async () => {
    const { marks, events } = open();
    expect(await marks.pass(2_000)).toBe(true);
    const first = inodes(marks.folder);
    expect(first).toHaveLength(1);
    for (let settle = 0; settle < 5; settle += 1) expect(await marks.pass(2_000)).toBe(true);
    expect(inodes(marks.folder)).toEqual(first);
    // A create, then a rename's two events each time, all counted as the shared queue's.
    expect(events()).toBeGreaterThanOrEqual(1 + 5 * 2);
  });

  it('keeps as many files as settles ran at once, and reuses them', async () => {
    const { marks } = open();
    expect(await Promise.all([marks.pass(2_000), marks.pass(2_000), marks.pass(2_000)])).toEqual([
      true,
      true,
      true,
    ]);
    const pool = inodes(marks.folder);
    expect(pool).toHaveLength(3);
    expect(await Promise.all([marks.pass(2_000), marks.pass(2_000)])).toEqual([true, true]);
    expect(inodes(marks.folder)).toEqual(pool);
  });

  it('fails a settle when its folder is gone, and the process opens a new one', async () => {
    const marks = processSettleMarks(() => undefined);
    expect(await marks.pass(2_000)).toBe(true);
    rmSync(marks.folder, { recursive: true, force: true });
    expect(await marks.pass(500)).toBe(false);
    expect(marks.usable).toBe(false);
    const again = processSettleMarks(() => undefined);
    opened.push(again);
    expect(again.folder).not.toBe(marks.folder);
    expect(await again.pass(2_000)).toBe(true);
  });

  it('writes nothing through a link put in place of its folder, and leaves what the link points to alone', async () => {
    const { marks } = open(); // its pool is empty: the next settle creates a file
    const target = mkdtempSync(join(tmpdir(), 'settle-target-'));
    try {
      renameSync(marks.folder, `${marks.folder}.moved`);
      symlinkSync(target, marks.folder);
      expect(await marks.pass(500)).toBe(false);
      expect(marks.usable).toBe(false);
      expect(readdirSync(target)).toEqual([]);
      expect(existsSync(target)).toBe(true);
    } finally {
      rmSync(marks.folder, { force: true });
      rmSync(`${marks.folder}.moved`, { recursive: true, force: true });
      rmSync(target, { recursive: true, force: true });
    }
  });

  it('removes the folders of processes that ended without removing theirs, not those of live ones', () => {
    const ended = spawnSync(process.execPath, ['-e', '0']).pid;
    expect(ended).toBeGreaterThan(0);
    const stale = join(tmpdir(), `agent-fanout-settle-${ended}-left`);
    const live = join(tmpdir(), `agent-fanout-settle-${process.pid}-other`);
    mkdirSync(join(stale, 'inside'), { recursive: true });
    mkdirSync(live, { recursive: true });
    try {
      open();
      expect(existsSync(stale)).toBe(false);
      expect(existsSync(live)).toBe(true);
    } finally {
      rmSync(stale, { recursive: true, force: true });
      rmSync(live, { recursive: true, force: true });
    }
  });
});
