import type { GenerationFailureKind } from './generator.js';

/**
 * The codec source in an LLM response. The prompt asks for exactly one ```python block holding
 * the whole file; anything else is a failure of its own kind, kept with the raw text. Pure.
 */
export type Extraction =
  | { readonly ok: true; readonly code: string }
  | { readonly ok: false; readonly kind: GenerationFailureKind; readonly message: string };

export interface FencedBlock {
  /** The info string's first word, lower-cased ('' for a bare fence). */
  readonly lang: string;
  readonly body: string;
  readonly closed: boolean;
  /** 1-based line of the opening fence. */
  readonly line: number;
}

const PYTHON_LANGS: ReadonlySet<string> = new Set(['python', 'py', 'python3', '']);
const ENTRY_POINT = /^\s*def\s+compress_video_frame\s*\(/m;
const OPENING = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)[^`]*$/;
const CLOSING = /^ {0,3}(`{3,}|~{3,})\s*$/;

/** CommonMark-style fenced blocks: a closing fence uses the same character, at least as many. */
export function fencedBlocks(text: string): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  let open: { fence: string; lang: string; line: number; body: string[] } | null = null;
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    if (open === null) {
      const match = OPENING.exec(line);
      if (match?.[1] !== undefined) {
        open = { fence: match[1], lang: (match[2] ?? '').toLowerCase(), line: index + 1, body: [] };
      }
      continue;
    }
    const closing = CLOSING.exec(line)?.[1];
    if (
      closing !== undefined &&
      closing[0] === open.fence[0] &&
      closing.length >= open.fence.length
    ) {
      blocks.push({ lang: open.lang, body: open.body.join('\n'), closed: true, line: open.line });
      open = null;
    } else {
      open.body.push(line);
    }
  }
  if (open !== null) {
    blocks.push({ lang: open.lang, body: open.body.join('\n'), closed: false, line: open.line });
  }
  return blocks;
}

/**
 * - `stopReason` 'max_tokens' or an unclosed fence → truncated;
 * - nothing but whitespace → empty_response;
 * - more than one fenced block defining compress_video_frame → several_code_blocks;
 * - exactly one such block → its code (whatever its language tag);
 * - else exactly one python (or py, or bare) block → its code (the validator then reports
 *   the missing function); several → several_code_blocks; none → no_code_block.
 */
export function extractCode(text: string, stopReason?: string | null): Extraction {
  if (stopReason === 'max_tokens') {
    return fail(
      'truncated',
      'the response hit the max_tokens limit before it ended; the code is incomplete',
    );
  }
  if (text.trim() === '') return fail('empty_response', 'the response has no text');
  const blocks = fencedBlocks(text);
  const unclosed = blocks.find((block) => !block.closed);
  if (unclosed) {
    return fail('truncated', `the code block opened on line ${unclosed.line} is never closed`);
  }
  const defining = blocks.filter((block) => ENTRY_POINT.test(block.body));
  if (defining.length > 1) {
    return fail(
      'several_code_blocks',
      `${defining.length} code blocks (lines ${lines(defining)}) define compress_video_frame; ` +
        'answer with exactly one ```python block holding the whole file',
    );
  }
  const chosen = defining[0];
  if (chosen) return codeOf(chosen);
  const python = blocks.filter((block) => PYTHON_LANGS.has(block.lang));
  if (python.length > 1) {
    return fail(
      'several_code_blocks',
      `${python.length} python code blocks (lines ${lines(python)}) and none defines ` +
        'compress_video_frame; answer with exactly one ```python block holding the whole file',
    );
  }
  const only = python[0];
  if (only) return codeOf(only);
  return fail(
    'no_code_block',
    blocks.length === 0
      ? 'the response has no fenced code block; answer with exactly one ```python block'
      : `the response has no python code block (only ${blocks.map((b) => b.lang).join(', ')})`,
  );
}

function codeOf(block: FencedBlock): Extraction {
  if (block.body.trim() === '') {
    return fail('no_code_block', `the code block on line ${block.line} is empty`);
  }
  const code = block.body.replace(/\s+$/, '') + '\n';
  return { ok: true, code };
}

function lines(blocks: readonly FencedBlock[]): string {
  return blocks.map((block) => block.line).join(', ');
}

function fail(kind: GenerationFailureKind, message: string): Extraction {
  return { ok: false, kind, message };
}
