/** The CLI entry point: parses argv, runs one command, returns the exit code (never exits itself). */
import { buildCli } from './cli';
import { reportError } from './errors';
import type { CommandIo, ExitCode } from './io';

export async function main(argv: readonly string[], io: CommandIo): Promise<ExitCode> {
  let exitCode: ExitCode = 0;
  const program = buildCli(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    const debug = argv.includes('--debug') || io.env.AGENT_FANOUT_DEBUG === '1';
    return reportError(error, io, { debug });
  }
}
