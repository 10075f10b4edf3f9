/**
 * Where a JSON text first breaks the grammar. `JSON.parse` names the offset for some errors only
 * ("Unexpected token 'x', ..." carries none), and a message without line and column is little
 * help in a long plan, so this scans the text once more when parsing failed.
 */

class SyntaxStop extends Error {
  constructor(readonly offset: number) {
    super(`JSON syntax error at offset ${offset}`);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;
const LITERALS = ['true', 'false', 'null'];

/** The offset of the first JSON syntax error, or undefined when the text is valid JSON (or too deep to scan). */
export function jsonErrorOffset(text: string): number | undefined {
  let at = 0;
  const stop = (): never => {
    throw new SyntaxStop(at);
  };
  const skipWhitespace = () => {
    while (at < text.length && ' \t\n\r'.includes(text.charAt(at))) at += 1;
  };
  const expect = (character: string) => {
    skipWhitespace();
    if (text.charAt(at) !== character) stop();
    at += 1;
  };
  const matchSticky = (pattern: RegExp): boolean => {
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (match) at += match[0].length;
    return match !== null;
  };
  const string = () => {
    expect('"');
    for (;;) {
      const character = text.charAt(at);
      if (character === '"') break;
      if (character === '\\') {
        if (!matchSticky(ESCAPE)) stop();
      } else if (character === '' || character < ' ') {
        stop();
      } else {
        at += 1;
      }
    }
    at += 1;
  };
  const items = (close: string, item: () => void) => {
    at += 1;
    skipWhitespace();
    if (text.charAt(at) === close) {
      at += 1;
      return;
    }
    for (;;) {
      item();
      skipWhitespace();
      const character = text.charAt(at);
      at += 1;
      if (character === close) return;
      if (character !== ',') {
        at -= 1;
        stop();
      }
    }
  };
  const value = (): void => {
    skipWhitespace();
    const character = text.charAt(at);
    if (character === '{') {
      items('}', () => {
        string();
        expect(':');
        value();
      });
    } else if (character === '[') {
      items(']', value);
    } else if (character === '"') {
      string();
    } else {
      const literal = LITERALS.find((word) => text.startsWith(word, at));
      if (literal) at += literal.length;
      else if (!matchSticky(NUMBER)) stop();
    }
  };
  try {
    value();
    skipWhitespace();
    if (at < text.length) stop();
    return undefined;
  } catch (error) {
    if (error instanceof SyntaxStop) return error.offset;
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}
