/**
 * Plan text to a plain value: JSON or YAML, chosen by the file's extension, else by its first
 * character. Syntax errors name the line and column; a text that is not an object is refused.
 */
import { parseDocument } from 'yaml';
import { jsonErrorOffset } from './json-error-offset';

export type PlanSyntax = 'json' | 'yaml';

export type ParsedPlanText =
  | { readonly ok: true; readonly value: Readonly<Record<string, unknown>> }
  | {
      readonly ok: false;
      readonly message: string;
      /** Where the syntax breaks (1-based), when the parser says. */
      readonly position?: TextPosition;
    };

/** A place in the plan text, both counted from 1. */
export interface TextPosition {
  readonly line: number;
  readonly column: number;
}

export function planSyntaxOf(text: string, fileName?: string): PlanSyntax {
  const extension = /\.([^./\\]+)$/.exec(fileName ?? '')?.[1]?.toLowerCase();
  if (extension === 'json') return 'json';
  if (extension === 'yaml' || extension === 'yml') return 'yaml';
  return /^\s*[{[]/.test(text) ? 'json' : 'yaml';
}

/** `fileName` only picks the syntax and names the file in messages. */
export function parsePlanText(text: string, fileName = 'the plan'): ParsedPlanText {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const syntax = planSyntaxOf(source, fileName);
  const parsed = syntax === 'json' ? parseJson(source) : parseYaml(source);
  if (!parsed.ok)
    return {
      ok: false,
      message: oneLine(`${fileName} is not valid ${syntax.toUpperCase()}: ${parsed.problem}`),
      ...(parsed.position ? { position: parsed.position } : {}),
    };
  return asPlanObject(parsed.value, fileName);
}

type SyntaxResult = { ok: true; value: unknown } | { ok: false; problem: string; position?: TextPosition };

function parseJson(text: string): SyntaxResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const reason = String((error as Error).message)
      .replace(/, (?:\.\.\.)?".*" is not valid JSON$/s, '')
      .replace(/ in JSON at position \d+.*$/s, '');
    const offset = jsonErrorOffset(text);
    if (offset === undefined) return { ok: false, problem: reason };
    const position = positionOfOffset(text, offset);
    return {
      ok: false,
      problem: `${reason} at line ${position.line}, column ${position.column}`,
      position,
    };
  }
}

function parseYaml(text: string): SyntaxResult {
  const document = parseDocument(text, { prettyErrors: true });
  const [error] = document.errors;
  if (!error) return yamlValue(document);
  const where = error.linePos?.[0];
  const reason = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
  if (!where) return { ok: false, problem: reason };
  return {
    ok: false,
    problem: `${reason} at line ${where.line}, column ${where.col}`,
    position: { line: where.line, column: where.col },
  };
}

function yamlValue(document: ReturnType<typeof parseDocument>): SyntaxResult {
  try {
    return { ok: true, value: document.toJS() as unknown };
  } catch (error) {
    // e.g. too many aliases (a "billion laughs" document)
    return { ok: false, problem: String((error as Error).message) };
  }
}

function asPlanObject(value: unknown, fileName: string): ParsedPlanText {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return { ok: true, value: value as Record<string, unknown> };
  }
  const found =
    value === null || value === undefined ? 'nothing' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;
  const next = 'a plan is an object with work_units (see agent-fanout schema)';
  return { ok: false, message: `${fileName} does not hold a plan: found ${found}; ${next}` };
}

function positionOfOffset(text: string, offset: number): TextPosition {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

/** Control characters from the input shown escaped, so a message stays on one line. */
function oneLine(message: string): string {
  return message.replace(
    /\p{Cc}/gu,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
