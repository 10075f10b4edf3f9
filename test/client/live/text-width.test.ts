import { displayWidth, fitWidth, padWidth } from '../../../src/client/live/text-width';
import { formatColumns, firstLineCut } from '../../../src/client/output/text-table';

describe('displayWidth', () => {
  it.each([
    ['abc', 3],
    ['中文', 4],
    ['✅ done', 7],
    ['⏺ Edit', 6],
    ['e\u0301', 1],
    ['\u001b[31mred\u001b[39m', 3],
  ])('counts %j as %i columns', (text, width) => {
    expect(displayWidth(text)).toBe(width);
  });
});

describe('fitWidth', () => {
  it('cuts by columns, so wide characters never make the line wider than asked', () => {
    const cut = fitWidth('中文中文中文中文', 7);
    expect(cut).toBe('中文中…');
    expect(displayWidth(cut)).toBeLessThanOrEqual(7);
  });

  it('keeps a grapheme whole: an emoji with its skin tone, a letter with its accent', () => {
    expect(fitWidth('👍🏽👍🏽👍🏽', 5)).toBe('👍🏽👍🏽…');
    expect(fitWidth('e\u0301e\u0301e\u0301e\u0301', 3)).toBe('e\u0301e\u0301…');
  });

  it('leaves text that fits alone', () => {
    expect(fitWidth('✅ ok', 5)).toBe('✅ ok');
  });
});

describe('padWidth', () => {
  it('pads to the columns the text takes, not its code points', () => {
    expect(padWidth('中', 4)).toBe('中  ');
    expect(displayWidth(padWidth('✅', 6))).toBe(6);
  });
});

describe('formatColumns', () => {
  it('aligns the columns after a cell in CJK or with emoji', () => {
    const lines = formatColumns(
      ['unit', 'status', 'note'],
      [
        ['中文', 'RUNNING', 'x'],
        ['a', '✅ DONE', 'y'],
      ],
    );
    const notes = ['note', 'x', 'y'];
    const noteColumns = lines.map((line, index) => displayWidth(line) - displayWidth(notes[index] ?? ''));
    expect(noteColumns).toEqual([15, 15, 15]);
  });

  it('cuts a long first line by columns', () => {
    expect(displayWidth(firstLineCut('中'.repeat(100), 10))).toBeLessThanOrEqual(11);
  });
});
