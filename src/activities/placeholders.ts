/**
 * Placeholder substitution in the agent's argv (SPEC §1): each of the eight `{name}`s is replaced
 * literally, also inside a longer argument, in one pass (a substituted value is never scanned
 * again). No shell is ever involved; validation has already rejected unknown names.
 */

export interface PlaceholderValues {
  readonly unit_id: string;
  readonly description: string;
  readonly prompt_file: string;
  readonly namespace: string;
  readonly artifact_dir: string;
  readonly manifest: string;
  readonly attempt: string;
  readonly repo: string;
}

export const PLACEHOLDER_NAMES: readonly (keyof PlaceholderValues)[] = [
  'unit_id',
  'description',
  'prompt_file',
  'namespace',
  'artifact_dir',
  'manifest',
  'attempt',
  'repo',
];

const PLACEHOLDER = new RegExp(`\\{(${PLACEHOLDER_NAMES.join('|')})\\}`, 'g');

export function substitutePlaceholders(template: readonly string[], values: PlaceholderValues): string[] {
  return template.map((arg) =>
    arg.replace(PLACEHOLDER, (_match, name: keyof PlaceholderValues) => values[name]),
  );
}
