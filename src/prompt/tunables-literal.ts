/**
 * Reads the ranges of a codec's TUNABLES literal from its source, for the prompt only (the
 * validator in the image is what decides whether a literal is valid). A small reader of Python
 * literals (dicts, lists, tuples, strings, numbers, True/False/None): anything else, or a shape
 * that is not a TUNABLES dict, gives null and the prompt shows the values without their ranges.
 * Pure.
 */

export interface TunableRange {
  readonly type: string;
  readonly min?: number;
  readonly max?: number;
  readonly choices?: readonly (number | string)[];
}

type Literal = number | string | boolean | null | Literal[] | { [key: string]: Literal };

class LiteralReader {
  private at = 0;
  constructor(private readonly text: string) {}

  value(): Literal {
    this.skip();
    const c = this.text[this.at];
    if (c === '{') return this.dict();
    if (c === '[' || c === '(') return this.list(c === '[' ? ']' : ')');
    if (c === '"' || c === "'") return this.string(c);
    const number = /^[-+]?(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][-+]?\d+)?/.exec(this.rest());
    if (number !== null) {
      this.at += number[0].length;
      const value = Number(number[0].replace(/_/g, ''));
      if (!Number.isFinite(value)) throw new Error('not a finite number');
      return value;
    }
    const name = /^(True|False|None)\b/.exec(this.rest())?.[1];
    if (name === undefined) throw new Error(`not a literal at ${this.at}`);
    this.at += name.length;
    return name === 'None' ? null : name === 'True';
  }

  private rest(): string {
    return this.text.slice(this.at);
  }

  /** Whitespace and comments. */
  private skip(): void {
    const space = /^(\s|#[^\n]*)*/.exec(this.text.slice(this.at))?.[0] ?? '';
    this.at += space.length;
  }

  private expect(c: string): void {
    this.skip();
    if (this.text[this.at] !== c) throw new Error(`expected ${c} at ${this.at}`);
    this.at += 1;
  }

  /** Items up to `close`, separated by commas, a trailing comma allowed. */
  private items(close: string, item: () => void): void {
    for (;;) {
      this.skip();
      if (this.text[this.at] === close) break;
      item();
      this.skip();
      if (this.text[this.at] !== ',') break;
      this.at += 1;
    }
    this.expect(close);
  }

  private dict(): Literal {
    this.at += 1;
    const out: { [key: string]: Literal } = {};
    this.items('}', () => {
      const key = this.value();
      if (typeof key !== 'string') throw new Error('a dict key that is not a string');
      this.expect(':');
      out[key] = this.value();
    });
    return out;
  }

  private list(close: string): Literal {
    this.at += 1;
    const out: Literal[] = [];
    this.items(close, () => out.push(this.value()));
    return out;
  }

  /** A one-line string with simple escapes; triple quotes and prefixes are not read. */
  private string(quote: string): string {
    const match = new RegExp(`^${quote}((?:[^${quote}\\\\\\n]|\\\\.)*)${quote}`).exec(this.rest());
    if (match === null || this.text.startsWith(quote.repeat(3), this.at)) {
      throw new Error('not a simple string');
    }
    this.at += match[0].length;
    return (match[1] ?? '').replace(/\\(.)/g, '$1');
  }
}

function range(entry: Literal): TunableRange | null {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return null;
  const { type, min, max, choices } = entry;
  if (typeof type !== 'string') return null;
  if (Array.isArray(choices)) {
    const values = choices.filter((c) => typeof c === 'number' || typeof c === 'string');
    return values.length === choices.length ? { type, choices: values } : null;
  }
  if (typeof min === 'number' && typeof max === 'number') return { type, min, max };
  return null;
}

/** The ranges of the module-level `TUNABLES = {...}` of `code`, by name; null when unreadable. */
export function tunableRanges(code: string): ReadonlyMap<string, TunableRange> | null {
  const start = /^TUNABLES\s*=\s*(?=\{)/m.exec(code);
  if (start === null) return null;
  let literal: Literal;
  try {
    literal = new LiteralReader(code.slice(start.index + start[0].length)).value();
  } catch {
    return null;
  }
  if (typeof literal !== 'object' || literal === null || Array.isArray(literal)) return null;
  const out = new Map<string, TunableRange>();
  for (const [name, entry] of Object.entries(literal)) {
    const parsed = range(entry);
    if (parsed === null) return null;
    out.set(name, parsed);
  }
  return out;
}
