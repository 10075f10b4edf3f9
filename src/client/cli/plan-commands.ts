/** The commands that read a plan: `validate`, `graph`, `schema`, `run` and `demo`. */
import { GRAPH_FORMATS, type GraphFormat } from '../../plan/graph-render';
import { CONFINEMENT_MODES, type ConfinementMode } from '../../plan/types';
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
}

export const graphCommand = declareCommand<[plan: string], GraphOptions>({
  name: 'graph',
  description: 'Print the dependency graph with its predicted waves, as Mermaid or Graphviz DOT.',
  arguments: [PLAN_ARGUMENT],
  options: [
    { flags: '--format <format>', description: 'output format', choices: GRAPH_FORMATS, default: 'mermaid' },
    PREDICT_MAX_WORKERS_OPTION,
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

export interface RunOptions extends ConnectionOptions {
  readonly repo: string;
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
    { flags: '--repo <dir>', description: 'the checkout the agents work in', default: '.' },
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
    CONFINEMENT_OPTION,
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
  ],
  action: async ([plan], options, io) => (await import('../commands/run')).run({ plan, ...options }, io),
});

export interface DemoOptions {
  readonly json?: boolean;
}

export const demoCommand = declareCommand<[], DemoOptions>({
  name: 'demo',
  description:
    'Run the example plan (9 units, a diamond and a wide layer) with a demo agent in a scratch repo under .agent/demo, on a server started for it.',
  options: [{ flags: '--json', description: 'print only the result (SPEC §5) on stdout' }],
  examples: ['agent-fanout demo', 'npm start   # builds, then runs the demo'],
  action: async (_positionals, options, io) => (await import('../commands/demo')).run(options, io),
});
