/**
 * Every command of the CLI, declared in one place: name, description, arguments, flags with
 * their defaults, and an example in each `--help`. Each action loads its module from
 * `commands/<name>.ts` only when it runs, so `validate` never loads the Temporal client.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { GRAPH_FORMATS, type GraphFormat } from '../plan/graph-render';
import type { CommandIo, ExitCode } from './io';

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

  program
    .command('validate')
    .description(
      'Check a plan against every preflight rule without running anything; print its units, waves and critical path.',
    )
    .argument('<plan>', 'plan file (.json, .yaml or .yml)')
    .option(
      '--agent-command <json>',
      'agent command as a JSON array, used when the plan has no agent.command',
    )
    .option('--max-workers <n>', "predict the waves for this many workers (default: the plan's max_workers)")
    .option(
      '--repo <dir>',
      'the checkout whose symlinks the allowed directories are judged through (default: the current directory)',
    )
    .addHelpText(
      'after',
      examples(
        'agent-fanout validate plan.yaml',
        `agent-fanout validate ralph-plan.json --agent-command '["claude","-p","{prompt_file}"]'`,
      ),
    )
    .action(async (plan: string, options: { agentCommand?: string; maxWorkers?: string; repo?: string }) => {
      const command = await import('./commands/validate');
      setExitCode(await command.run({ plan, ...options }, io));
    });

  program
    .command('graph')
    .description('Print the dependency graph with its predicted waves, as Mermaid or Graphviz DOT.')
    .argument('<plan>', 'plan file (.json, .yaml or .yml)')
    .addOption(new Option('--format <format>', 'output format').choices(GRAPH_FORMATS).default('mermaid'))
    .option('--max-workers <n>', "predict the waves for this many workers (default: the plan's max_workers)")
    .addHelpText(
      'after',
      examples(
        'agent-fanout graph plan.yaml > plan.mmd',
        'agent-fanout graph plan.yaml --format dot | dot -Tsvg > plan.svg',
      ),
    )
    .action(async (plan: string, options: { format: GraphFormat; maxWorkers?: string }) => {
      const command = await import('./commands/graph');
      setExitCode(await command.run({ plan, ...options }, io));
    });

  program
    .command('schema')
    .description("Print the plan's JSON Schema, for editors and other tools.")
    .addHelpText('after', examples('agent-fanout schema > agent-fanout-plan.schema.json'))
    .action(async () => {
      const command = await import('./commands/schema');
      setExitCode(await command.run({}, io));
    });

  withConnection(
    program
      .command('run')
      .description(
        'Run a plan: start the durable run, follow it, print the result. A worker must serve the task queue.',
      )
      .argument('<plan>', 'plan file (.json, .yaml or .yml)')
      .option('--repo <dir>', 'the checkout the agents work in', '.')
      .option('--json', 'print only the result (SPEC §5) on stdout; progress goes to stderr')
      .option('--id <workflow-id>', 'workflow id of the run (default: fanout-<name>-<hash>)')
      .option(
        '--allow-rerun',
        'start even if a run with this --id has ended (one still running is never started twice)',
      )
      .option(
        '--agent-command <json>',
        'agent command as a JSON array, used when the plan has no agent.command',
      )
      .option('--max-workers <n>', "most units running at once (default: the plan's max_workers)")
      .option(
        '--embedded',
        'start a local Temporal dev server and worker in this process for this run (state in .agent/)',
      )
      .addHelpText(
        'after',
        examples(
          'agent-fanout run plan.yaml --repo ~/src/app',
          'agent-fanout run plan.yaml --json --id nightly-codemod > result.json',
          'agent-fanout run plan.yaml --embedded          # no server needed',
        ),
      ),
  ).action(async (plan: string, options: Record<string, string | boolean | undefined>) => {
    const command = await import('./commands/run');
    setExitCode(await command.run({ plan, ...options }, io));
  });

  withConnection(
    program
      .command('watch')
      .description(
        'Follow a run (live table on a terminal, one line per event otherwise), or show how one ended.',
      )
      .argument('<id>', 'workflow id of the run')
      .option('--json', 'print only the result (SPEC §5) on stdout once the run has ended')
      .addHelpText(
        'after',
        examples(
          'agent-fanout watch fanout-codemod-1a2b3c4d',
          'agent-fanout watch nightly --json > result.json',
        ),
      ),
  ).action(async (id: string, options: Record<string, string | boolean | undefined>) => {
    const command = await import('./commands/watch');
    setExitCode(await command.run({ id, ...options }, io));
  });

  withConnection(
    program
      .command('logs')
      .description(
        "Print a unit's agent log (its latest attempt); --follow keeps printing until the unit has ended.",
      )
      .argument('<id>', 'workflow id of the run')
      .argument('<unit>', 'unit id')
      .option('--attempt <n>', 'this attempt instead of the latest')
      .option('-f, --follow', 'keep printing new output until the unit has ended')
      .addHelpText(
        'after',
        examples(
          'agent-fanout logs fanout-codemod-1a2b3c4d api-client',
          'agent-fanout logs nightly api-client --follow',
          'agent-fanout logs nightly api-client --attempt 1',
        ),
      ),
  ).action(async (id: string, unit: string, options: Record<string, string | boolean | undefined>) => {
    const command = await import('./commands/logs');
    setExitCode(await command.run({ id, unit, ...options }, io));
  });

  program
    .command('dev')
    .description('Start a local Temporal dev server, its Web UI and a worker in one process, until Ctrl-C.')
    .option('--port <port>', 'frontend port; fails if taken', '7233')
    .option('--ui-port <port>', 'Web UI port (default: the frontend port + 1000)')
    .option('--db-file <file>', "the server's SQLite state", '.agent/temporal-dev.sqlite')
    .option('--namespace <name>', 'Temporal namespace', 'default')
    .option('--task-queue <name>', 'task queue the worker serves', 'agent-fanout')
    .addHelpText(
      'after',
      examples(
        'agent-fanout dev',
        'agent-fanout dev --port 7300   # then: agent-fanout run plan.yaml --address localhost:7300',
      ),
    )
    .action(async (options: Record<string, string | undefined>) => {
      const command = await import('./commands/dev');
      setExitCode(await command.run(options, io));
    });

  program
    .command('demo')
    .description(
      'Run the example plan (9 units, a diamond and a wide layer) with a demo agent in a scratch repo under .agent/demo, on a server started for it.',
    )
    .option('--json', 'print only the result (SPEC §5) on stdout')
    .addHelpText('after', examples('agent-fanout demo', 'npm start   # builds, then runs the demo'))
    .action(async (options: { json?: boolean }) => {
      const command = await import('./commands/demo');
      setExitCode(await command.run(options, io));
    });

  withConnection(
    program
      .command('worker')
      .description(
        "Serve a task queue: run fan-out workflows and this host's agents until Ctrl-C or SIGTERM.",
      )
      .option(
        '--max-concurrent-agents <n>',
        'most agents at once on this host (at least the largest max_workers served)',
        '256',
      )
      .option(
        '--metrics-port <port>',
        'serve Prometheus metrics at :<port>/metrics (default: $FANOUT_METRICS_PORT, else none)',
      )
      .addHelpText(
        'after',
        examples('agent-fanout worker --address temporal.internal:7233 --task-queue repo-a'),
      ),
  ).action(async (options: Record<string, string | undefined>) => {
    const command = await import('./commands/worker');
    setExitCode(await command.run(options, io));
  });

  withConnection(
    program
      .command('status')
      .description('Show every unit of a run: status, attempts, errors, and why a waiting unit waits.')
      .argument('<id>', 'workflow id of the run')
      .option('--json', 'print the progress as JSON')
      .addHelpText(
        'after',
        examples('agent-fanout status fanout-codemod-1a2b3c4d', 'agent-fanout status nightly --json'),
      ),
  ).action(async (id: string, options: Record<string, string | boolean | undefined>) => {
    const command = await import('./commands/status');
    setExitCode(await command.run({ id, ...options }, io));
  });

  withConnection(
    program
      .command('cancel')
      .description(
        'Cancel a whole run (every agent is stopped) or, with --unit, one unit (its dependents are blocked).',
      )
      .argument('<id>', 'workflow id of the run')
      .option('--unit <unit-id>', 'cancel only this unit; the rest of the run goes on')
      .addHelpText(
        'after',
        examples(
          'agent-fanout cancel fanout-codemod-1a2b3c4d',
          'agent-fanout cancel nightly --unit api-client',
        ),
      ),
  ).action(async (id: string, options: Record<string, string | undefined>) => {
    const command = await import('./commands/cancel');
    setExitCode(await command.run({ id, ...options }, io));
  });

  withConnection(
    program
      .command('retry')
      .description(
        "Start a new run of a finished run's plan that reuses its succeeded units (evidence re-checked) and runs the rest.",
      )
      .argument('<id>', 'workflow id of the finished run')
      .option('--new-id <workflow-id>', 'workflow id of the new run (default: <id>-retry-<hash>)')
      .option('--json', 'print only the result (SPEC §5) on stdout; progress goes to stderr')
      .addHelpText('after', examples('agent-fanout retry fanout-codemod-1a2b3c4d')),
  ).action(async (id: string, options: Record<string, string | boolean | undefined>) => {
    const command = await import('./commands/retry');
    setExitCode(await command.run({ id, ...options }, io));
  });

  return program;
}

/** The connection flags every command that talks to Temporal shares (SPEC §6). */
function withConnection(command: Command): Command {
  return command
    .option('--address <host:port>', 'Temporal frontend (default: $TEMPORAL_ADDRESS, else localhost:7233)')
    .option('--namespace <name>', 'Temporal namespace (default: $TEMPORAL_NAMESPACE, else default)')
    .option(
      '--task-queue <name>',
      'task queue of the workers on the host with the checkout (default: agent-fanout)',
    )
    .option('--tls', 'connect with TLS (system CAs); implied by the other --tls-* flags and --api-key')
    .option('--tls-cert <file>', 'client certificate for mTLS (default: $TEMPORAL_TLS_CERT)')
    .option('--tls-key <file>', 'private key of --tls-cert (default: $TEMPORAL_TLS_KEY)')
    .option('--tls-ca <file>', 'CA certificate of the server (default: $TEMPORAL_TLS_CA)')
    .option('--tls-server-name <name>', 'server name to expect in its certificate')
    .option('--api-key <key>', 'API key, e.g. for Temporal Cloud (default: $TEMPORAL_API_KEY)');
}

function examples(...lines: string[]): string {
  return `\nExample${lines.length === 1 ? '' : 's'}:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;
}

/** From package.json, two levels up from both src/client and dist/client. */
function packageVersion(): string {
  const text = readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}
