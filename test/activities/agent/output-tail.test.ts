import { LineTracker, displayLine, stripControlSequences } from '../../../src/activities/agent/output-tail';

describe('displayLine (SPEC §7.5)', () => {
  it('strips CSI, OSC and two-character escapes and stray control characters, keeping tabs inside', () => {
    expect(stripControlSequences('\u001b]0;title\u0007\u001b[1;31mred\u001b[0m\u001b(B a\tb\u0008\r')).toBe(
      'red a\tb',
    );
  });

  it('trims, then cuts to 200 code points plus an ellipsis', () => {
    expect(displayLine('   spaced out   ')).toBe('spaced out');
    expect(displayLine('x'.repeat(200))).toBe('x'.repeat(200));
    expect(displayLine('é'.repeat(201))).toBe(`${'é'.repeat(200)}…`);
    expect(displayLine('😀'.repeat(150))).toBe('😀'.repeat(150)); // 300 UTF-16 units, 150 characters
  });

  it('is empty for a line of only whitespace and control sequences', () => {
    expect(displayLine(' \t\u001b[2K\r ')).toBe('');
  });
});

describe('LineTracker', () => {
  it('finds lines split across chunks and keeps the last non-blank ones', () => {
    const tracker = new LineTracker(2);
    for (const chunk of ['one\ntw', 'o\n\n  \nthr', 'ee']) tracker.feed(Buffer.from(chunk));
    expect(tracker.lastLines()).toEqual(['two', 'three']);
    expect(tracker.lastLine()).toBe('three');
  });

  it('keeps only the head of a very long line', () => {
    const tracker = new LineTracker();
    tracker.feed(Buffer.from('a'.repeat(100_000)));
    tracker.feed(Buffer.from('b\n'));
    expect(tracker.lastLine()).toBe(`${'a'.repeat(200)}…`);
  });
});
