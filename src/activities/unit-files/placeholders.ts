/**
 * Placeholder substitution in the agent's argv (SPEC §1): each of the eight `{name}`s is replaced
 * literally, also inside a longer argument, in one pass (a substituted value is never scanned
 * again). No shell is ever involved; validation has already rejected unknown names.
 */

import { PLACEHOLDER_NAMES, type PlaceholderName } from '../../plan/placeholders';

/** The value of each of the eight placeholders for one attempt. */
export type PlaceholderValues = Readonly<Record<PlaceholderName, string>>;

const PLACEHOLDER = new RegExp(`\\{(${PLACEHOLDER_NAMES.join('|')})\\}`, 'g');

export function substitutePlaceholders(template: readonly string[], values: PlaceholderValues): string[] {
  return template.map((arg) => arg.replace(PLACEHOLDER, (_match, name: PlaceholderName) => values[name]));
}
