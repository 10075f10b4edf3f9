/**
 * The plan file of SPEC §1 as a zod schema: key names as written in plans (snake_case), each
 * default declared once, next to its key, with the key's documentation (which also reaches
 * editors through the JSON Schema, see `json-schema.ts`). Durations come out as {@link Duration}.
 *
 * Texts SPEC fixes are raised as custom issues marked `exact` (see `plan-issues.ts`); every other
 * message says what is wrong and how to fix it, and gets the field's path in front.
 */
import { z } from 'zod';
import { DURATION_PATTERN, MAX_DURATION_MS, durationMs, parseDuration } from './duration';
import {
  allowedDirectoryProblem,
  EMPTY_UNIT_ID_PROBLEM,
  MAX_WORKERS_LIMIT,
  unitIdProblem,
} from './field-rules';
import { showValue } from './messages';
import { directorySegments } from './overlap';
import { WORKSPACE_MODES, type Duration } from './types';

/** Marks a duration past the cap of SPEC §8.8; the param holds the value as written. */
export const DURATION_CAP = 'durationCap';

/** Marks an issue whose message is a text SPEC fixes, shown without the field's path. */
const EXACT_TEXT = { exact: true } as const;

type CheckContext = z.core.ParsePayload<unknown>;

function pushIssue(
  ctx: CheckContext,
  message: string,
  options: { exact?: boolean; path?: PropertyKey[] } = {},
) {
  ctx.issues.push({
    code: 'custom',
    message,
    input: ctx.value,
    ...(options.path ? { path: options.path } : {}),
    ...(options.exact ? { params: EXACT_TEXT } : {}),
  });
}

const DURATION_HINT = 'write it like 500ms, 30s, 5m or 2h, or as whole milliseconds';

function durationSchema(options: { allowZero: boolean }) {
  const error = (issue: { input?: unknown }) =>
    `${showValue(issue.input)} is not a duration; ${DURATION_HINT}`;
  return z
    .union(
      [
        z.string({ error }).regex(DURATION_PATTERN, { error }),
        z.number({ error }).int({ error }).min(0, { error }),
      ],
      {
        error,
      },
    )
    .check((ctx) => {
      const ms = durationMs(ctx.value);
      if (ms !== undefined && ms > MAX_DURATION_MS) {
        // plan-issues.ts words it with the field's path in front: `<field> must be at most 7d (got <raw>)`.
        ctx.issues.push({
          code: 'custom',
          message: `must be at most 7d (got ${String(ctx.value)})`,
          input: ctx.value,
          params: { [DURATION_CAP]: String(ctx.value) },
        });
      } else if (ms === 0 && !options.allowZero) {
        pushIssue(ctx, `must be longer than 0; ${DURATION_HINT}`);
      }
    })
    .transform((value): Duration => parseDuration(value) ?? { ms: 0, text: String(value) });
}

const limitDuration = () => durationSchema({ allowZero: false });
const delayDuration = () => durationSchema({ allowZero: true });

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const commandSchema = z
  .array(z.string(), { error: 'must be a list of strings: the program, then its arguments' })
  .min(1, { error: 'must name at least the program, e.g. ["claude", "-p", "{prompt_file}"]' })
  .check((ctx) => {
    if (ctx.value[0] === '') pushIssue(ctx, 'the program (first element) must not be empty', { path: [0] });
  });

const envSchema = z.record(
  z.string().regex(ENV_NAME, {
    error: (issue) =>
      `${showValue(issue.input)} is not a variable name; use letters, digits and _, not starting with a digit`,
  }),
  z.string({ error: (issue) => `must be a string; quote the value (${showValue(String(issue.input))})` }),
  {
    error: (issue) =>
      issue.code === 'invalid_type' ? 'must be an object of variable names to string values' : undefined,
  },
);

/** The retry keys; the plan-level `retry` declares their defaults, a unit's `retry` overrides any of them. */
const retryFields = {
  max_attempts: z.number().int().min(1).describe('Agent attempts per unit (the seed has no retries: 1).'),
  initial_interval: delayDuration().describe('Delay before the second attempt.'),
  backoff: z.number().min(1).describe('Each further delay is the previous one times this.'),
  max_interval: delayDuration().describe('Longest delay between attempts.'),
};

const unitIdSchema = z
  .string()
  .min(1, { error: EMPTY_UNIT_ID_PROBLEM })
  .check((ctx) => {
    const problem = unitIdProblem(ctx.value);
    if (problem !== undefined) pushIssue(ctx, problem, { exact: true });
  })
  .describe('The unit id, ^[a-zA-Z0-9_-]{1,64}$.');

const allowedDirectorySchema = z.string().check((ctx) => {
  const problem = allowedDirectoryProblem(ctx.value);
  if (problem !== undefined) pushIssue(ctx, problem, { exact: true });
});

const STEP_ID = /^S-[1-9][0-9]*$/;

const stepIdsSchema = z
  .array(
    z.string().regex(STEP_ID, {
      error: (issue) => `${showValue(issue.input)} is not a step id; write S-<positive integer>, like S-1`,
    }),
  )
  .check((ctx) => {
    ctx.value.forEach((stepId, index) => {
      if (ctx.value.indexOf(stepId) !== index)
        pushIssue(ctx, `'${stepId}' is listed twice; list each step id once`, { path: [index] });
    });
  });

export const unitSchema = z.strictObject(
  {
    unit_id: unitIdSchema,
    description: z
      .string()
      .min(1)
      .max(4096)
      .describe("What the unit must do: the agent's prompt (1 to 4096 characters)."),
    allowed_directories: z
      .array(allowedDirectorySchema)
      .prefault([])
      .describe(
        'Relative directories this unit may edit; disjoint from other units unless overlap is serialize.',
      ),
    dependencies: z.array(z.string()).prefault([]).describe('Ids of units that must succeed first.'),
    step_ids: stepIdsSchema
      .prefault([])
      .describe('Plan steps (S-<n>) this unit covers; carried into the manifest only.'),
    command: commandSchema.optional().describe("This unit's agent command, instead of agent.command."),
    env: envSchema.optional().describe('Environment for this unit, over agent.env.'),
    timeout: limitDuration().optional().describe('Overrides agent.timeout for this unit.'),
    idle_timeout: limitDuration().optional().describe('Overrides agent.idle_timeout for this unit.'),
    retry: z
      .strictObject(retryFields)
      .partial()
      .optional()
      .describe("Overrides the plan's retry, key by key."),
  },
  {
    error: (issue) =>
      issue.code === 'invalid_type'
        ? 'must be an object with unit_id, description and allowed_directories'
        : undefined,
  },
);

const namespaceRootSchema = z.string().check((ctx) => {
  const segments = directorySegments(ctx.value);
  const hint = 'give a relative directory inside the repo, like .agent/workers';
  if (
    ctx.value.includes('\\') ||
    ctx.value.startsWith('/') ||
    segments.includes('..') ||
    segments.length === 0
  ) {
    pushIssue(ctx, `${showValue(ctx.value)} is not a usable directory; ${hint}`);
  } else if (segments[0] === '.git' || segments[0] === '.worktrees') {
    pushIssue(ctx, `${segments[0]} is reserved; ${hint}`);
  }
});

const agentSchema = z
  .strictObject({
    command: commandSchema
      .optional()
      .describe('Default agent argv template; required unless every unit has a command.'),
    env: envSchema.prefault({}).describe('Extra environment for every agent.'),
    timeout: limitDuration().prefault('2h').describe('Wall-clock limit of one attempt.'),
    idle_timeout: limitDuration()
      .prefault('30m')
      .describe('An attempt that prints nothing for this long is killed.'),
    grace: delayDuration()
      .prefault('2s')
      .describe("SIGTERM to SIGKILL grace when stopping an agent's process group."),
    writable: z
      .array(z.string().min(1))
      .optional()
      .describe('Repo-relative paths every agent may also write (not .git, a namespace or a unit area).'),
  })
  .describe('How agents are started and stopped.');

const retrySchema = z
  .strictObject({
    max_attempts: retryFields.max_attempts.prefault(1),
    initial_interval: retryFields.initial_interval.prefault('10s'),
    backoff: retryFields.backoff.prefault(2),
    max_interval: retryFields.max_interval.prefault('10m'),
  })
  .describe('Agent retries: a failed attempt is tried again after a growing delay.');

const evidenceSchema = z
  .strictObject({
    pattern: z
      .string()
      .min(1)
      .regex(/^[^/]*$/, { error: 'matches file names directly in artifacts/, so it cannot contain /' })
      .prefault('*')
      .describe('Glob for the files in artifacts/ that count as evidence.'),
  })
  .describe("What counts as a unit's evidence of work.");

export const planSchema = z.object({
  name: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Shown in the UI and used in the default workflow id. Default: the file name.'),
  max_workers: z
    .number()
    .int()
    .min(1)
    .max(MAX_WORKERS_LIMIT)
    .prefault(8)
    .describe('Most units running at once (1 to 256).'),
  on_failure: z
    .enum(['cancel', 'drain', 'continue'])
    .prefault('cancel')
    .describe('What a failed unit does to the others.'),
  overlap: z
    .enum(['reject', 'serialize'])
    .prefault('reject')
    .describe('Reject overlapping edit areas, or accept them and never run them at once.'),
  confinement: z
    .enum(['landlock', 'audit', 'off'])
    .optional()
    .describe('How agents are held to their areas: Linux Landlock (default), audit only, or off.'),
  workspace: z
    .enum(WORKSPACE_MODES)
    .optional()
    .describe(
      'Where units work: one shared checkout (default), or git: a working tree of its own per unit, the run ending as a branch.',
    ),
  host_loss_timeout: limitDuration()
    .optional()
    .describe(
      'With --remote: how long an agent on a host that went silent is waited for before its attempt starts over on another host (default 10m).',
    ),
  agent: agentSchema.prefault({}),
  retry: retrySchema.prefault({}),
  evidence: evidenceSchema.prefault({}),
  namespace_root: namespaceRootSchema
    .prefault('.agent/workers')
    .describe('Where unit namespaces live, under the repo.'),
  work_units: z.array(unitSchema).describe('The units; an empty list is a valid plan.'),
});

/** A plan file after parsing: defaults applied, durations parsed, still snake_case. */
export type PlanFile = z.output<typeof planSchema>;
export type UnitFile = z.output<typeof unitSchema>;

/** The top-level keys a plan may have; any other is ignored with one warning (SPEC §1). */
export const PLAN_KEYS: readonly string[] = Object.keys(planSchema.shape);

/** The keys a unit may have; any other is an error (SPEC §1). */
export const UNIT_KEYS: readonly string[] = Object.keys(unitSchema.shape);

/** The keys of the nested objects, by the key that holds them, for "unknown key" messages. */
export const NESTED_KEYS: Readonly<Record<string, readonly string[]>> = {
  agent: Object.keys(agentSchema.shape),
  retry: Object.keys(retryFields),
  evidence: Object.keys(evidenceSchema.shape),
};
