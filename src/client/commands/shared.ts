/** Output helpers every command uses the same way. */
import type { CommandIo } from '../io';

/** Warnings go to stderr, so stdout stays machine-readable (SPEC §7.16). */
export function printWarnings(warnings: readonly string[], io: CommandIo): void {
  for (const warning of warnings) io.stderr.write(`warning: ${warning}\n`);
}
