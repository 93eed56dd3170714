/** Small, pure text helpers for prompts: fences that cannot be broken out of, capped text. */

/** A fenced block whose fence is longer than any backtick run inside `body`. */
export function fence(body: string, lang = ''): string {
  const longest = Math.max(0, ...[...body.matchAll(/`+/g)].map((match) => match[0].length));
  const ticks = '`'.repeat(Math.max(3, longest + 1));
  const text = body.endsWith('\n') ? body : `${body}\n`;
  return `${ticks}${lang}\n${text}${ticks}`;
}

/** The first `max` characters, with a note of how many were left out. */
export function capHead(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n[… ${text.length - max} more characters omitted]`;
}

/**
 * The last `max` characters (a traceback's end names the error), starting at a line boundary
 * where one is near, with a note of how many were left out.
 */
export function capTail(text: string, max: number): string {
  if (text.length <= max) return text;
  let tail = text.slice(text.length - max);
  const newline = tail.indexOf('\n');
  if (newline >= 0 && newline < max / 4) tail = tail.slice(newline + 1);
  return `[… ${text.length - tail.length} earlier characters omitted]\n${tail}`;
}

/** A signed percentage with one decimal, or `n/a`. */
export function percent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  const fixed = value.toFixed(1);
  return `${value > 0 ? '+' : ''}${fixed === '-0.0' ? '0.0' : fixed} %`;
}
