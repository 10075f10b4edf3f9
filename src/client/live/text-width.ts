/**
 * How many terminal columns text takes, and text cut or padded to a number of columns. CJK
 * characters and most emoji (✅) take two columns, combining marks none; counting code points
 * instead makes lines wider than they look to us, so the terminal wraps them and a redraw in
 * place loses its place. Widths come from `string-width` (escape sequences count zero); text is
 * cut between graphemes, so an emoji with a skin tone or a letter with its accent stays whole.
 */
import stringWidth from 'string-width';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Columns `text` takes on screen; escape sequences take none. */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

/** `text` cut to at most `width` columns, ending in `…` when cut. */
export function fitWidth(text: string, width: number): string {
  if (width <= 0) return '';
  if (displayWidth(text) <= width) return text;
  let kept = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const next = displayWidth(segment);
    if (used + next > width - 1) break;
    kept += segment;
    used += next;
  }
  return `${kept}…`;
}

/** `text` padded with spaces (or cut) to exactly `width` columns. */
export function padWidth(text: string, width: number): string {
  const fitted = fitWidth(text, width);
  return fitted + ' '.repeat(Math.max(0, width - displayWidth(fitted)));
}
