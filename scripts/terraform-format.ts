/**
 * What `terraform fmt` would change, without the terraform binary (none can be installed in
 * CI): the rules of HashiCorp's hclwrite formatter, reimplemented for the subset our files use.
 *
 * - indentation: 2 spaces per level; a line whose brackets open more than they close opens one
 *   level (however many brackets), a line that closes them returns to the level it came from;
 * - `=` alignment: consecutive lines of the form `key = <complete expression>` align their
 *   `=` one space after the longest key; any other line (blank, comment, block, a multi-line
 *   value's first line) ends the run; exactly one space after `=`;
 * - no tabs in indentation, no trailing whitespace, a newline at the end of the file.
 *
 * Heredoc bodies are left alone, as terraform fmt does. Alignment of trailing comments is not
 * checked (our files put comments on their own lines).
 */

export interface FormatFinding {
  readonly line: number;
  readonly message: string;
}

type TokenKind = 'open' | 'close' | 'equal' | 'comment' | 'heredoc' | 'other';

interface Token {
  readonly kind: TokenKind;
  readonly start: number;
  readonly end: number;
}

interface ScanState {
  inBlockComment: boolean;
  heredoc: string | null;
}

function scanString(text: string, from: number): number {
  // `from` is the opening quote; returns the index after the closing quote (or the line end).
  let depth = 0;
  let i = from + 1;
  while (i < text.length) {
    const char = text[i];
    if (char === '\\') {
      i += 2;
      continue;
    }
    if ((char === '$' || char === '%') && text[i + 1] === '{') {
      depth += 1;
      i += 2;
      continue;
    }
    if (char === '}' && depth > 0) depth -= 1;
    else if (char === '"' && depth === 0) return i + 1;
    i += 1;
  }
  return i;
}

function tokenize(text: string, state: ScanState): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    if (state.inBlockComment) {
      const close = text.indexOf('*/', i);
      if (close === -1) {
        tokens.push({ kind: 'comment', start: i, end: text.length });
        return tokens;
      }
      tokens.push({ kind: 'comment', start: i, end: close + 2 });
      state.inBlockComment = false;
      i = close + 2;
      continue;
    }
    const char = text[i] ?? '';
    const next = text[i + 1] ?? '';
    if (char === ' ' || char === '\t') {
      i += 1;
    } else if (char === '#' || (char === '/' && next === '/')) {
      tokens.push({ kind: 'comment', start: i, end: text.length });
      return tokens;
    } else if (char === '/' && next === '*') {
      const close = text.indexOf('*/', i + 2);
      tokens.push({ kind: 'comment', start: i, end: close === -1 ? text.length : close + 2 });
      if (close === -1) {
        state.inBlockComment = true;
        return tokens;
      }
      i = close + 2;
    } else if (char === '"') {
      const end = scanString(text, i);
      tokens.push({ kind: 'other', start: i, end });
      i = end;
    } else if (char === '<' && next === '<' && /^<<-?[A-Za-z_]/.test(text.slice(i))) {
      const match = /^<<-?([A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(i));
      const delimiter = match?.[1] ?? '';
      tokens.push({ kind: 'heredoc', start: i, end: i + (match?.[0].length ?? 2) });
      state.heredoc = delimiter;
      i += match?.[0].length ?? 2;
    } else if ('{[('.includes(char)) {
      tokens.push({ kind: 'open', start: i, end: i + 1 });
      i += 1;
    } else if ('}])'.includes(char)) {
      tokens.push({ kind: 'close', start: i, end: i + 1 });
      i += 1;
    } else if ('=!<>'.includes(char) && (next === '=' || (char === '=' && next === '>'))) {
      tokens.push({ kind: 'other', start: i, end: i + 2 });
      i += 2;
    } else if (char === '=') {
      tokens.push({ kind: 'equal', start: i, end: i + 1 });
      i += 1;
    } else if (/[A-Za-z0-9_.-]/.test(char)) {
      let end = i + 1;
      while (end < text.length && /[A-Za-z0-9_.-]/.test(text[end] ?? '')) end += 1;
      tokens.push({ kind: 'other', start: i, end });
      i = end;
    } else {
      tokens.push({ kind: 'other', start: i, end: i + 1 });
      i += 1;
    }
  }
  return tokens;
}

function bracketChange(tokens: readonly Token[]): number {
  let net = 0;
  for (const token of tokens) {
    if (token.kind === 'heredoc') break;
    if (token.kind === 'open') net += 1;
    else if (token.kind === 'close') net -= 1;
  }
  return net;
}

interface FormatLine {
  readonly number: number;
  readonly text: string;
  readonly tokens: readonly Token[];
  /** Index in `tokens` of the `=` when the line is `key = <complete expression>`. */
  readonly assignAt: number | null;
  /** False for heredoc bodies: terraform fmt leaves them as they are. */
  readonly formatted: boolean;
}

function toLines(source: string): FormatLine[] {
  const state: ScanState = { inBlockComment: false, heredoc: null };
  return source.split('\n').map((text, index) => {
    const number = index + 1;
    if (state.heredoc !== null) {
      if (text.trim() === state.heredoc) state.heredoc = null;
      return { number, text, tokens: [], assignAt: null, formatted: false };
    }
    const all = tokenize(text, state);
    const last = all[all.length - 1];
    const lead = all.length > 1 && last?.kind === 'comment' ? all.slice(0, -1) : all;
    let assignAt: number | null = null;
    const equal = lead.findIndex((token) => token.kind === 'equal');
    if (equal > 0 && bracketChange(lead.slice(equal)) === 0) assignAt = equal;
    return { number, text, tokens: lead, assignAt, formatted: true };
  });
}

function checkIndentation(lines: readonly FormatLine[], findings: FormatFinding[]): void {
  const indents: number[] = [];
  for (const line of lines) {
    if (!line.formatted || line.tokens.length === 0) continue;
    const net = bracketChange(line.tokens);
    let level = indents.length;
    if (net > 0) {
      indents.push(net);
    } else if (net < 0) {
      let closed = -net;
      while (closed > 0 && indents.length > 0) {
        const top = indents[indents.length - 1] ?? 0;
        if (closed >= top) {
          closed -= top;
          indents.pop();
        } else {
          indents[indents.length - 1] = top - closed;
          closed = 0;
        }
      }
      level = indents.length;
    }
    const leading = /^[ \t]*/.exec(line.text)?.[0] ?? '';
    if (leading.includes('\t')) {
      findings.push({ line: line.number, message: 'indentation uses a tab; use spaces' });
    } else if (leading.length !== 2 * level) {
      findings.push({
        line: line.number,
        message: `indented ${leading.length} spaces, terraform fmt indents ${2 * level}`,
      });
    }
  }
}

function checkAlignment(lines: readonly FormatLine[], findings: FormatFinding[]): void {
  let chain: FormatLine[] = [];
  const close = (): void => {
    const keyEnd = (line: FormatLine): number => {
      const before = line.tokens[(line.assignAt ?? 1) - 1];
      return before?.end ?? 0;
    };
    const widest = Math.max(...chain.map(keyEnd));
    for (const line of chain) {
      const equal = line.tokens[line.assignAt ?? 0];
      if (!equal) continue;
      const wanted = widest - keyEnd(line) + 1;
      const actual = equal.start - keyEnd(line);
      if (actual !== wanted) {
        findings.push({
          line: line.number,
          message: `'=' is ${actual} space(s) after its name, terraform fmt aligns it with ${wanted} (one more than the longest name in the group)`,
        });
      }
      const after = line.tokens[(line.assignAt ?? 0) + 1];
      if (after && after.start !== equal.end + 1) {
        findings.push({ line: line.number, message: "exactly one space goes after '='" });
      }
    }
    chain = [];
  };
  for (const line of lines) {
    if (line.assignAt !== null) chain.push(line);
    else if (chain.length > 0) close();
  }
  if (chain.length > 0) close();
}

/** Every difference `terraform fmt` would make to `source` (by the rules above). */
export function terraformFormatFindings(source: string): FormatFinding[] {
  const findings: FormatFinding[] = [];
  const lines = toLines(source);
  for (const line of lines) {
    if (line.formatted && /[ \t]+$/.test(line.text)) {
      findings.push({ line: line.number, message: 'trailing whitespace' });
    }
  }
  if (source.length > 0 && !source.endsWith('\n')) {
    findings.push({ line: lines.length, message: 'no newline at the end of the file' });
  }
  checkIndentation(lines, findings);
  checkAlignment(lines, findings);
  return findings.sort((a, b) => a.line - b.line);
}
