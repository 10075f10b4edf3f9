/**
 * The closed set of errors the CLI turns into exit codes, in one place ({@link reportError}).
 * Anything else that reaches it is a bug in agent-fanout. Stack traces are shown only with the
 * global `--debug` flag (or AGENT_FANOUT_DEBUG=1).
 */
import { CommanderError } from 'commander';
import { TemporalCliNotFoundError } from '../dev/find-temporal-cli';
import { preflightRejected } from '../plan/messages';
import type { ValidationFailureKind } from '../plan/validate';
import type { CommandIo, ExitCode } from './io';
import type { ProblemReport } from './output/plan-problems';
import { ServerUnavailable } from './connection/server-errors';

/** A run that failed or was cancelled, or a server that could not be reached. */
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_REJECTED = 2;
/** EX_SOFTWARE of sysexits.h: agent-fanout itself is broken, whatever the plan or the run. */
export const EXIT_BUG = 70;

/** Bad command line or an unusable plan path. Its message says what to do instead. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * A plan refused before anything starts (SPEC §2); its message is the whole rejection text,
 * `parallel preflight rejected plan: <reason>`.
 */
export class PlanRejected extends Error {
  override readonly name = 'PlanRejected';

  constructor(
    readonly reason: string,
    readonly kind: ValidationFailureKind,
    /** Where in the plan, e.g. `work_units[1].unit_id`, when the reason may not say. */
    readonly location?: string,
    /** Every problem found (the first is this one), when the plan was read from a file. */
    readonly details?: PlanRejectionDetails,
  ) {
    super(preflightRejected(reason));
  }
}

export interface PlanRejectionDetails {
  readonly report: ProblemReport;
  /**
   * The report as `validate` shows it (`plan-problems.ts`), printed instead of the message;
   * rendered by the thrower, so reporting an error loads no plan code.
   */
  readonly text: string;
}

/** The command already told the user what happened; exit with this code and print nothing more. */
export class ExitError extends Error {
  override readonly name = 'ExitError';

  constructor(readonly exitCode: ExitCode) {
    super(`exit ${exitCode}`);
  }
}

/**
 * Something the command could not do, for a reason outside agent-fanout (a server that would not
 * start, a file it cannot write); the message says what happened and what to do next. Exit 1.
 */
export class CommandFailed extends Error {
  override readonly name = 'CommandFailed';
}

export interface ReportOptions {
  /** `--debug`: add the stack trace (and the cause's) to whatever is printed. */
  readonly debug?: boolean;
}

/** Prints what the user needs to know about `error` and returns the exit code. */
export function reportError(
  error: unknown,
  io: Pick<CommandIo, 'stderr'>,
  options: ReportOptions = {},
): ExitCode {
  const code = explain(error, io);
  if (options.debug === true && !(error instanceof ExitError) && !(error instanceof CommanderError)) {
    io.stderr.write(`${stackOf(error)}\n`);
  }
  return code;
}

function explain(error: unknown, io: Pick<CommandIo, 'stderr'>): ExitCode {
  if (error instanceof ExitError) return error.exitCode;
  if (error instanceof UsageError) {
    io.stderr.write(`agent-fanout: ${error.message}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof PlanRejected && error.details !== undefined) {
    io.stderr.write(error.details.text);
    return EXIT_REJECTED;
  }
  if (error instanceof PlanRejected) {
    io.stderr.write(`${error.message}\n`);
    if (error.location !== undefined && !namesItsField(error.reason, error.location)) {
      io.stderr.write(`  (at ${error.location})\n`);
    }
    return EXIT_REJECTED;
  }
  if (error instanceof ServerUnavailable || error instanceof CommandFailed) {
    io.stderr.write(`agent-fanout: ${error.message}\n`);
    return EXIT_FAILED;
  }
  if (error instanceof TemporalCliNotFoundError) {
    // The lookup's last resort (the SDK's own download) is for the tests, not for this command.
    const ways = error.message
      .split('\n')
      .filter((line) => !line.startsWith('Last resort:'))
      .join('\n');
    io.stderr.write(`agent-fanout: this command starts a local Temporal server. ${ways}\n`);
    return EXIT_FAILED;
  }
  if (isTemporalServiceError(error)) {
    io.stderr.write(
      `agent-fanout: the Temporal server refused a request: ${error.message}. ` +
        'Check --address and --namespace, and that the server is up (start one with `agent-fanout dev`).\n',
    );
    return EXIT_FAILED;
  }
  if (error instanceof CommanderError) {
    // commander has printed its own message (or the help) through the command's io already.
    const shownOnRequest = error.code === 'commander.helpDisplayed' || error.code === 'commander.version';
    return shownOnRequest ? 0 : EXIT_USAGE;
  }
  const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  io.stderr.write(
    `agent-fanout: internal error, this is a bug: ${what}\n` +
      'Please report it with the command you ran and the output of the same command with --debug.\n',
  );
  return EXIT_BUG;
}

/** A gRPC error from the server (or the SDK's ServiceError around one), told apart without loading the SDK. */
function isTemporalServiceError(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  if (error.name === 'ServiceError') return true;
  const grpc = error as Error & { code?: unknown; metadata?: unknown };
  return typeof grpc.code === 'number' && grpc.metadata !== undefined;
}

/** The stack, then each cause's, for --debug. */
function stackOf(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth += 1) {
    parts.push(
      current instanceof Error
        ? (current.stack ?? `${current.name}: ${current.message}`)
        : JSON.stringify(current),
    );
    current = current instanceof Error ? current.cause : undefined;
    if (current !== undefined && current !== null) parts.push('Caused by:');
  }
  return parts.join('\n');
}

/** True when the reason already starts with the field (`max_workers must …`, `agent.timeout: …`). */
function namesItsField(reason: string, location: string): boolean {
  return reason.startsWith(`${location}:`) || reason.startsWith(`${location} `);
}
