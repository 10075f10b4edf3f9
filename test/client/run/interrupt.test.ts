import { EventEmitter } from 'node:events';
import { askOnInterrupt, canAsk, choiceForKey, type KeyInput } from '../../../src/client/run/interrupt';

class FakeTerminal extends EventEmitter implements KeyInput {
  readonly isTTY = true;
  raw = false;
  resumed = false;
  setRawMode(raw: boolean): void {
    this.raw = raw;
  }
  resume(): void {
    this.resumed = true;
  }
  pause(): void {
    this.resumed = false;
  }
}

describe('choiceForKey', () => {
  it.each([
    ['c', 'cancel'],
    ['C', 'cancel'],
    ['w', 'watch'],
    ['\u001b', 'watch'],
    ['d', 'detach'],
    ['\r', 'detach'],
    ['\u0003', 'detach'],
  ])('reads %j as %s', (key, choice) => {
    expect(choiceForKey(key)).toBe(choice);
  });
});

describe('canAsk', () => {
  it('asks only with keys from a terminal and a terminal to ask on', () => {
    const terminal = new FakeTerminal();
    expect(canAsk(terminal, { isTTY: true })).toBe(true);
    expect(canAsk(terminal, { isTTY: false })).toBe(false);
    expect(canAsk(undefined, { isTTY: true })).toBe(false);
    expect(canAsk(Object.assign(new FakeTerminal(), { isTTY: false }), { isTTY: true })).toBe(false);
  });
});

describe('askOnInterrupt', () => {
  it('asks, reads one key in raw mode, then gives the terminal back', async () => {
    const terminal = new FakeTerminal();
    const written: string[] = [];
    const answer = askOnInterrupt(terminal, { write: (text: string) => written.push(text) });
    expect(terminal.raw).toBe(true);
    expect(written.join('')).toContain('[c] cancel the run');
    terminal.emit('data', Buffer.from('c'));
    await expect(answer).resolves.toBe('cancel');
    expect(terminal.raw).toBe(false);
    expect(terminal.resumed).toBe(false);
    expect(terminal.listenerCount('data')).toBe(0);
  });
});
