/**
 * Riding out a server outage while a run is followed: the SDK's `result()` gives up after about
 * 20 s without a server, although the run itself goes on as soon as the server is back. Here the
 * wait for the result starts again with backoff for as long as the server is unreachable, and
 * the caller is told once when it went away and once when it answers again.
 */
import type { FanoutResult } from '../../plan/types';
import type { FanoutHandle } from '../fanout-client';
import { awaitResult } from '../fanout-client';

const FIRST_RETRY_MS = 1000;
const LONGEST_RETRY_MS = 15_000;

/** gRPC status codes of a server that cannot be reached or did not answer in time. */
const UNREACHABLE_CODES = new Set([4 /* DEADLINE_EXCEEDED */, 14 /* UNAVAILABLE */]);

/** True when `error` (or one of its causes) says the server could not be reached, not that it refused. */
export function isServerUnreachable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 6; depth += 1) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'number' && UNREACHABLE_CODES.has(code)) return true;
    if (
      /\b(UNAVAILABLE|DEADLINE_EXCEEDED|ECONNREFUSED|ECONNRESET|No connection established)\b/.test(
        current.message,
      )
    )
      return true;
    current = current.cause;
  }
  return false;
}

/** Says once that the server is unreachable and once that it answers again. */
export class ServerReachability {
  private unreachable = false;

  constructor(private readonly report: (line: string, reachable: boolean) => void) {}

  get isDown(): boolean {
    return this.unreachable;
  }

  down(): void {
    if (this.unreachable) return;
    this.unreachable = true;
    this.report('the Temporal server does not answer; the run goes on without us, retrying…', false);
  }

  up(): void {
    if (!this.unreachable) return;
    this.unreachable = false;
    this.report('the Temporal server answers again; following the run', true);
  }
}

/**
 * The run's result, waiting through outages of any length; rejects on any other error, or
 * resolves undefined once `signal` aborts (detach).
 */
export async function resultThroughOutages(
  handle: FanoutHandle,
  reachability: ServerReachability,
  signal?: AbortSignal,
): Promise<FanoutResult | undefined> {
  for (
    let retryMs = FIRST_RETRY_MS;
    signal?.aborted !== true;
    retryMs = Math.min(retryMs * 2, LONGEST_RETRY_MS)
  ) {
    try {
      const result = await awaitResult(handle);
      reachability.up();
      return result;
    } catch (error) {
      if (!isServerUnreachable(error)) throw error;
      reachability.down();
      await pause(retryMs, signal);
    }
  }
  return undefined;
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
