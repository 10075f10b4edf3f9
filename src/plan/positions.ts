/**
 * Where a value sits in the plan text, by its path: the line and column of the YAML (or JSON,
 * which YAML 1.2 reads as well) node, from the `yaml` library's node ranges. For a key that is
 * missing, the object that lacks it; for an unknown key, the key itself.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { TextPosition } from './parse';
import type { PlanPath } from './rule-problem';

export type PositionFinder = (path: PlanPath, atKey?: boolean) => TextPosition | undefined;

/** A finder over `text` (the plan as parsed, without a byte-order mark). */
export function positionFinder(text: string): PositionFinder {
  const lineCounter = new LineCounter();
  // Duplicate keys are allowed so a JSON plan (where the last one wins) still gets positions.
  const document = parseDocument(text, { lineCounter, uniqueKeys: false });
  return (path, atKey = false) => {
    const offset = offsetOf(document, path, atKey);
    if (offset === undefined) return undefined;
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
}

function offsetOf(document: Document, path: PlanPath, atKey: boolean): number | undefined {
  let node: unknown = document.contents;
  let offset = rangeStart(node);
  for (const [depth, segment] of path.entries()) {
    if (isAlias(node)) node = node.resolve(document);
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (pair === undefined) break;
      const last = depth === path.length - 1;
      next = (last && atKey) || rangeStart(pair.value) === undefined ? pair.key : pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      next = node.items[segment];
    }
    const start = rangeStart(next);
    if (start === undefined) break;
    node = next;
    offset = start;
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: readonly number[] } | null | undefined)?.range;
  return range?.[0];
}
