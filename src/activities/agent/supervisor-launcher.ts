/**
 * The Perl supervisor in launcher mode (`bin/agent-supervisor.pl --launcher`, see its header): one
 * long-lived process per worker that forks each agent's supervisor, so the worker forks nothing
 * per launch. A fork copies the page tables of all resident memory: about 5 ms of blocked event
 * loop per launch at a worker's usual 250 MB, a fraction of a millisecond from the launcher.
 *
 * Started on the first launch, detached (Ctrl-C on the worker's terminal does not reach it), with
 * an empty environment. It exits when its stdin closes, i.e. when this process ends however it
 * ends; the supervisors it forked keep running. If it dies, the launches it had not answered get
 * no answer (the caller treats that like a supervisor that died), the supervisors it had started
 * are reported `launcher-gone` (the caller follows them by their record instead), and the next
 * launch starts a new launcher.
 */

import type { ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { SpawnFn, SupervisorEnd } from './agent-process';
import { openFlagsField } from '../containment/landlock-spec';

export interface Launch {
  /** The supervisor's answer line without its tag, or null when none came. */
  readonly answer: Promise<string | null>;
  /** Resolves once the supervisor exited, or once nobody can tell any more. */
  readonly ended: Promise<SupervisorEnd>;
  /** Stops this launch from keeping the process alive (the agent is left to another worker). */
  release(): void;
}

/** How long the replies of a launcher that died may take to drain (its supervisors hold the pipe). */
const REPLIES_DRAIN_MS = 5_000;

interface Pending {
  answered: boolean;
  /** Whether it keeps this process alive. */
  held: boolean;
  answer(line: string | null): void;
  ended(how: SupervisorEnd): void;
}

class LauncherProcess {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private buffered = '';
  private alive = true;
  private readonly replies: Readable;
  private readonly requests: Writable;

  constructor(
    private readonly child: ChildProcess,
    onGone: () => void,
  ) {
    this.requests = child.stdin as Writable;
    this.replies = child.stdio[3] as Readable;
    this.requests.on('error', () => undefined); // a launcher that died: its exit settles everything
    this.replies.setEncoding('utf8');
    this.replies.on('data', (chunk: string) => this.read(chunk));
    this.replies.on('error', () => undefined);
    const settle = (): void => {
      for (const request of this.pending.values()) {
        if (!request.answered) request.answer(null);
        request.ended('launcher-gone');
      }
      this.pending.clear();
      this.holdOpen();
    };
    const gone = (): void => {
      if (!this.alive) return;
      this.alive = false;
      onGone();
      // Answers it (or a supervisor) wrote before it died may still be in the pipe: read them first.
      if (this.replies.closed || this.replies.destroyed) settle();
      else {
        const timer = setTimeout(() => this.replies.destroy(), REPLIES_DRAIN_MS);
        this.replies.once('close', () => {
          clearTimeout(timer);
          settle();
        });
      }
    };
    child.once('exit', gone);
    child.once('error', gone);
    this.holdOpen();
  }

  get usable(): boolean {
    return this.alive;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  launch(logPath: string, spec: Buffer): Launch {
    const id = this.nextId++;
    let resolveAnswer: (line: string | null) => void = () => undefined;
    let resolveEnded: (how: SupervisorEnd) => void = () => undefined;
    const answer = new Promise<string | null>((resolve) => (resolveAnswer = resolve));
    const ended = new Promise<SupervisorEnd>((resolve) => (resolveEnded = resolve));
    const request: Pending = {
      answered: false,
      held: true,
      answer: (line) => {
        request.answered = true;
        resolveAnswer(line);
      },
      ended: resolveEnded,
    };
    this.pending.set(id, request);
    this.holdOpen();
    const body = Buffer.concat([Buffer.from(`${logPath}\0`), spec]);
    this.requests.write(Buffer.concat([Buffer.from(`${id} ${body.length}\n`), body]));
    const release = (): void => {
      request.held = false;
      this.holdOpen();
    };
    return { answer, ended, release };
  }

  private read(chunk: string): void {
    this.buffered += chunk;
    let newline: number;
    while ((newline = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, newline);
      this.buffered = this.buffered.slice(newline + 1);
      const space = line.indexOf(' ');
      const id = Number(line.slice(0, space));
      const request = this.pending.get(id);
      if (space < 0 || request === undefined) continue;
      const rest = line.slice(space + 1);
      if (rest === 'reaped') {
        if (!request.answered) request.answer(null);
        request.ended('reaped');
        this.pending.delete(id);
        this.holdOpen();
      } else if (!request.answered) {
        request.answer(rest);
      }
    }
  }

  /** Keeps this process alive while a launch is unanswered or a supervisor it waits for runs. */
  private holdOpen(): void {
    let hold = false;
    for (const request of this.pending.values()) hold ||= request.held;
    const handles = [this.child, this.requests, this.replies] as unknown as { ref(): void; unref(): void }[];
    for (const handle of handles) {
      if (hold) handle.ref();
      else handle.unref();
    }
  }
}

export class SupervisorLauncher {
  private current: LauncherProcess | undefined;

  constructor(
    private readonly spawn: SpawnFn,
    private readonly perl: string,
    private readonly script: string,
    private readonly setsidSyscall: number,
  ) {}

  /** Sends one launch; starts the launcher first when there is none (or it died). */
  launch(logPath: string, spec: Buffer): Launch {
    if (this.current === undefined || !this.current.usable) this.current = this.start();
    return this.current.launch(logPath, spec);
  }

  /** The running launcher's pid, if any (for tests and diagnostics). */
  get pid(): number | undefined {
    return this.current?.usable === true ? this.current.pid : undefined;
  }

  private start(): LauncherProcess {
    const args = [this.script, '--launcher', String(this.setsidSyscall), openFlagsField()];
    const child = this.spawn(this.perl, args, {
      cwd: '/',
      env: {},
      detached: true,
      stdio: ['pipe', 'ignore', 'inherit', 'pipe'],
    });
    const launcher = new LauncherProcess(child, () => {
      if (this.current === launcher) this.current = undefined;
    });
    return launcher;
  }
}
