/**
 * A run's chain of executions and what the server holds for it: a run that continues as new is
 * one workflow id with several executions (first run id, then each close event's
 * `workflowExecutionContinuedAsNewEventAttributes.newExecutionRunId` up to the last execution).
 * A run that never continued as new is a chain of one.
 *
 * Per chain: the executions, the events of the longest one, all events, the largest single
 * Payload (`data` + `metadata` keys and values) anywhere in any event, and the largest encoded
 * event. Two limits of Temporal's apply, checked by {@link limitViolations}: no execution above
 * {@link MAX_EVENTS_PER_EXECUTION} events, no payload above {@link MAX_PAYLOAD_BYTES}.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { History } from './history';

/** Continue as new before this many events (Temporal warns at 10,240 by default). */
export const MAX_EVENTS_PER_EXECUTION = 10_240;
/** 2 MB per payload, Temporal's default blob size error limit (2 MiB). */
export const MAX_PAYLOAD_BYTES = 2 * 1024 * 1024;

/** Stop walking a chain after this many executions (a loop would be a bug in the workflow). */
const MAX_EXECUTIONS = 1000;
/** Events per history page at first; the server's default is 1,000. */
const FIRST_PAGE_SIZE = 1000;

type HistoryEvent = NonNullable<History['events']>[number];

export interface Execution {
  readonly runId: string;
  readonly history: History;
  /** DescribeWorkflowExecution's history size of this execution; NaN when unknown. */
  readonly historyBytes: number;
}

/**
 * Every execution of the chain that starts with `firstRunId`, in order. Without `firstRunId`, the
 * chain of the workflow id's latest execution (its `firstRunId`, from DescribeWorkflowExecution).
 */
export async function fetchChain(
  client: Client,
  workflowId: string,
  firstRunId?: string,
  /** Told when a history page had to be asked again with fewer events. */
  onSmallerPage?: (message: string) => void,
): Promise<Execution[]> {
  const executions: Execution[] = [];
  let runId: string | undefined = firstRunId;
  if (runId === undefined) {
    const latest = await client.workflow.getHandle(workflowId).describe();
    runId = latest.raw.workflowExecutionInfo?.firstRunId || latest.runId;
  }
  while (runId !== undefined) {
    if (executions.length >= MAX_EXECUTIONS)
      throw new Error(`${workflowId}: more than ${MAX_EXECUTIONS} executions in its chain`);
    const handle = client.workflow.getHandle(workflowId, runId);
    const history = await fetchHistory(client, workflowId, runId, onSmallerPage);
    const historyBytes = await handle.describe().then(
      (description) => description.historySize ?? Number.NaN,
      () => Number.NaN,
    );
    executions.push({ runId, history, historyBytes });
    runId = nextRunId(history);
  }
  return executions;
}

function isTooLarge(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 8 || (typeof message === 'string' && message.includes('RESOURCE_EXHAUSTED'));
}

/**
 * One execution's history, page by page like `WorkflowHandle.fetchHistory`, but a page larger
 * than the client may receive (4 MiB: e.g. 1,000 events among which a few carry a plan of 10,000
 * units) is asked again with a tenth of the events, down to one event per page.
 */
export async function fetchHistory(
  client: Client,
  workflowId: string,
  runId: string,
  onSmallerPage?: (message: string) => void,
): Promise<History> {
  const events: NonNullable<History['events']> = [];
  let nextPageToken: Uint8Array | undefined;
  let maximumPageSize = FIRST_PAGE_SIZE;
  for (;;) {
    let response;
    try {
      response = await client.workflowService.getWorkflowExecutionHistory({
        namespace: client.options.namespace,
        execution: { workflowId, runId },
        ...(nextPageToken === undefined ? {} : { nextPageToken }),
        maximumPageSize,
      });
    } catch (error) {
      if (!isTooLarge(error) || maximumPageSize === 1) throw error;
      const smaller = Math.max(1, Math.floor(maximumPageSize / 10));
      onSmallerPage?.(
        `${workflowId}/${runId}: a page of ${maximumPageSize} events from event ${events.length + 1} is too large ` +
          `(${error instanceof Error ? error.message : String(error)}); asking ${smaller} at a time`,
      );
      maximumPageSize = smaller;
      continue;
    }
    events.push(...(response.history?.events ?? []));
    const token = response.nextPageToken;
    if (token === null || token === undefined || token.length === 0) break;
    nextPageToken = token;
  }
  return temporal.api.history.v1.History.create({ events });
}

/** The first run id of a handle made by `client.workflow.start` (typed away by `startRun`), if any. */
export function firstRunIdOf(handle: object): string | undefined {
  const id = (handle as { firstExecutionRunId?: unknown }).firstExecutionRunId;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** The run id an execution continued as new into, if it did. */
export function nextRunId(history: History): string | undefined {
  const events = history.events ?? [];
  const last = events[events.length - 1];
  const next = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
  return next === null || next === undefined || next === '' ? undefined : next;
}

function typeName(event: HistoryEvent): string {
  const key = Object.keys(event).find(
    (name) => name.endsWith('EventAttributes') && event[name as keyof HistoryEvent] != null,
  );
  return key === undefined
    ? 'Unknown'
    : key.charAt(0).toUpperCase() + key.slice(1, -'EventAttributes'.length);
}

/** Where something was found: execution index in the chain (from 0), event id, event type. */
export interface Located {
  readonly bytes: number;
  readonly execution: number;
  readonly eventId: number;
  readonly eventType: string;
  /** For a payload: its path inside the event, e.g. `workflowExecutionStartedEventAttributes.input.payloads[0]`. */
  readonly path?: string;
}

export interface ChainFacts {
  readonly executions: number;
  readonly runIds: readonly string[];
  readonly eventsPerExecution: readonly number[];
  readonly maxEventsInExecution: number;
  readonly totalEvents: number;
  /** Sum of the executions' history sizes (DescribeWorkflowExecution). */
  readonly historyBytes: number;
  readonly maxHistoryBytesInExecution: number;
  readonly largestPayload: Located | null;
  readonly largestEvent: Located | null;
  /**
   * Set when the run's result (or the failure's details) points to a file on the worker host
   * instead of carrying events and units: what the close event's payload says.
   */
  readonly resultFile?: { readonly path: string; readonly sha256?: string; readonly payloadBytes: number };
}

function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

/** A Payload's size: data plus metadata keys and values; undefined for anything else. */
export function payloadBytes(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null || isBytes(value)) return undefined;
  const candidate = value as { data?: unknown; metadata?: unknown };
  const metadata = candidate.metadata;
  const hasMetadata =
    typeof metadata === 'object' &&
    metadata !== null &&
    !isBytes(metadata) &&
    Object.values(metadata).length > 0 &&
    Object.values(metadata).every(isBytes);
  if (!isBytes(candidate.data) && !hasMetadata) return undefined;
  let bytes = isBytes(candidate.data) ? candidate.data.length : 0;
  if (hasMetadata)
    for (const [key, item] of Object.entries(metadata as Record<string, Uint8Array>))
      bytes += Buffer.byteLength(key) + item.length;
  return bytes;
}

/** Calls `found` for every Payload-like object inside `value`, with its path. */
export function walkPayloads(
  value: unknown,
  path: string,
  found: (bytes: number, path: string, payload: object) => void,
): void {
  if (typeof value !== 'object' || value === null || isBytes(value)) return;
  const bytes = payloadBytes(value);
  if (bytes !== undefined) {
    found(bytes, path, value);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => walkPayloads(item, `${path}[${index}]`, found));
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (item === null || typeof item !== 'object') continue;
    // protobuf int64 (Long): not a container.
    if ('low' in item && 'high' in item) continue;
    walkPayloads(item, path === '' ? key : `${path}.${key}`, found);
  }
}

function encodedBytes(event: HistoryEvent): number {
  try {
    return temporal.api.history.v1.HistoryEvent.encode(event).finish().length;
  } catch {
    return Number.NaN;
  }
}

function eventIdOf(event: HistoryEvent): number {
  const id = event.eventId as unknown;
  if (typeof id === 'number') return id;
  if (typeof id === 'object' && id !== null && 'toNumber' in id)
    return (id as { toNumber(): number }).toNumber();
  return Number.NaN;
}

/** `result_file` (and `result_sha256`) of a JSON payload of the close event, if any. */
function resultFileOf(payload: object, bytes: number): ChainFacts['resultFile'] | undefined {
  const data = (payload as { data?: unknown }).data;
  if (!isBytes(data)) return undefined;
  try {
    const value = JSON.parse(Buffer.from(data).toString('utf8')) as {
      result_file?: unknown;
      result_sha256?: unknown;
    };
    if (typeof value !== 'object' || value === null || typeof value.result_file !== 'string')
      return undefined;
    return {
      path: value.result_file,
      ...(typeof value.result_sha256 === 'string' ? { sha256: value.result_sha256 } : {}),
      payloadBytes: bytes,
    };
  } catch {
    return undefined;
  }
}

export function chainFacts(executions: readonly Execution[]): ChainFacts {
  let largestPayload: Located | null = null;
  let largestEvent: Located | null = null;
  let resultFile: ChainFacts['resultFile'];
  const eventsPerExecution = executions.map((execution) => (execution.history.events ?? []).length);
  executions.forEach((execution, index) => {
    const events = execution.history.events ?? [];
    events.forEach((event, position) => {
      const eventType = typeName(event);
      const eventId = eventIdOf(event);
      const size = encodedBytes(event);
      if (largestEvent === null || size > largestEvent.bytes)
        largestEvent = { bytes: size, execution: index, eventId, eventType };
      const isClose = index === executions.length - 1 && position === events.length - 1;
      walkPayloads(event, '', (bytes, path, payload) => {
        if (largestPayload === null || bytes > largestPayload.bytes)
          largestPayload = { bytes, execution: index, eventId, eventType, path };
        if (isClose) resultFile ??= resultFileOf(payload, bytes);
      });
    });
  });
  const historyBytes = executions.map((execution) => execution.historyBytes);
  return {
    executions: executions.length,
    runIds: executions.map((execution) => execution.runId),
    eventsPerExecution,
    maxEventsInExecution: Math.max(0, ...eventsPerExecution),
    totalEvents: eventsPerExecution.reduce((sum, count) => sum + count, 0),
    historyBytes: historyBytes.reduce((sum, bytes) => sum + bytes, 0),
    maxHistoryBytesInExecution: Math.max(0, ...historyBytes),
    largestPayload,
    largestEvent,
    ...(resultFile === undefined ? {} : { resultFile }),
  };
}

/** What breaks Temporal's limits, in words; empty when nothing does. */
export function limitViolations(facts: ChainFacts, label = 'run'): string[] {
  const problems: string[] = [];
  facts.eventsPerExecution.forEach((count, index) => {
    if (count > MAX_EVENTS_PER_EXECUTION)
      problems.push(
        `${label}: execution ${index + 1} of ${facts.executions} has ${count} events (> ${MAX_EVENTS_PER_EXECUTION})`,
      );
  });
  const payload = facts.largestPayload;
  if (payload !== null && payload.bytes > MAX_PAYLOAD_BYTES)
    problems.push(
      `${label}: a payload of ${payload.bytes} bytes (> ${MAX_PAYLOAD_BYTES}) in execution ${payload.execution + 1}, event ${payload.eventId} ${payload.eventType} (${payload.path ?? ''})`,
    );
  return problems;
}
