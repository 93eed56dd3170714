/**
 * Mechanical, safe repairs of a failed attempt, applied as a new attempt with its own lineage
 * (generator `autofix`, parent = the failed attempt) — never silently, never in place. Only
 * fixes whose effect is obvious from the code qualify:
 *
 * - a required function is missing, and exactly one other top-level function has a name and
 *   parameter count that make it the obvious candidate: a wrapper with the contract's name and
 *   signature calls it;
 * - compress_video_frame returned bytes, or a (bytes, dict) tuple: a wrapper puts them in the
 *   contract's dict;
 * - compress_video_frame's dict lacked 'metadata': a wrapper adds an empty one.
 *
 * The fixed code is then evaluated like any other; a fix that does not work is a failed attempt.
 * Pure.
 */
import type { FailureCategory } from '../evaluation/failure.js';
import { causesOf, definedFunctions, type CauseSource } from './causes.js';

export interface AutoFix {
  readonly code: string;
  /** What was changed and why, stored as the attempt's response. */
  readonly description: string;
  readonly causeKey: string;
}

const REQUIRED: Readonly<Record<string, { params: string[]; hint: RegExp }>> = {
  compress_video_frame: { params: ['frame', 'config'], hint: /(compress|encode)/i },
  decompress_video_frame: {
    params: ['compressed', 'metadata', 'config'],
    hint: /(decompress|decode)/i,
  },
};

const WRAPPED_ENCODER = '_codec_lab_unwrapped_compress_video_frame';

export function hasAutoFix(category: FailureCategory, causeKey: string): boolean {
  if (category === 'missing_function') return causeKey.startsWith('missing:');
  if (category === 'return_format_error') {
    return (
      causeKey === 'returned:bytes' ||
      causeKey === 'returned:bytearray' ||
      causeKey === 'returned:tuple' ||
      causeKey === 'missing_key:metadata'
    );
  }
  return false;
}

export function autoFix(attempt: CauseSource): AutoFix | null {
  if (attempt.category === null || attempt.code === '') return null;
  const causes = causesOf(attempt);
  if (attempt.category === 'missing_function') {
    // Every missing function must be fixable, or the fix would only move the failure.
    if (causes.length === 0 || !causes.every((cause) => cause.key.startsWith('missing:')))
      return null;
    let code = attempt.code;
    const notes: string[] = [];
    for (const cause of causes) {
      const required = cause.key.slice('missing:'.length);
      const fixed = aliasFunction(code, required);
      if (fixed === null) return null;
      code = fixed.code;
      notes.push(fixed.note);
    }
    return {
      code,
      description: `codec-lab auto-fix of a missing function: ${notes.join('; ')}.`,
      causeKey: causes.map((cause) => cause.key).join('+'),
    };
  }
  if (attempt.category === 'return_format_error') {
    const cause = causes[0];
    if (cause === undefined || !hasAutoFix('return_format_error', cause.key)) return null;
    const code = wrapEncoder(attempt.code);
    if (code === null) return null;
    return {
      code,
      description:
        `codec-lab auto-fix of a return-format error (${cause.label}): compress_video_frame is ` +
        "wrapped so that bytes, a (bytes, dict) tuple or a dict without 'metadata' become " +
        "{'compressed': bytes, 'metadata': dict}.",
      causeKey: cause.key,
    };
  }
  return null;
}

/** Adds `def required(...)` calling the one obvious candidate, or null when there is none. */
function aliasFunction(code: string, required: string): { code: string; note: string } | null {
  const spec = REQUIRED[required];
  if (spec === undefined) return null;
  const defined = definedFunctions(code);
  if (defined.includes(required)) return null;
  const others = Object.keys(REQUIRED);
  const candidates = defined.filter(
    (name) =>
      !others.includes(name) &&
      spec.hint.test(name) &&
      // "decompress" contains "compress": an encoder candidate must not look like a decoder.
      !(required === 'compress_video_frame' && REQUIRED.decompress_video_frame?.hint.test(name)) &&
      positionalCount(code, name) === spec.params.length,
  );
  if (candidates.length !== 1 || candidates[0] === undefined) return null;
  const target = candidates[0];
  const params = spec.params.join(', ');
  return {
    code:
      `${code.replace(/\s*$/, '')}\n\n\n` +
      `# codec-lab auto-fix: the contract requires ${required}; ${target} has its parameters.\n` +
      `def ${required}(${params}):\n    return ${target}(${params})\n`,
    note: `${required} added, calling ${target}`,
  };
}

/** Positional parameters of a top-level `def name(...)` on one line, or -1 when unclear. */
function positionalCount(code: string, name: string): number {
  const match = new RegExp(`^def ${name}\\s*\\(([^)]*)\\)\\s*(->[^:]*)?:`, 'm').exec(code);
  if (!match) return -1;
  const params = (match[1] ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (params.some((part) => part.startsWith('*') || part.includes('='))) return -1;
  return params.length;
}

function wrapEncoder(code: string): string | null {
  const definition = /^def compress_video_frame\s*\(/m;
  if (!definition.test(code) || code.includes(WRAPPED_ENCODER)) return null;
  const renamed = code.replace(definition, `def ${WRAPPED_ENCODER}(`);
  return (
    `${renamed.replace(/\s*$/, '')}\n\n\n` +
    '# codec-lab auto-fix: the contract requires compress_video_frame to return\n' +
    "# {'compressed': bytes, 'metadata': dict}.\n" +
    'def compress_video_frame(frame, config):\n' +
    `    result = ${WRAPPED_ENCODER}(frame, config)\n` +
    '    if isinstance(result, (bytes, bytearray)):\n' +
    "        return {'compressed': bytes(result), 'metadata': {}}\n" +
    '    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], dict):\n' +
    "        return {'compressed': bytes(result[0]), 'metadata': result[1]}\n" +
    "    if isinstance(result, dict) and 'metadata' not in result:\n" +
    '        return dict(result, metadata={})\n' +
    '    return result\n'
  );
}
