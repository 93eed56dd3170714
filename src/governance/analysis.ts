/**
 * Failure analysis over a time window (the seed's `analyze_recent_failures(lookback_hours=1)`):
 * counts per category from the stored, structured results, the trend against the window
 * before, the most frequent concrete causes, sample errors, success rate. Pure: the caller
 * passes the attempts and the clock's now.
 */
import type { FailureCategory } from '../evaluation/failure.js';
import type { StoredAttempt } from '../store/store.js';
import { categoriesOf, causesOf } from './causes.js';
import { modelBreakdown } from './model-breakdown.js';
import type {
  PatternCause,
  FailurePattern,
  GovernanceReport,
  ModelFailures,
  SampleError,
} from './report.js';

export type FailureAnalysis = GovernanceReport['failure_analysis'] & {
  /** The window's failed attempts, oldest first (for recommendations and repairs). */
  readonly failed: readonly StoredAttempt[];
  readonly by_model: readonly ModelFailures[];
};

export interface AnalysisLimits {
  readonly causesPerPattern: number;
  readonly attemptIdsPerCause: number;
  readonly sampleErrors: number;
  readonly tracebackTailChars: number;
}

export const DEFAULT_ANALYSIS_LIMITS: AnalysisLimits = Object.freeze({
  causesPerPattern: 5,
  attemptIdsPerCause: 5,
  sampleErrors: 10,
  tracebackTailChars: 800,
});

/**
 * The window is (now − lookback, now]; `attempts` must cover the one before it too (for
 * trends); anything outside is ignored.
 */
export function analyseFailures(
  attempts: readonly StoredAttempt[],
  nowMs: number,
  lookbackMs: number,
  limits: AnalysisLimits = DEFAULT_ANALYSIS_LIMITS,
): FailureAnalysis {
  const sinceMs = nowMs - lookbackMs;
  const inWindow = attempts
    .filter((a) => a.createdAtMs > sinceMs && a.createdAtMs <= nowMs)
    .sort((a, b) => a.createdAtMs - b.createdAtMs || Number(a.id) - Number(b.id));
  const previous = attempts.filter(
    (a) => a.createdAtMs > sinceMs - lookbackMs && a.createdAtMs <= sinceMs && !a.ok,
  );
  const failed = inWindow.filter((a) => !a.ok);
  const counts = countByCategory(failed);
  const showing = attemptsShowing(failed);
  const previousShowing = attemptsShowing(previous);
  const patterns: FailurePattern[] = [...showing.entries()]
    .map(([category, attempts]) => {
      const count = attempts.length;
      const before = previousShowing.get(category)?.length ?? 0;
      return {
        category,
        count,
        share: count / inWindow.length,
        previous_count: before,
        trend: trend(count, before),
        causes: topCauses(attempts, limits, category),
      };
    })
    .sort((a, b) => b.count - a.count || a.category.localeCompare(b.category));
  const successes = inWindow.length - failed.length;
  return {
    window: { lookback_ms: lookbackMs, since_ms: sinceMs, until_ms: nowMs },
    attempts: inWindow.length,
    failures: failed.length,
    success_rate: inWindow.length === 0 ? null : successes / inWindow.length,
    counts,
    patterns,
    recommendations: [],
    sample_errors: sampleErrors(failed, limits),
    by_model: modelBreakdown(inWindow),
    versions_adopted: inWindow.filter((a) => a.version !== null).length,
    failed,
  };
}

function countByCategory(
  attempts: readonly StoredAttempt[],
): Partial<Record<FailureCategory, number>> {
  const counts: Partial<Record<FailureCategory, number>> = {};
  for (const attempt of attempts) {
    if (attempt.category !== null) counts[attempt.category] = (counts[attempt.category] ?? 0) + 1;
  }
  return counts;
}

/**
 * Failed attempts per category they show: their own, and every other category their validator
 * findings name (an attempt importing os with a misnamed function shows both).
 */
function attemptsShowing(
  attempts: readonly StoredAttempt[],
): Map<FailureCategory, StoredAttempt[]> {
  const showing = new Map<FailureCategory, StoredAttempt[]>();
  for (const attempt of attempts) {
    for (const category of categoriesOf(attempt)) {
      const list = showing.get(category) ?? [];
      list.push(attempt);
      showing.set(category, list);
    }
  }
  return showing;
}

function trend(count: number, before: number): FailurePattern['trend'] {
  if (before === 0) return 'new';
  if (count > before * 1.25) return 'rising';
  if (count < before * 0.75) return 'falling';
  return 'steady';
}

/** Causes ranked by how many attempts show them (an attempt counts once per cause). */
export function topCauses(
  attempts: readonly StoredAttempt[],
  limits: AnalysisLimits = DEFAULT_ANALYSIS_LIMITS,
  category?: FailureCategory,
): PatternCause[] {
  const byKey = new Map<string, { label: string; ids: string[]; newest: number }>();
  for (const attempt of attempts) {
    for (const cause of causesOf(attempt, category ?? attempt.category)) {
      const entry = byKey.get(cause.key) ?? { label: cause.label, ids: [], newest: 0 };
      entry.ids.push(attempt.id);
      entry.label = cause.label;
      entry.newest = Math.max(entry.newest, attempt.createdAtMs);
      byKey.set(cause.key, entry);
    }
  }
  return [...byKey.entries()]
    .sort(
      ([ka, a], [kb, b]) =>
        b.ids.length - a.ids.length || b.newest - a.newest || ka.localeCompare(kb),
    )
    .slice(0, limits.causesPerPattern)
    .map(([key, entry]) => ({
      key,
      label: entry.label,
      count: entry.ids.length,
      attempt_ids: entry.ids.slice().reverse().slice(0, limits.attemptIdsPerCause),
    }));
}

function sampleErrors(failed: readonly StoredAttempt[], limits: AnalysisLimits): SampleError[] {
  // The newest failure of each category first, then the rest newest first.
  const newestFirst = failed.slice().reverse();
  const firstOfCategory = new Set<string>();
  const leading: StoredAttempt[] = [];
  const rest: StoredAttempt[] = [];
  for (const attempt of newestFirst) {
    const category = attempt.category ?? 'other';
    if (firstOfCategory.has(category)) rest.push(attempt);
    else {
      firstOfCategory.add(category);
      leading.push(attempt);
    }
  }
  return [...leading, ...rest].slice(0, limits.sampleErrors).map((attempt) => ({
    attempt_id: attempt.id,
    category: attempt.category ?? 'other',
    stage: attempt.stage,
    message: (attempt.failureMessage ?? '').slice(0, 600),
    line: attempt.failureLine,
    traceback_tail:
      attempt.traceback === null ? null : attempt.traceback.slice(-limits.tracebackTailChars),
  }));
}
