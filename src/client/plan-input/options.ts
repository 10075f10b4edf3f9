/** Command-line values that need more than commander's parsing, each refused with a usage error. */
import { MAX_WORKERS_LIMIT } from '../../plan/field-rules';
import { UsageError } from '../errors';

/** `--agent-command '<JSON array>'` (SPEC §7.9). */
export function parseAgentCommandOption(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  const isCommand =
    Array.isArray(parsed) &&
    parsed.length > 0 &&
    parsed.every((element) => typeof element === 'string') &&
    parsed[0] !== '';
  if (!isCommand) {
    throw new UsageError(
      `--agent-command must be a JSON array of strings, program first, like --agent-command '["claude","-p","{prompt_file}"]' (got ${value})`,
    );
  }
  return parsed as string[];
}

/** `--max-workers <n>`, the same range as the plan's `max_workers`. */
export function parseMaxWorkersOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(number >= 1 && number <= MAX_WORKERS_LIMIT)) {
    throw new UsageError(`--max-workers must be an integer from 1 to ${MAX_WORKERS_LIMIT} (got '${value}')`);
  }
  return number;
}

/** `--prefetch <n>`: units that may wait on a worker for a slot, 0 (none) up to the `max_workers` limit. */
export function parsePrefetchOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(number >= 0 && number <= MAX_WORKERS_LIMIT)) {
    throw new UsageError(
      `--prefetch must be an integer from 0 to ${MAX_WORKERS_LIMIT}, like --prefetch 8 (got '${value}')`,
    );
  }
  return number;
}
