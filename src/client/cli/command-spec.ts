/**
 * How a command of the CLI is declared: its name, description, arguments, flags and examples as
 * data, and an action that takes the parsed flags as a typed options object. `addCommand` turns a
 * declaration into a commander command, so every `--help` has the same layout.
 */
import { Command, Option } from 'commander';
import type { ConnectionArgs } from '../connection/connection-options';
import type { CommandIo, ExitCode } from '../io';

export interface ArgumentSpec {
  /** As commander spells it: `<plan>`. */
  readonly name: string;
  readonly description: string;
}

export interface OptionSpec {
  /** As commander spells them: `-f, --follow`, `--repo <dir>`. */
  readonly flags: string;
  readonly description: string;
  readonly default?: string;
  readonly choices?: readonly string[];
}

/** A command's declaration; `Positionals` are its arguments in order, `Options` its parsed flags. */
export interface CommandSpec<Positionals extends readonly string[], Options> {
  readonly name: string;
  readonly description: string;
  readonly arguments?: readonly ArgumentSpec[];
  readonly options?: readonly OptionSpec[];
  /** Adds the connection flags (after the command's own) of every command that talks to Temporal. */
  readonly connection?: boolean;
  readonly examples: readonly string[];
  /** Loads the command's module when it runs, so `validate` never loads the Temporal client. */
  readonly action: (positionals: Positionals, options: Options, io: CommandIo) => Promise<ExitCode>;
}

/** A declaration with its types erased, so commands of every shape fit in one list. */
export interface DeclaredCommand {
  readonly spec: Omit<CommandSpec<readonly string[], unknown>, 'action'>;
  /** Commander's action parameters: the positionals, then the options object. */
  run(parameters: readonly unknown[], io: CommandIo): Promise<ExitCode>;
}

export function declareCommand<Positionals extends readonly string[], Options>(
  spec: CommandSpec<Positionals, Options>,
): DeclaredCommand {
  const count = spec.arguments?.length ?? 0;
  return {
    spec,
    // Commander passes each declared argument (required ones are checked), then the options.
    run: (parameters, io) =>
      spec.action(parameters.slice(0, count) as unknown as Positionals, parameters[count] as Options, io),
  };
}

/** The connection flags, as commander parses them (SPEC §6). */
export type ConnectionOptions = ConnectionArgs;

const CONNECTION_OPTIONS: readonly OptionSpec[] = [
  {
    flags: '--address <host:port>',
    description: 'Temporal frontend (default: $TEMPORAL_ADDRESS, else localhost:7233)',
  },
  {
    flags: '--namespace <name>',
    description: 'Temporal namespace (default: $TEMPORAL_NAMESPACE, else default)',
  },
  {
    flags: '--task-queue <name>',
    description: 'task queue of the workers on the host with the checkout (default: agent-fanout)',
  },
  {
    flags: '--tls',
    description: 'connect with TLS (system CAs); implied by the other --tls-* flags and --api-key',
  },
  { flags: '--tls-cert <file>', description: 'client certificate for mTLS (default: $TEMPORAL_TLS_CERT)' },
  { flags: '--tls-key <file>', description: 'private key of --tls-cert (default: $TEMPORAL_TLS_KEY)' },
  { flags: '--tls-ca <file>', description: 'CA certificate of the server (default: $TEMPORAL_TLS_CA)' },
  { flags: '--tls-server-name <name>', description: 'server name to expect in its certificate' },
  { flags: '--api-key <key>', description: 'API key, e.g. for Temporal Cloud (default: $TEMPORAL_API_KEY)' },
];

/** Adds `declared` to `program`; its action's exit code goes to `setExitCode`. */
export function addCommand(
  program: Command,
  declared: DeclaredCommand,
  io: CommandIo,
  setExitCode: (code: ExitCode) => void,
): void {
  const { spec } = declared;
  const command = program.command(spec.name).description(spec.description);
  for (const argument of spec.arguments ?? []) command.argument(argument.name, argument.description);
  const options = [...(spec.options ?? []), ...(spec.connection === true ? CONNECTION_OPTIONS : [])];
  for (const option of options) command.addOption(toOption(option));
  command.addHelpText('after', examples(...spec.examples));
  command.action(async (...parameters: unknown[]) => {
    setExitCode(await declared.run(parameters, io));
  });
}

function toOption(spec: OptionSpec): Option {
  const option = new Option(spec.flags, spec.description);
  if (spec.choices !== undefined) option.choices(spec.choices);
  if (spec.default !== undefined) option.default(spec.default);
  return option;
}

/** The `Example(s):` section of a `--help`. */
export function examples(...lines: readonly string[]): string {
  return `\nExample${lines.length === 1 ? '' : 's'}:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;
}
