/** Each run's share of the attempt logs, from the index beside them (SPEC §8.7); pure. */
import { logIndexLine, parseLogIndex, runLogRanges, type LogIndexEntry } from '../../src/contracts/log-index';

const index = (...entries: LogIndexEntry[]): LogIndexEntry[] =>
  parseLogIndex(entries.map(logIndexLine).join(''));

describe('runLogRanges', () => {
  it("gives a run its bytes up to the next other run's start in the same file", () => {
    const entries = index(
      { run: 'first', attempt: 1, from: 0 },
      { run: 'first', attempt: 2, from: 0 },
      { run: 'second', attempt: 1, from: 40 },
    );
    expect([...runLogRanges(entries, 'first').values()]).toEqual([
      { attempt: 1, from: 0, to: 40 },
      { attempt: 2, from: 0 },
    ]);
    expect([...runLogRanges(entries, 'second').values()]).toEqual([{ attempt: 1, from: 40 }]);
  });

  it('ends at the nearest later start when several runs followed', () => {
    const entries = index(
      { run: 'c', attempt: 1, from: 90 },
      { run: 'a', attempt: 1, from: 0 },
      { run: 'b', attempt: 1, from: 30 },
    );
    expect(runLogRanges(entries, 'a').get(1)).toEqual({ attempt: 1, from: 0, to: 30 });
    expect(runLogRanges(entries, 'b').get(1)).toEqual({ attempt: 1, from: 30, to: 90 });
    expect(runLogRanges(entries, 'c').get(1)).toEqual({ attempt: 1, from: 90 });
  });

  it('keeps the first start of an attempt the run launched twice', () => {
    const entries = index({ run: 'a', attempt: 1, from: 0 }, { run: 'a', attempt: 1, from: 12 });
    expect(runLogRanges(entries, 'a').get(1)).toEqual({ attempt: 1, from: 0 });
  });

  it('knows nothing of a run the index does not name', () => {
    expect(runLogRanges(index({ run: 'a', attempt: 1, from: 0 }), 'older').size).toBe(0);
  });
});

describe('parseLogIndex', () => {
  it('skips damaged lines and keeps the good ones', () => {
    const text = [
      '{"run":"a","attempt":1,"from":0}',
      '{"run":"b","attempt":1,"fr', // a crash mid-write
      'not json',
      '{"run":"c","attempt":1.5,"from":3}',
      '{"run":"d","attempt":1,"from":-1}',
      '{"run":"e","attempt":2,"from":7}',
      '',
    ].join('\n');
    expect(parseLogIndex(text)).toEqual([
      { run: 'a', attempt: 1, from: 0 },
      { run: 'e', attempt: 2, from: 7 },
    ]);
  });
});
