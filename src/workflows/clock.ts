/**
 * The one place workflow code reads time. Inside the workflow sandbox the SDK replaces `Date`
 * with the time of the current workflow task, recorded in history, so a replay reads the same
 * value: this is deterministic, unlike the host clock.
 */
export function workflowNowIso(): string {
  return new Date().toISOString();
}

export function workflowNowMs(): number {
  return new Date().getTime();
}
