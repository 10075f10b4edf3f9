/** The commands that find runs: `list`, and those that reach a run by its workflow id: `watch`, `logs`, `status`, `cancel` and `retry`. */
import { declareCommand, type ConnectionOptions } from './command-spec';

const ID_ARGUMENT = { name: '<id>', description: 'workflow id of the run' };

export interface WatchOptions extends ConnectionOptions {
  readonly json?: boolean;
}

export const watchCommand = declareCommand<[id: string], WatchOptions>({
  name: 'watch',
  description:
    'Follow a run (live table on a terminal, one line per event otherwise), or show how one ended.',
  arguments: [ID_ARGUMENT],
  options: [
    { flags: '--json', description: 'print only the result (SPEC §5) on stdout once the run has ended' },
  ],
  connection: true,
  examples: ['agent-fanout watch fanout-codemod-1a2b3c4d', 'agent-fanout watch nightly --json > result.json'],
  action: async ([id], options, io) => (await import('../commands/watch')).run({ id, ...options }, io),
});

export interface LogsOptions extends ConnectionOptions {
  readonly attempt?: string;
  readonly follow?: boolean;
}

export const logsCommand = declareCommand<[id: string, unit: string], LogsOptions>({
  name: 'logs',
  description:
    "Print a unit's agent log (its latest attempt); --follow keeps printing until the unit has ended.",
  arguments: [ID_ARGUMENT, { name: '<unit>', description: 'unit id' }],
  options: [
    { flags: '--attempt <n>', description: 'this attempt instead of the latest' },
    { flags: '-f, --follow', description: 'keep printing new output until the unit has ended' },
  ],
  connection: true,
  examples: [
    'agent-fanout logs fanout-codemod-1a2b3c4d api-client',
    'agent-fanout logs nightly api-client --follow',
    'agent-fanout logs nightly api-client --attempt 1',
    'agent-fanout logs nightly api-client   # a --remote run: from its evidence ref, on any machine',
  ],
  action: async ([id, unit], options, io) =>
    (await import('../commands/logs')).run({ id, unit, ...options }, io),
});

export interface ListOptions extends ConnectionOptions {
  readonly status?: string;
  readonly plan?: string;
  readonly repo?: string;
  readonly limit: string;
  readonly json?: boolean;
}

export const listCommand = declareCommand<[], ListOptions>({
  name: 'list',
  description: 'List recent runs, newest first: plan, status, units done, start and duration.',
  options: [
    {
      flags: '--status <status>',
      description: 'only runs that are running, succeeded, failed, cancelled, terminated or timed-out',
    },
    { flags: '--plan <name>', description: 'only runs of this plan' },
    { flags: '--repo <dir>', description: 'only runs over this checkout' },
    { flags: '--limit <n>', description: 'most runs shown', default: '20' },
    { flags: '--json', description: 'print the runs as JSON' },
  ],
  connection: true,
  examples: ['agent-fanout list --status failed', 'agent-fanout list --plan api-codemod --json'],
  action: async (_positionals, options, io) => (await import('../commands/list')).run(options, io),
});

export interface StatusOptions extends ConnectionOptions {
  readonly json?: boolean;
}

export const statusCommand = declareCommand<[id: string], StatusOptions>({
  name: 'status',
  description: 'Show every unit of a run: status, attempts, errors, and why a waiting unit waits.',
  arguments: [ID_ARGUMENT],
  options: [{ flags: '--json', description: 'print the progress as JSON' }],
  connection: true,
  examples: ['agent-fanout status fanout-codemod-1a2b3c4d', 'agent-fanout status nightly --json'],
  action: async ([id], options, io) => (await import('../commands/status')).run({ id, ...options }, io),
});

export interface CancelOptions extends ConnectionOptions {
  readonly unit?: string;
}

export const cancelCommand = declareCommand<[id: string], CancelOptions>({
  name: 'cancel',
  description:
    'Cancel a whole run (every agent is stopped) or, with --unit, one unit (its dependents are blocked).',
  arguments: [ID_ARGUMENT],
  options: [{ flags: '--unit <unit-id>', description: 'cancel only this unit; the rest of the run goes on' }],
  connection: true,
  examples: ['agent-fanout cancel fanout-codemod-1a2b3c4d', 'agent-fanout cancel nightly --unit api-client'],
  action: async ([id], options, io) => (await import('../commands/cancel')).run({ id, ...options }, io),
});

export interface RetryOptions extends ConnectionOptions {
  readonly newId?: string;
  readonly branch?: string;
  readonly plan?: string;
  readonly json?: boolean;
}

export const retryCommand = declareCommand<[id: string], RetryOptions>({
  name: 'retry',
  description:
    "Start a new run of a finished run's plan that reuses its succeeded units (evidence re-checked) and runs the rest.",
  arguments: [{ name: '<id>', description: 'workflow id of the finished run' }],
  options: [
    {
      flags: '--new-id <workflow-id>',
      description: 'workflow id of the new run (default: <id>-retry-<hash>)',
    },
    {
      flags: '--plan <file>',
      description:
        'run this edited plan instead of the stored one; a succeeded unit is reused only when unchanged: same description, ' +
        'command and env (as resolved with agent.command/agent.env), allowed_directories, dependencies, evidence.pattern and ' +
        'namespace_root, and every unit it depends on reused too (timeouts, retry and scheduling keys do not count); new units run, removed ones are gone',
    },
    {
      flags: '--branch <name>',
      description:
        "a git run's new branch (default: fanout/<plan name>-<8 hex of the new run id>); base, --into and --keep-failed stay the old run's",
    },
    { flags: '--json', description: 'print only the result (SPEC §5) on stdout; progress goes to stderr' },
  ],
  connection: true,
  examples: [
    'agent-fanout retry fanout-codemod-1a2b3c4d',
    'agent-fanout retry fanout-codemod-1a2b3c4d --plan plan.yaml   # after fixing the plan',
  ],
  action: async ([id], options, io) => (await import('../commands/retry')).run({ id, ...options }, io),
});
