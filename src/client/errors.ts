/**
 * The closed set of errors the CLI turns into exit codes, in one place ({@link reportError}).
 * Anything else that reaches it is a bug in agent-fanout and is shown with its stack.
 */
import { CommanderError } from 'commander';
import { preflightRejected } from '../plan/messages';
import type { ValidationFailureKind } from '../plan/validate';
import type { CommandIo, ExitCode } from './io';
import { ServerUnavailable } from './server-errors';

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
  ) {
    super(preflightRejected(reason));
  }
}

/** The command already told the user what happened; exit with this code and print nothing more. */
export class ExitError extends Error {
  override readonly name = 'ExitError';

  constructor(readonly exitCode: ExitCode) {
    super(`exit ${exitCode}`);
  }
}

/** Prints what the user needs to know about `error` and returns the exit code. */
export function reportError(error: unknown, io: Pick<CommandIo, 'stderr'>): ExitCode {
  if (error instanceof ExitError) return error.exitCode;
  if (error instanceof UsageError) {
    io.stderr.write(`agent-fanout: ${error.message}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof PlanRejected) {
    io.stderr.write(`${error.message}\n`);
    if (error.location !== undefined && !namesItsField(error.reason, error.location)) {
      io.stderr.write(`  (at ${error.location})\n`);
    }
    return EXIT_REJECTED;
  }
  if (error instanceof ServerUnavailable) {
    io.stderr.write(`agent-fanout: ${error.message}\n`);
    return EXIT_FAILED;
  }
  if (error instanceof CommanderError) {
    // commander has printed its own message (or the help) through the command's io already.
    const shownOnRequest = error.code === 'commander.helpDisplayed' || error.code === 'commander.version';
    return shownOnRequest ? 0 : EXIT_USAGE;
  }
  const details = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(
    `agent-fanout: internal error, this is a bug. Please report it with the command you ran.\n${details}\n`,
  );
  return EXIT_BUG;
}

/** True when the reason already starts with the field (`max_workers must …`, `agent.timeout: …`). */
function namesItsField(reason: string, location: string): boolean {
  return reason.startsWith(`${location}:`) || reason.startsWith(`${location} `);
}
