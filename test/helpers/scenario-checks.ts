/**
 * The checks of the scenarios README (§3): event lists, event constraints, standing invariants,
 * unit fields. Each returns a list of problems; an empty list means the check passed.
 */

export interface ScenarioEvent {
  readonly type: string;
  readonly unit_id?: string;
  readonly exit_code?: number;
  readonly error?: string;
  readonly [key: string]: unknown;
}

export interface ScenarioUnitExpectation {
  readonly status?: string;
  readonly exit_code?: number | null;
  readonly error?: string | null;
  readonly attempts?: number;
  readonly artifacts?: readonly { name: string; size: number; sha256: string }[];
}

const KEPT_TYPES = new Set([
  'fan_out_started',
  'worker_started',
  'worker_completed',
  'worker_failed',
  'all_workers_complete',
]);

export function keptEvents(events: readonly ScenarioEvent[]): ScenarioEvent[] {
  return events.filter((event) => KEPT_TYPES.has(event.type));
}

/** Expected events compared key by key; extra keys of the actual event are ignored. */
export function checkEventList(
  actual: readonly ScenarioEvent[],
  expected: readonly ScenarioEvent[],
): string[] {
  const problems: string[] = [];
  if (actual.length !== expected.length)
    problems.push(`expected ${expected.length} events, got ${actual.length}`);
  expected.forEach((want, index) => {
    const got = actual[index];
    if (got === undefined) return;
    for (const [key, value] of Object.entries(want)) {
      if (JSON.stringify(got[key]) !== JSON.stringify(value)) {
        problems.push(
          `event ${index}: ${key} is ${JSON.stringify(got[key])}, expected ${JSON.stringify(value)}`,
        );
      }
    }
  });
  return problems;
}

function refMatcher(ref: string): (event: ScenarioEvent) => boolean {
  if (ref === 'STARTED') return (e) => e.type === 'fan_out_started';
  if (ref === 'ALL') return (e) => e.type === 'all_workers_complete';
  const match = /^([SCFT])\((.+)\)$/.exec(ref);
  if (match === null) throw new Error(`bad constraint reference ${ref}`);
  const [, kind, id] = match;
  const types: Record<string, string[]> = {
    S: ['worker_started'],
    C: ['worker_completed'],
    F: ['worker_failed'],
    T: ['worker_completed', 'worker_failed'],
  };
  return (e) => e.unit_id === id && (types[kind as string] ?? []).includes(e.type);
}

function firstIndex(events: readonly ScenarioEvent[], ref: string): number {
  return events.findIndex(refMatcher(ref));
}

export function checkConstraint(events: readonly ScenarioEvent[], constraint: string): string | undefined {
  const words = constraint.trim().split(/\s+/);
  const fail = (why: string): string => `constraint "${constraint}": ${why}`;
  if (words.length === 3 && (words[1] === 'before' || words[1] === 'after')) {
    const [a, b] = words[1] === 'before' ? [words[0], words[2]] : [words[2], words[0]];
    const ia = firstIndex(events, a as string);
    const ib = firstIndex(events, b as string);
    if (ia < 0 || ib < 0) return fail(`${ia < 0 ? a : b} matches no event`);
    return ia < ib ? undefined : fail(`${a} at ${ia} is not before ${b} at ${ib}`);
  }
  if (words[0] === 'no' && words.length === 2) {
    return firstIndex(events, words[1] as string) < 0 ? undefined : fail('an event matches');
  }
  if (words[0] === 'max_running' && words.length === 2) {
    const limit = Number(words[1]);
    const running = new Set<string>();
    for (const event of events) {
      if (event.type === 'worker_started') running.add(event.unit_id as string);
      if (event.type === 'worker_completed' || event.type === 'worker_failed')
        running.delete(event.unit_id as string);
      if (running.size > limit) return fail(`${running.size} running at once`);
    }
    return undefined;
  }
  if (words[0] === 'starts') {
    const started = events.filter((e) => e.type === 'worker_started').map((e) => e.unit_id);
    const want = words.slice(1);
    return JSON.stringify(started) === JSON.stringify(want)
      ? undefined
      : fail(`starts were ${started.join(' ')}`);
  }
  if (words[0] === 'prefix') {
    const refs = words.slice(1);
    if (events.length < refs.length) return fail('too few events');
    const bad = refs.findIndex((ref, i) => !refMatcher(ref)(events[i] as ScenarioEvent));
    return bad < 0 ? undefined : fail(`event ${bad} does not match ${refs[bad]}`);
  }
  throw new Error(`unknown constraint ${constraint}`);
}

/** README §3.3: the standing invariants of every accepted plan. */
export function checkInvariants(
  events: readonly ScenarioEvent[],
  planUnitIds: readonly string[],
  expectedUnits: Readonly<Record<string, ScenarioUnitExpectation>>,
  status: string,
): string[] {
  const problems: string[] = [];
  if (events[0]?.type !== 'fan_out_started') problems.push('first event is not fan_out_started');
  const known = new Set(planUnitIds);
  for (const event of events) {
    if (event.unit_id !== undefined && !known.has(event.unit_id))
      problems.push(`event names unknown unit ${event.unit_id}`);
  }
  for (const id of planUnitIds) {
    const terminals = events.filter(
      (e) => e.unit_id === id && (e.type === 'worker_completed' || e.type === 'worker_failed'),
    );
    const starts = events.filter((e) => e.unit_id === id && e.type === 'worker_started');
    if (terminals.length !== 1) problems.push(`unit ${id} has ${terminals.length} terminal events`);
    if (starts.length > 1) problems.push(`unit ${id} started ${starts.length} times`);
    if (
      starts.length === 1 &&
      terminals.length === 1 &&
      events.indexOf(starts[0] as ScenarioEvent) > events.indexOf(terminals[0] as ScenarioEvent)
    ) {
      problems.push(`unit ${id} ends before it starts`);
    }
    const want = expectedUnits[id];
    if (want?.status !== undefined) {
      const neverStarted = want.status === 'BLOCKED' || want.status === 'SKIPPED';
      if (neverStarted !== (starts.length === 0))
        problems.push(`unit ${id} (${want.status}) has ${starts.length} starts`);
      const terminal = terminals[0];
      if (terminal !== undefined) {
        if (
          want.status === 'SUCCEEDED' &&
          (terminal.type !== 'worker_completed' || terminal.exit_code !== 0)
        ) {
          problems.push(`unit ${id} SUCCEEDED but its terminal event is ${terminal.type}`);
        }
        if (want.status !== 'SUCCEEDED') {
          if (terminal.type !== 'worker_failed')
            problems.push(`unit ${id} ${want.status} but ended with ${terminal.type}`);
          if (want.error !== undefined && terminal.error !== want.error)
            problems.push(`unit ${id} event error ${terminal.error}`);
          if (want.exit_code !== undefined && terminal.exit_code !== want.exit_code)
            problems.push(`unit ${id} event exit ${terminal.exit_code}`);
        }
      }
    }
  }
  const allIndex = events.findIndex((e) => e.type === 'all_workers_complete');
  if (allIndex >= 0 !== (status === 'succeeded'))
    problems.push(`all_workers_complete present=${allIndex >= 0} with status ${status}`);
  if (allIndex >= 0 && allIndex !== events.length - 1) problems.push('all_workers_complete is not last');
  return problems;
}

export function checkUnits(
  actual: Readonly<Record<string, Record<string, unknown>>>,
  expected: Readonly<Record<string, ScenarioUnitExpectation>>,
): string[] {
  const problems: string[] = [];
  for (const [id, want] of Object.entries(expected)) {
    const got = actual[id];
    if (got === undefined) {
      problems.push(`unit ${id} missing from the result`);
      continue;
    }
    for (const key of ['status', 'exit_code', 'error', 'attempts'] as const) {
      if (want[key] !== undefined && JSON.stringify(got[key]) !== JSON.stringify(want[key])) {
        problems.push(
          `unit ${id}: ${key} is ${JSON.stringify(got[key])}, expected ${JSON.stringify(want[key])}`,
        );
      }
    }
    if (want.artifacts !== undefined) {
      const key = (a: { name: string; size: number; sha256: string }): string =>
        `${a.name}|${a.size}|${a.sha256}`;
      const gotSet = ((got.artifacts as { name: string; size: number; sha256: string }[]) ?? [])
        .map(key)
        .sort();
      const wantSet = want.artifacts.map(key).sort();
      if (JSON.stringify(gotSet) !== JSON.stringify(wantSet))
        problems.push(`unit ${id}: artifacts ${gotSet.join(', ')}`);
    }
  }
  return problems;
}
