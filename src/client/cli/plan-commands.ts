/** The commands that read a plan: `validate`, `graph`, `schema`, `run` and `demo`. */
import { GRAPH_FORMATS, type GraphFormat } from '../../plan/graph-render';
import {
  CONFINEMENT_MODES,
  WORKSPACE_MODES,
  type ConfinementMode,
  type WorkspaceMode,
} from '../../plan/types';
import type { GitFlags } from '../git-mode/git-flags';
import { declareCommand, type ConnectionOptions, type OptionSpec } from './command-spec';

const PLAN_ARGUMENT = { name: '<plan>', description: 'plan file (.json, .yaml or .yml)' };
const AGENT_COMMAND_OPTION: OptionSpec = {
  flags: '--agent-command <json>',
  description: 'agent command as a JSON array, used when the plan has no agent.command',
};
const PREDICT_MAX_WORKERS_OPTION: OptionSpec = {
  flags: '--max-workers <n>',
  description: "predict the waves for this many workers (default: the plan's max_workers)",
};
/** `--confinement`, over the plan's `confinement` key (SPEC §8.1). */
const CONFINEMENT_OPTION: OptionSpec = {
  flags: '--confinement <mode>',
  description: "how agents' writes are held to their areas (default: the plan's confinement, else landlock)",
  choices: CONFINEMENT_MODES,
};
/** `--workspace`, over the plan's `workspace` key (SPEC §9). */
const WORKSPACE_OPTION: OptionSpec = {
  flags: '--workspace <mode>',
  description:
    "shared: one checkout for every agent; git: a working tree per unit, the run ending as a branch (default: the plan's workspace, else shared)",
  choices: WORKSPACE_MODES,
};
/** The flags of a git-workspace run (SPEC §9); refused without git mode. */
const GIT_OPTIONS: readonly OptionSpec[] = [
  {
    flags: '--base <rev>',
    description:
      'git mode: the commit the run starts from (default: HEAD of --repo); with --remote and no --repo, a branch or tag of the remote or a full SHA (default: its HEAD)',
  },
  {
    flags: '--branch <name>',
    description: 'git mode: the branch the run ends on (default: fanout/<plan name>-<8 hex of the run id>)',
  },
  {
    flags: '--into <branch>',
    description:
      'git mode: when the run succeeds, also move this branch to its outcome (fast-forward, else a merge commit; left alone on a conflict)',
  },
  { flags: '--keep-failed', description: "git mode: keep a failed attempt's working tree to look at" },
  {
    flags: '--remote <url>',
    description:
      'git mode on many hosts: a git repository every worker fetches from and pushes to (a bare repo path or any URL git can push to); ' +
      'units run on any worker of the task queue, the refs and the branch end up there, and --repo becomes optional',
  },
  {
    flags: '--host-loss-timeout <duration>',
    description:
      "with --remote: how long an agent on a host that went silent is waited for before its attempt starts over elsewhere (default: the plan's host_loss_timeout, else 10m)",
  },
];
const JSON_RESULT_OPTION: OptionSpec = {
  flags: '--json',
  description: 'print only the result (SPEC §5) on stdout; progress goes to stderr',
};

export interface ValidateOptions {
  readonly agentCommand?: string;
  readonly maxWorkers?: string;
  readonly json?: boolean;
  readonly confinement?: ConfinementMode;
  readonly repo?: string;
  readonly workspace?: WorkspaceMode;
}

export const validateCommand = declareCommand<[plan: string], ValidateOptions>({
  name: 'validate',
  description:
    'Check a plan against every preflight rule without running anything; print its units, waves and critical path.',
  arguments: [PLAN_ARGUMENT],
  options: [
    AGENT_COMMAND_OPTION,
    PREDICT_MAX_WORKERS_OPTION,
    CONFINEMENT_OPTION,
    WORKSPACE_OPTION,
    {
      flags: '--repo <dir>',
      description:
        'the checkout whose symlinks the allowed directories are judged through (default: the current directory)',
    },
    {
      flags: '--json',
      description:
        'print the verdict as JSON on stdout: {valid, problems: [{message, hints, kind, path, line, column}], notes, warnings, summary (when valid)}; exit 2 when refused',
    },
  ],
  examples: [
    'agent-fanout validate plan.yaml',
    `agent-fanout validate ralph-plan.json --agent-command '["claude","-p","{prompt_file}"]'`,
    'agent-fanout validate plan.yaml --json | jq -r \'.problems[] | "\\(.line):\\(.column) \\(.message)"\'',
  ],
  action: async ([plan], options, io) => (await import('../commands/validate')).run({ plan, ...options }, io),
});

export interface GraphOptions {
  readonly format: GraphFormat;
  readonly maxWorkers?: string;
  readonly workspace?: WorkspaceMode;
}

export const graphCommand = declareCommand<[plan: string], GraphOptions>({
  name: 'graph',
  description: 'Print the dependency graph with its predicted waves, as Mermaid or Graphviz DOT.',
  arguments: [PLAN_ARGUMENT],
  options: [
    { flags: '--format <format>', description: 'output format', choices: GRAPH_FORMATS, default: 'mermaid' },
    PREDICT_MAX_WORKERS_OPTION,
    WORKSPACE_OPTION,
  ],
  examples: [
    'agent-fanout graph plan.yaml > plan.mmd',
    'agent-fanout graph plan.yaml --format dot | dot -Tsvg > plan.svg',
  ],
  action: async ([plan], options, io) => (await import('../commands/graph')).run({ plan, ...options }, io),
});

export const schemaCommand = declareCommand<[], Record<string, never>>({
  name: 'schema',
  description: "Print the plan's JSON Schema, for editors and other tools.",
  examples: ['agent-fanout schema > agent-fanout-plan.schema.json'],
  action: async (_positionals, _options, io) => (await import('../commands/schema')).run({}, io),
});

export interface RunOptions extends ConnectionOptions, GitFlags {
  readonly repo?: string;
  readonly json?: boolean;
  readonly id?: string;
  readonly allowRerun?: boolean;
  readonly agentCommand?: string;
  readonly maxWorkers?: string;
  readonly confinement?: ConfinementMode;
  readonly embedded?: boolean;
}

export const runCommand = declareCommand<[plan: string], RunOptions>({
  name: 'run',
  description:
    'Run a plan: start the durable run, follow it, print the result. A worker must serve the task queue.',
  arguments: [PLAN_ARGUMENT],
  options: [
    {
      flags: '--repo <dir>',
      description:
        'the checkout the agents work in (default: the current directory); with --remote, a checkout to take the base from, used only when given',
    },
    JSON_RESULT_OPTION,
    { flags: '--id <workflow-id>', description: 'workflow id of the run (default: fanout-<name>-<hash>)' },
    {
      flags: '--allow-rerun',
      description: 'start even if a run with this --id has ended (one still running is never started twice)',
    },
    AGENT_COMMAND_OPTION,
    {
      flags: '--max-workers <n>',
      description: "most units running at once (default: the plan's max_workers)",
    },
    {
      flags: '--prefetch <n>',
      description:
        'start up to n units ahead of a free slot: each waits on its worker and starts the moment a unit of the run ends there, without a round trip to the server (shared checkout only; default 16, at most max_workers; 0: none)',
    },
    CONFINEMENT_OPTION,
    WORKSPACE_OPTION,
    ...GIT_OPTIONS,
    {
      flags: '--embedded',
      description:
        'start a local Temporal dev server and worker in this process for this run (state in .agent/)',
    },
  ],
  connection: true,
  examples: [
    'agent-fanout run plan.yaml --repo ~/src/app',
    'agent-fanout run plan.yaml --json --id nightly-codemod > result.json',
    'agent-fanout run plan.yaml --embedded          # no server needed',
    'agent-fanout run plan.yaml --workspace git --into main   # a branch per run; main moved when it succeeds',
    'agent-fanout run plan.yaml --workspace git --remote git@host:team/app.git --base main   # units on every host',
    'agent-fanout run plan.yaml --workspace git --remote /srv/git/app.git --repo . --host-loss-timeout 5m',
  ],
  action: async ([plan], options, io) => (await import('../commands/run')).run({ plan, ...options }, io),
});

export interface DemoOptions {
  readonly json?: boolean;
  readonly workspace?: GitFlags['workspace'];
}

export const demoCommand = declareCommand<[], DemoOptions>({
  name: 'demo',
  description:
    'Run the example plan (9 units, a diamond and a wide layer) with a demo agent in a scratch repo under .agent/demo, on a server started for it.',
  options: [
    { flags: '--json', description: 'print only the result (SPEC §5) on stdout' },
    {
      ...WORKSPACE_OPTION,
      description:
        'shared (default): one scratch checkout for all; git: a working tree per unit, ending as a branch',
    },
  ],
  examples: [
    'agent-fanout demo',
    'agent-fanout demo --workspace git',
    'npm start   # builds, then runs the demo',
  ],
  action: async (_positionals, options, io) => (await import('../commands/demo')).run(options, io),
});
