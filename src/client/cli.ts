/**
 * The CLI: the program's own flags and every command, in the order `--help` lists them. Each
 * command is declared in `cli/` (name, description, arguments, flags with their defaults,
 * examples) and loads its module from `commands/<name>.ts` only when it runs, so `validate`
 * never loads the Temporal client.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { addCommand, examples, type DeclaredCommand } from './cli/command-spec';
import { demoCommand, graphCommand, runCommand, schemaCommand, validateCommand } from './cli/plan-commands';
import {
  cancelCommand,
  listCommand,
  logsCommand,
  retryCommand,
  statusCommand,
  watchCommand,
} from './cli/run-commands';
import { devCommand, workerCommand } from './cli/server-commands';
import type { CommandIo, ExitCode } from './io';

const COMMANDS: readonly DeclaredCommand[] = [
  validateCommand,
  graphCommand,
  schemaCommand,
  runCommand,
  watchCommand,
  logsCommand,
  devCommand,
  demoCommand,
  workerCommand,
  listCommand,
  statusCommand,
  cancelCommand,
  retryCommand,
];

export function buildCli(io: CommandIo, setExitCode: (code: ExitCode) => void): Command {
  const program = new Command('agent-fanout')
    .description('Run a plan of AI coding-agent work units over one checkout, durably, on Temporal.')
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showHelpAfterError('(add --help for usage)')
    .showSuggestionAfterError()
    .option('--debug', 'show the stack trace of any error, for bug reports (or set AGENT_FANOUT_DEBUG=1)')
    .addHelpText(
      'after',
      examples(
        'npm start                                    # the demo: agent-fanout demo',
        'agent-fanout dev                             # a local server, Web UI and worker',
        'agent-fanout run plan.yaml --repo ~/src/app  # in another terminal',
      ),
    );
  for (const command of COMMANDS) addCommand(program, command, io, setExitCode);
  return program;
}

/** From package.json, two levels up from both src/client and dist/client. */
function packageVersion(): string {
  const text = readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}
