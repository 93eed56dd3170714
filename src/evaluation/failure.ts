import type { FailureCause } from './cause.js';

/** The one failure vocabulary (docs/ARCHITECTURE.md §4), used by the harness, the store and reports. */
export const FAILURE_CATEGORIES = [
  'syntax_errors',
  'forbidden_imports',
  'forbidden_calls',
  'missing_function',
  'return_format_error',
  'decode_mismatch',
  'runtime_errors',
  'timeouts',
  'memory_exceeded',
  'output_flood',
  'crashes',
  'nondeterministic',
  'quality_floor',
  'sandbox_error',
  'other',
] as const;

export type FailureCategory = (typeof FAILURE_CATEGORIES)[number];

export function isFailureCategory(value: unknown): value is FailureCategory {
  return typeof value === 'string' && (FAILURE_CATEGORIES as readonly string[]).includes(value);
}

/**
 * Where in the cascade an attempt stopped (or `done` when every stage passed). Two endings are
 * not failures: `duplicate_behaviour` (its smoke output equals an earlier attempt's: no
 * behavioural change) and `screen` when it passed (clearly worse than the incumbent on the
 * screening clip: stopped early). A failure inside the screening runs also has stage `screen`.
 */
export const STAGES = [
  'validate',
  'smoke',
  'duplicate_behaviour',
  'screen',
  'sweep',
  'done',
] as const;
export type Stage = (typeof STAGES)[number];

/** The stages where an attempt may end without failing. */
export const PASSING_ENDS: readonly Stage[] = ['done', 'screen', 'duplicate_behaviour'];

export interface Failure {
  readonly category: FailureCategory;
  /** For people: may be reworded at any time, so no code reads it. */
  readonly message: string;
  /** For code: what exactly failed (./cause.ts); null when a container's claim did not fit. */
  readonly cause: FailureCause | null;
  readonly traceback?: string;
  /** 1-based line in the codec source, when known. */
  readonly line?: number;
  readonly excerpt?: string;
  /** The sweep point whose run failed, when one did (a batched container runs several). */
  readonly point?: { readonly clip: string; readonly quality: number };
}
