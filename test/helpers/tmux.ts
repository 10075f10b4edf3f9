/**
 * A real pseudo-terminal for CLI tests, through tmux: each session lives on a tmux server of its
 * own (its own socket), so tests never touch a user's tmux or each other's, and `close()` ends
 * exactly that server.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

export interface TerminalSession {
  /** What the screen shows now, one string per row (trailing blanks trimmed). */
  screen(): string;
  /** The screen and everything scrolled off above it. */
  scrollback(): string;
  /** Sends keys as tmux names them (`C-c`, `Enter`) or literal text. */
  keys(...keys: string[]): void;
  /** Resolves with the command's exit code once it has ended; rejects after `timeoutMs`. */
  exitCode(timeoutMs: number): Promise<number>;
  /** Waits until the screen matches; rejects with the last screen after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<string>;
  close(): void;
}

export function requireTmux(): void {
  if (spawnSync('tmux', ['-V']).status !== 0) {
    throw new Error('tmux is needed for the terminal tests: apt-get install -y tmux');
  }
}

/**
 * Runs `argv` in a new `columns`×`rows` terminal, in `cwd`, with `env` added. The exit code is
 * written to `exitFile`; the session stays open afterwards so the screen can be read.
 */
export function openTerminal(options: {
  readonly name: string;
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly exitFile: string;
  readonly columns?: number;
  readonly rows?: number;
}): TerminalSession {
  const socket = `${options.name}-${process.pid}-${Date.now().toString(36)}`;
  const tmux = (...args: string[]): string =>
    execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  const exports = Object.entries(options.env).map(([key, value]) => `${key}=${shellQuote(value)}`);
  const command = `env ${exports.join(' ')} ${options.argv.map(shellQuote).join(' ')}; echo $? > ${shellQuote(options.exitFile)}; sleep 600`;
  tmux(
    '-u',
    'new-session',
    '-d',
    '-s',
    'main',
    '-x',
    String(options.columns ?? 160),
    '-y',
    String(options.rows ?? 50),
    '-c',
    options.cwd,
    command,
  );
  tmux('set-option', '-t', 'main', 'history-limit', '5000');
  const screen = (): string => tmux('capture-pane', '-p', '-t', 'main');
  return {
    screen,
    scrollback: () => tmux('capture-pane', '-p', '-t', 'main', '-S', '-5000'),
    keys: (...keys) => void tmux('send-keys', '-t', 'main', ...keys),
    exitCode: async (timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      while (!existsSync(options.exitFile) || readFileSync(options.exitFile, 'utf8').trim() === '') {
        if (Date.now() > deadline)
          throw new Error(`the command did not end within ${timeoutMs} ms:\n${screen()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return Number(readFileSync(options.exitFile, 'utf8').trim());
    },
    waitFor: async (pattern, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const now = screen();
        if (pattern.test(now)) return now;
        if (Date.now() > deadline) throw new Error(`the screen never matched ${pattern}:\n${now}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    close: () => {
      spawnSync('tmux', ['-L', socket, 'kill-server']);
    },
  };
}

function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
