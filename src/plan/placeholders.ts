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

/** Each `{name}` in the command that is not a placeholder, once, with the element it is in first. */
export function unknownPlaceholders(command: readonly string[]): { name: string; index: number }[] {
  const found = new Map<string, number>();
  command.forEach((element, index) => {
    for (const match of element.matchAll(PLACEHOLDER_TOKEN)) {
      const name = match[1] ?? '';
      if (!isPlaceholderName(name) && !found.has(name)) found.set(name, index);
    }
  });
  return [...found].map(([name, index]) => ({ name, index }));
}
