/**
 * A long-running program a test cluster starts (a Temporal service, an agent-fanout worker): in a
 * process group of its own, its output appended to a log file. Stopped by its pid, never by name.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

export interface ProcessSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly logFile: string;
}

export class ManagedProcess {
  private child: ChildProcess;
  private exit: Promise<number | string>;

  constructor(
    readonly name: string,
    private readonly spec: ProcessSpec,
  ) {
    [this.child, this.exit] = this.launch();
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the exit code or signal name once the current process is gone. */
  exited(): Promise<number | string> {
    return this.exit;
  }

  log(): string {
    return existsSync(this.spec.logFile) ? readFileSync(this.spec.logFile, 'utf8') : '';
  }

  /** SIGKILL to the process alone (its children, if any, are left as a crash leaves them). */
  async kill9(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exit;
  }

  /** SIGTERM to its process group, SIGKILL after `graceMs`; resolves once it is gone. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    signalGroup(this.pid, 'SIGTERM');
    const gone = await Promise.race([
      this.exit.then(() => true),
      delay(graceMs, undefined, { ref: false }).then(() => false),
    ]);
    if (!gone) signalGroup(this.pid, 'SIGKILL');
    await this.exit;
  }

  /** The same program again, with the same arguments and log file. */
  restart(): void {
    if (this.running) throw new Error(`${this.name} (pid ${this.pid}) is still running`);
    [this.child, this.exit] = this.launch();
  }

  /** Resolves once the log shows `line`; throws when the process exits first or after `ms`. */
  async waitForLog(line: string | RegExp, ms = 60_000): Promise<void> {
    const deadline = Date.now() + ms;
    const seen = (): boolean =>
      typeof line === 'string' ? this.log().includes(line) : line.test(this.log());
    while (!seen()) {
      if (!this.running)
        throw new Error(`${this.name} exited (${await this.exit}) before logging ${line}:\n${this.tail()}`);
      if (Date.now() > deadline)
        throw new Error(`${this.name} did not log ${line} within ${ms} ms:\n${this.tail()}`);
      await delay(100);
    }
  }

  tail(lines = 30): string {
    return this.log().trimEnd().split('\n').slice(-lines).join('\n');
  }

  private launch(): [ChildProcess, Promise<number | string>] {
    const fd = openSync(this.spec.logFile, 'a');
    const child = spawn(this.spec.command, [...this.spec.args], {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: this.spec.env ?? process.env,
      cwd: this.spec.cwd,
    });
    closeSync(fd);
    const exit = new Promise<number | string>((resolve) =>
      child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
    );
    return [child, exit];
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** True while `pid` names a live process (not a zombie). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}
