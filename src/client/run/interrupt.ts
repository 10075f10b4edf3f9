/**
 * What Ctrl-C means while a run is followed. On a terminal it asks: cancel the run (every agent is
 * stopped), detach (the run goes on; the default), or keep watching. Without a terminal to ask on
 * (CI, pipes) it detaches at once.
 */
import type { KeyInput, TextOutput } from '../io';

export type { KeyInput };

export type InterruptChoice = 'cancel' | 'detach' | 'watch';

/** True when there is someone to ask: keys from a terminal, and a terminal to ask on. */
export function canAsk(stdin: KeyInput | undefined, output: { readonly isTTY?: boolean }): stdin is KeyInput {
  return stdin?.isTTY === true && typeof stdin.setRawMode === 'function' && output.isTTY === true;
}

export const INTERRUPT_QUESTION =
  'Ctrl-C: [c] cancel the run (stops every agent)  [d] detach, the run goes on (default)  [w] keep watching? ';

/** Asks once and reads one key: c cancels; w or Esc keeps watching; anything else detaches. */
export function askOnInterrupt(stdin: KeyInput, output: TextOutput): Promise<InterruptChoice> {
  output.write(`\n${INTERRUPT_QUESTION}`);
  return new Promise((resolve) => {
    const onKey = (chunk: Buffer | string): void => {
      const key = chunk.toString();
      stdin.off('data', onKey);
      stdin.setRawMode?.(false);
      stdin.pause();
      const choice = choiceForKey(key);
      output.write(`${choice === 'cancel' ? 'cancel' : choice === 'watch' ? 'keep watching' : 'detach'}\n`);
      resolve(choice);
    };
    stdin.setRawMode?.(true);
    stdin.on('data', onKey);
    stdin.resume();
  });
}

export function choiceForKey(key: string): InterruptChoice {
  const first = key.charAt(0);
  if (first === 'c' || first === 'C') return 'cancel';
  if (first === 'w' || first === 'W' || key === '\u001b') return 'watch';
  return 'detach';
}
