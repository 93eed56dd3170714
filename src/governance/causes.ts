/**
 * The concrete causes of a failed attempt, inside its category: which module, which call, which
 * function, which exception at which line, which return-format mistake. Read from the structured
 * causes the validator, the harness and the orchestrator attached (evaluation/cause.ts), never
 * from a failure message, and never used to decide the category itself. Pure.
 */
import { isFailureCategory, type FailureCategory } from '../evaluation/failure.js';
import type { StoredAttempt } from '../store/store.js';
import { categoryOnly, lookupCause, type Cause, type CauseContext } from './cause-lookup.js';

export type { Cause } from './cause-lookup.js';

/** What a cause is read from: the failure fields of a stored attempt. */
export type CauseSource = Pick<
  StoredAttempt,
  | 'category'
  | 'stage'
  | 'failureMessage'
  | 'failureCause'
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
  const failures =
    findings.length > 0
      ? findings
      : [
          {
            cause: attempt.failureCause,
            line: attempt.failureLine,
            message: attempt.failureMessage,
          },
        ];
  const seen = new Set<string>();
  const causes: Cause[] = [];
  for (const failure of failures) {
    const context: CauseContext = {
      category,
      stage: attempt.stage,
      line: failure.line,
      otherFunctions: () =>
        definedFunctions(attempt.code).filter(
          (name) => !(REQUIRED_FUNCTIONS as readonly string[]).includes(name),
        ),
    };
    const cause =
      generationCause(attempt, category) ??
      (failure.cause === null ? null : lookupCause(failure.cause, context)) ??
      categoryOnly(category, failure.message ?? '');
    if (!seen.has(cause.key)) {
      seen.add(cause.key);
      causes.push(cause);
    }
  }
  return causes;
}

/** A response without code: its generation failure is the cause. */
function generationCause(attempt: CauseSource, category: FailureCategory): Cause | null {
  if (category !== 'other' || attempt.generationFailure === null) return null;
  return {
    key: `generation:${attempt.generationFailure}`,
    label: `the response had no usable code (${attempt.generationFailure.replaceAll('_', ' ')})`,
    subject: attempt.generationFailure,
  };
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

/** Top-level `def name(` lines of the code: what the attempt defined instead. */
export function definedFunctions(code: string): string[] {
  return [...code.matchAll(/^def\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(/gm)].map(
    (match) => match[1] ?? '',
  );
}
