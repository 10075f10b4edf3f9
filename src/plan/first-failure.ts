/** Runs checks in order and returns the first failure message: "the first failure wins" (SPEC §2). */
export function firstFailure(checks: readonly (() => string | undefined)[]): string | undefined {
  for (const check of checks) {
    const message = check();
    if (message !== undefined) return message;
  }
  return undefined;
}
