/**
 * The machine-readable cause of a failure, inside its category: what code reads where people
 * read the message. `key` is `kind` or `kind:detail` (`module:os`, `limit:timeout`,
 * `relative_import`); `subject` holds the details as fields (the module, the function, the
 * frame index...). validator.py and harness.py attach one to every finding and failure record;
 * the orchestrator attaches one to every failure it decides itself. A container's cause is only
 * descriptive: it is checked against the category the orchestrator already decided, capped,
 * and dropped when it does not fit; it never decides anything. Pure.
 */
import { z } from 'zod';
import type { FailureCategory } from './failure.js';

export type CauseSubject = Readonly<Record<string, string | number>>;

export interface FailureCause {
  readonly key: string;
  readonly subject: CauseSubject;
}

/** Every kind of cause, with the categories it may describe (docs/ARCHITECTURE.md). */
export const CAUSE_KINDS = {
  // validator.py
  source_too_large: ['syntax_errors'],
  not_utf8: ['syntax_errors'],
  exception: ['syntax_errors', 'runtime_errors'],
  parser_gave_up: ['syntax_errors'],
  module: ['forbidden_imports'],
  module_attribute: ['forbidden_imports', 'forbidden_calls'],
  star_import: ['forbidden_imports'],
  relative_import: ['forbidden_imports'],
  call: ['forbidden_calls'],
  attribute: ['forbidden_calls'],
  keyword: ['forbidden_calls'],
  string: ['forbidden_calls'],
  missing: ['missing_function'],
  signature: ['missing_function'],
  async: ['missing_function'],
  tunables: ['missing_function'],
  // harness.py
  returned: ['return_format_error'],
  missing_key: ['return_format_error'],
  compressed_type: ['return_format_error'],
  metadata_type: ['return_format_error'],
  metadata_not_json: ['return_format_error'],
  over_cap: ['return_format_error'],
  decoded_type: ['decode_mismatch'],
  decoded_shape: ['decode_mismatch'],
  limit: ['timeouts', 'memory_exceeded'],
  output_flood: ['output_flood'],
  signal: ['crashes'],
  sys_exit: ['crashes'],
  exited: ['crashes'],
  truncated_record: ['crashes'],
  invalid_record: ['crashes'],
  leftover_state: ['crashes'],
  // the orchestrator
  metadata_not_object: ['return_format_error'],
  decoded_frames: ['decode_mismatch'],
  incomplete_output: ['crashes'],
  no_result: ['crashes'],
  claimed_infrastructure: ['crashes'],
  unknown_category: ['other'],
  validator_failed: ['syntax_errors'],
  no_report: ['sandbox_error'],
  empty_report: ['sandbox_error'],
  nondeterministic: ['nondeterministic'],
  quality_floor: ['quality_floor'],
  generation: ['other'],
} as const satisfies Record<string, readonly FailureCategory[]>;

export type CauseKind = keyof typeof CAUSE_KINDS;

export function isCauseKind(value: string): value is CauseKind {
  return Object.hasOwn(CAUSE_KINDS, value);
}

/** The kind of a key: `module` for `module:os`, `relative_import` for itself. */
export function causeKind(key: string): string {
  const colon = key.indexOf(':');
  return colon < 0 ? key : key.slice(0, colon);
}

/** The detail of a key: `os` for `module:os`, null for a bare kind. */
export function causeDetail(key: string): string | null {
  const colon = key.indexOf(':');
  return colon < 0 ? null : key.slice(colon + 1);
}

/** A cause the orchestrator decides itself. */
export function cause(
  key: `${CauseKind}` | `${CauseKind}:${string}`,
  subject: CauseSubject = {},
): FailureCause {
  return { key, subject };
}

/** `limit` has one detail per category it describes. */
const LIMITS: Readonly<Record<string, FailureCategory>> = {
  'limit:timeout': 'timeouts',
  'limit:memory': 'memory_exceeded',
};

/** Whether a cause with this key may describe a failure of `category`. */
export function fits(key: string, category: FailureCategory): boolean {
  const kind = causeKind(key);
  if (!isCauseKind(kind) || !(CAUSE_KINDS[kind] as readonly string[]).includes(category)) {
    return false;
  }
  return kind !== 'limit' || LIMITS[key] === category;
}

const MAX_KEY_CHARS = 200;
const MAX_SUBJECT_FIELDS = 8;
const MAX_SUBJECT_CHARS = 200;
// A kind, then optionally a detail of printable characters (no spaces, no control characters).
const KEY = /^[a-z][a-z0-9_]{0,39}(?::[^\s\p{C}]{1,160})?$/u;
const FIELD = /^[a-z_]{1,32}$/;

const claimedSchema = z.object({
  key: z.string().max(MAX_KEY_CHARS).regex(KEY),
  subject: z.record(z.string(), z.unknown()).optional(),
});

/**
 * A cause as a container claimed it, kept only when it is well formed and its kind may
 * describe `category` (decided beforehand by the orchestrator); null otherwise. Subject
 * fields are capped; malformed ones are dropped.
 */
export function acceptCause(claimed: unknown, category: FailureCategory): FailureCause | null {
  const parsed = claimedSchema.safeParse(claimed);
  if (!parsed.success) return null;
  if (!fits(parsed.data.key, category)) return null;
  const subject: Record<string, string | number> = {};
  for (const [field, value] of Object.entries(parsed.data.subject ?? {})) {
    if (Object.keys(subject).length >= MAX_SUBJECT_FIELDS || !FIELD.test(field)) continue;
    if (typeof value === 'string') subject[field] = value.slice(0, MAX_SUBJECT_CHARS);
    else if (typeof value === 'number' && Number.isFinite(value)) subject[field] = value;
  }
  return { key: parsed.data.key, subject };
}
