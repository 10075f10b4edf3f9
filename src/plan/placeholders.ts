/**
 * Command placeholders (SPEC §1), as validation sees them: a `{name}` whose name is a word
 * (letters, digits, `_`, `.`, `-`) must be one of the eight; other braces (`{"key": 1}`, `{}`) are
 * plain text. The activity replaces the eight (`src/activities/unit-files/placeholders.ts`).
 */

export const PLACEHOLDER_NAMES = [
  'unit_id',
  'description',
  'prompt_file',
  'namespace',
  'artifact_dir',
  'manifest',
  'attempt',
  'repo',
] as const;

export type PlaceholderName = (typeof PLACEHOLDER_NAMES)[number];

const PLACEHOLDER_TOKEN = /\{([A-Za-z_][A-Za-z0-9_.-]*)\}/g;

export function isPlaceholderName(name: string): name is PlaceholderName {
  return (PLACEHOLDER_NAMES as readonly string[]).includes(name);
}

/** The name of the first `{name}` in the command that is not a placeholder, if any. */
export function firstUnknownPlaceholder(command: readonly string[]): string | undefined {
  for (const element of command) {
    for (const match of element.matchAll(PLACEHOLDER_TOKEN)) {
      const name = match[1] ?? '';
      if (!isPlaceholderName(name)) return name;
    }
  }
  return undefined;
}
