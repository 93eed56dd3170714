/**
 * The concrete cause of a failed attempt, inside its category: which module, which call, which
 * function, which exception at which line, which return-format mistake. Read from the structured
 * result the harness and validator produced (category, findings, message, line), never used to
 * decide the category itself. Pure.
 */
import { isFailureCategory, type FailureCategory } from '../evaluation/failure.js';
import type { StoredAttempt } from '../store/store.js';

export interface Cause {
  /** Stable, machine-readable: `module:os`, `exception:ZeroDivisionError`, `returned:ndarray`. */
  readonly key: string;
  /** For people and prompts: "imports the forbidden module os". */
  readonly label: string;
  /** The detail a fix names (the module, the function, the key, the type). */
  readonly subject: string | null;
}

/** What a cause is read from: the failure fields of a stored attempt. */
export type CauseSource = Pick<
  StoredAttempt,
  | 'category'
  | 'stage'
  | 'failureMessage'
  | 'failureLine'
  | 'findings'
  | 'generationFailure'
  | 'code'
>;

const REQUIRED_FUNCTIONS = ['compress_video_frame', 'decompress_video_frame'] as const;

/**
 * Every distinct cause of one failed attempt in `category` (default: its own category; the
 * validator's findings may show more categories than the one the attempt is filed under).
 */
export function causesOf(
  attempt: CauseSource,
  category: FailureCategory | null = attempt.category,
): Cause[] {
  if (category === null) return [];
  const findings = attempt.findings.filter((finding) => finding.category === category);
  if (findings.length === 0 && category !== attempt.category) return [];
  const messages =
    findings.length > 0
      ? findings.map((finding) => ({ text: finding.message, line: finding.line }))
      : [{ text: attempt.failureMessage ?? '', line: attempt.failureLine }];
  const seen = new Set<string>();
  const causes: Cause[] = [];
  for (const { text, line } of messages) {
    const cause = causeFromMessage(category, text, line, attempt);
    if (!seen.has(cause.key)) {
      seen.add(cause.key);
      causes.push(cause);
    }
  }
  return causes;
}

function quoted(text: string): string | null {
  return /'([^']+)'/.exec(text)?.[1] ?? null;
}

/** Its category, then every other category its validator findings show. */
export function categoriesOf(attempt: CauseSource): FailureCategory[] {
  if (attempt.category === null) return [];
  const found = new Set<FailureCategory>([attempt.category]);
  for (const finding of attempt.findings) {
    if (isFailureCategory(finding.category)) found.add(finding.category);
  }
  return [...found];
}

/** Digits and long runs vary between attempts; the shape of the message does not. */
export function messageShape(text: string): string {
  return text
    .replace(/\d+(\.\d+)?/g, 'N')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 80);
}

function generic(category: FailureCategory, text: string): Cause {
  const shape = messageShape(text) || 'no message';
  return { key: `message:${shape}`, label: `${category}: ${shape}`, subject: null };
}

/** Top-level `def name(` lines of the code: what the attempt defined instead. */
export function definedFunctions(code: string): string[] {
  return [...code.matchAll(/^def\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(/gm)].map(
    (match) => match[1] ?? '',
  );
}

function causeFromMessage(
  category: FailureCategory,
  text: string,
  line: number | null,
  attempt: CauseSource,
): Cause {
  const at = line === null ? '' : ` at line ${line}`;
  switch (category) {
    case 'syntax_errors': {
      if (/^source is \d+ bytes/.test(text)) {
        return {
          key: 'source_too_large',
          label: 'the source is over the size limit',
          subject: null,
        };
      }
      const type = /^(\w+Error): (.*)$/.exec(text);
      if (type?.[1]) {
        return {
          key: `exception:${type[1]}`,
          label: `${type[1]}${at}: ${type[2] ?? ''}`.trim(),
          subject: type[1],
        };
      }
      return generic(category, text);
    }
    case 'forbidden_imports': {
      if (text.startsWith('relative imports')) {
        return { key: 'relative_import', label: 'uses a relative import', subject: null };
      }
      const path = quoted(text);
      if (text.includes('import *')) {
        const module = /from (\S+) import \*/.exec(text)?.[1] ?? '?';
        return {
          key: `star_import:${module}`,
          label: `uses 'from ${module} import *'`,
          subject: module,
        };
      }
      if (path !== null && text.includes('file or code loading')) {
        return {
          key: `module_attribute:${path}`,
          label: `uses ${path}, which loads files or code`,
          subject: path,
        };
      }
      if (path !== null) {
        const root = path.split('.')[0] ?? path;
        return {
          key: `module:${root}`,
          label: `imports the forbidden module ${root}`,
          subject: root,
        };
      }
      return generic(category, text);
    }
    case 'forbidden_calls': {
      const name = quoted(text);
      if (name === null) return generic(category, text);
      return { key: `call:${name}`, label: `uses the forbidden ${name}`, subject: name };
    }
    case 'missing_function': {
      const missing = /^define a top-level function (\w+)/.exec(text)?.[1];
      if (missing) {
        const others = definedFunctions(attempt.code).filter(
          (name) => !(REQUIRED_FUNCTIONS as readonly string[]).includes(name),
        );
        const instead = others.length > 0 ? ` (it defines ${others.join(', ')})` : '';
        return {
          key: `missing:${missing}`,
          label: `does not define ${missing}${instead}`,
          subject: missing,
        };
      }
      const signature = /^(\w+) must accept exactly/.exec(text)?.[1];
      if (signature) {
        return {
          key: `signature:${signature}`,
          label: `${signature} has the wrong parameters`,
          subject: signature,
        };
      }
      const asyncName = /^(\w+) must be a plain def/.exec(text)?.[1];
      if (asyncName) {
        return { key: `async:${asyncName}`, label: `${asyncName} is async`, subject: asyncName };
      }
      return generic(category, text);
    }
    case 'return_format_error':
      return returnFormatCause(text);
    case 'decode_mismatch': {
      const type = /^decompress_video_frame returned (\w+) for frame/.exec(text)?.[1];
      if (type) {
        return {
          key: `decoded_type:${type}`,
          label: `the decoder returned ${type}, not a numpy array`,
          subject: type,
        };
      }
      const dtype = /returned dtype (\w+) shape/.exec(text)?.[1];
      if (dtype) {
        return {
          key: `decoded_shape:${dtype}`,
          label: `the decoder returned dtype ${dtype} or the wrong shape`,
          subject: dtype,
        };
      }
      return generic(category, text);
    }
    case 'runtime_errors': {
      const type = /^(\w+(?:Error|Exception|Warning)?): /.exec(text)?.[1] ?? 'Exception';
      return {
        key: `exception:${type}${line === null ? '' : `:${line}`}`,
        label:
          `${type}${at} in ${attempt.stage}: ${text.slice(type.length + 2, type.length + 122).replace(/\s+/g, ' ')}`.trim(),
        subject: type,
      };
    }
    case 'timeouts':
      return {
        key: `deadline:${attempt.stage}`,
        label: `ran past the deadline in the ${attempt.stage} stage`,
        subject: attempt.stage,
      };
    case 'memory_exceeded':
      return {
        key: `memory:${attempt.stage}`,
        label: `exceeded the memory limit in the ${attempt.stage} stage`,
        subject: attempt.stage,
      };
    case 'crashes': {
      const signal = /on signal (\w+)/.exec(text)?.[1];
      if (signal) return { key: `signal:${signal}`, label: `died on ${signal}`, subject: signal };
      if (text.includes('sys.exit'))
        return { key: 'sys_exit', label: 'called sys.exit', subject: null };
      return generic(category, text);
    }
    case 'other':
      if (attempt.generationFailure !== null) {
        return {
          key: `generation:${attempt.generationFailure}`,
          label: `the response had no usable code (${attempt.generationFailure.replace(/_/g, ' ')})`,
          subject: attempt.generationFailure,
        };
      }
      return generic(category, text);
    case 'output_flood':
    case 'nondeterministic':
    case 'quality_floor':
    case 'sandbox_error':
      return { key: category, label: text.slice(0, 160) || category, subject: null };
  }
}

function returnFormatCause(text: string): Cause {
  const returned = /^compress_video_frame returned (\w+) for frame/.exec(text)?.[1];
  if (returned) {
    return {
      key: `returned:${returned}`,
      label: `the encoder returned ${returned}, not a dict`,
      subject: returned,
    };
  }
  const lacks = /lacks (.+?); return/.exec(text)?.[1];
  if (lacks) {
    const keys = [...lacks.matchAll(/'(\w+)'/g)].map((match) => match[1]).join(',');
    return {
      key: `missing_key:${keys}`,
      label: `the encoder's dict lacks ${lacks}`,
      subject: keys,
    };
  }
  const compressedType = /^'compressed' for frame \d+ is (\w+); it must be bytes/.exec(text)?.[1];
  if (compressedType) {
    return {
      key: `compressed_type:${compressedType}`,
      label: `'compressed' is ${compressedType}, not bytes`,
      subject: compressedType,
    };
  }
  const metadataType = /^'metadata' for frame \d+ is (\w+); it must be a dict/.exec(text)?.[1];
  if (metadataType) {
    return {
      key: `metadata_type:${metadataType}`,
      label: `'metadata' is ${metadataType}, not a dict`,
      subject: metadataType,
    };
  }
  if (text.includes('not JSON-serialisable')) {
    return {
      key: 'metadata_not_json',
      label: `'metadata' is not JSON-serialisable`,
      subject: null,
    };
  }
  if (text.includes('over the cap') || text.includes('the cap for this clip')) {
    return { key: 'over_cap', label: 'the output is over the size cap', subject: null };
  }
  return generic('return_format_error', text);
}
