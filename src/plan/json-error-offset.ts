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
  const scanner = new JsonScanner(text);
  try {
    scanner.value();
    scanner.skipWhitespace();
    if (scanner.at < text.length) scanner.stop();
    return undefined;
  } catch (error) {
    if (error instanceof SyntaxStop) return error.offset;
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

/** A recursive-descent walk over the JSON grammar that stops (throws) at the first mistake. */
class JsonScanner {
  at = 0;

  constructor(private readonly text: string) {}

  stop(): never {
    throw new SyntaxStop(this.at);
  }

  skipWhitespace(): void {
    while (this.at < this.text.length && ' \t\n\r'.includes(this.text.charAt(this.at))) this.at += 1;
  }

  value(): void {
    this.skipWhitespace();
    const character = this.text.charAt(this.at);
    if (character === '{') {
      this.items('}', () => {
        this.string();
        this.expect(':');
        this.value();
      });
    } else if (character === '[') {
      this.items(']', () => this.value());
    } else if (character === '"') {
      this.string();
    } else {
      const literal = LITERALS.find((word) => this.text.startsWith(word, this.at));
      if (literal) this.at += literal.length;
      else if (!this.matchSticky(NUMBER)) this.stop();
    }
  }

  private expect(character: string): void {
    this.skipWhitespace();
    if (this.text.charAt(this.at) !== character) this.stop();
    this.at += 1;
  }

  private matchSticky(pattern: RegExp): boolean {
    pattern.lastIndex = this.at;
    const match = pattern.exec(this.text);
    if (match) this.at += match[0].length;
    return match !== null;
  }

  private string(): void {
    this.expect('"');
    for (;;) {
      const character = this.text.charAt(this.at);
      if (character === '"') break;
      if (character === '\\') {
        if (!this.matchSticky(ESCAPE)) this.stop();
      } else if (character === '' || character < ' ') {
        this.stop();
      } else {
        this.at += 1;
      }
    }
    this.at += 1;
  }

  private items(close: string, item: () => void): void {
    this.at += 1;
    this.skipWhitespace();
    if (this.text.charAt(this.at) === close) {
      this.at += 1;
      return;
    }
    for (;;) {
      item();
      this.skipWhitespace();
      const character = this.text.charAt(this.at);
      this.at += 1;
      if (character === close) return;
      if (character !== ',') {
        this.at -= 1;
        this.stop();
      }
    }
  }
}
