/** The commands that serve: `dev` (a local server, Web UI and worker) and `worker`. */
import { declareCommand, type ConnectionOptions } from './command-spec';

export interface DevOptions {
  readonly port: string;
  readonly uiPort?: string;
  readonly dbFile: string;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly verbose?: boolean;
}

export const devCommand = declareCommand<[], DevOptions>({
  name: 'dev',
  description: 'Start a local Temporal dev server, its Web UI and a worker in one process, until Ctrl-C.',
  options: [
    { flags: '--port <port>', description: 'frontend port; fails if taken', default: '7233' },
    { flags: '--ui-port <port>', description: 'Web UI port (default: the frontend port + 1000)' },
    {
      flags: '--db-file <file>',
      description: "the server's SQLite state",
      default: '.agent/temporal-dev.sqlite',
    },
    { flags: '--namespace <name>', description: 'Temporal namespace', default: 'default' },
    { flags: '--task-queue <name>', description: 'task queue the worker serves', default: 'agent-fanout' },
    {
      flags: '--verbose',
      description:
        "print the worker's warnings (one per failed agent attempt) here too; else only in <db-file>.worker.log",
    },
  ],
  examples: [
    'agent-fanout dev',
    'agent-fanout dev --port 7300   # then: agent-fanout run plan.yaml --address localhost:7300',
  ],
  action: async (_positionals, options, io) => (await import('../commands/dev')).run(options, io),
});

export interface WorkerOptions extends ConnectionOptions {
  readonly maxConcurrentAgents: string;
  readonly metricsPort?: string;
  readonly workdir?: string;
  readonly host?: string;
}

export const workerCommand = declareCommand<[], WorkerOptions>({
  name: 'worker',
  description: "Serve a task queue: run fan-out workflows and this host's agents until Ctrl-C or SIGTERM.",
  options: [
    {
      flags: '--max-concurrent-agents <n>',
      description: 'most agents at once on this host (at least the largest max_workers served)',
      default: '256',
    },
    {
      flags: '--metrics-port <port>',
      description: 'serve Prometheus metrics at :<port>/metrics (default: $FANOUT_METRICS_PORT, else none)',
    },
    {
      flags: '--workdir <dir>',
      description:
        "this host's work directory: clones, git working trees, evidence (default: $FANOUT_WORKTREES, else /var/tmp/agent-fanout-<uid>)",
    },
    {
      flags: '--host <id>',
      description:
        "this host's id in a --remote run, recorded as each unit's host (default: <hostname>:<workdir>)",
    },
  ],
  connection: true,
  examples: [
    'agent-fanout worker --address temporal.internal:7233 --task-queue repo-a',
    'agent-fanout worker --address temporal.internal:7233 --workdir /srv/fanout --host build-7',
  ],
  action: async (_positionals, options, io) => (await import('../commands/worker')).run(options, io),
});
