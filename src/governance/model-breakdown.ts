/**
 * The window's failures split by the model that wrote them (the ensemble member, or the model
 * id), and the rule that lets a recommendation target one model: its failure rate in a
 * category stands out against the other models'. Pure.
 */
import type { FailureCategory } from '../evaluation/failure.js';
import { modelKey } from '../generators/ensemble/outcome.js';
import type { StoredAttempt } from '../store/store.js';
import type { ModelFailures } from './report.js';

/** A model needs this many attempts in the window before its rate is compared. */
export const STANDOUT_MIN_ATTEMPTS = 3;
/** …and this many failures of the category. */
export const STANDOUT_MIN_FAILURES = 2;

/** Per model, in the order each first appears in the window (autofix attempts excluded). */
export function modelBreakdown(inWindow: readonly StoredAttempt[]): ModelFailures[] {
  const byModel = new Map<
    string,
    { attempts: number; failures: number; counts: Partial<Record<FailureCategory, number>> }
  >();
  for (const attempt of inWindow) {
    if (attempt.generator === 'autofix') continue;
    const key = modelKey(attempt);
    const entry = byModel.get(key) ?? { attempts: 0, failures: 0, counts: {} };
    entry.attempts += 1;
    if (!attempt.ok && attempt.category !== null) {
      entry.failures += 1;
      entry.counts[attempt.category] = (entry.counts[attempt.category] ?? 0) + 1;
    }
    byModel.set(key, entry);
  }
  return [...byModel].map(([model, entry]) => ({
    model,
    attempts: entry.attempts,
    failures: entry.failures,
    failure_rate: entry.failures / entry.attempts,
    counts: entry.counts,
  }));
}

export interface Standout {
  readonly model: string;
  readonly failures: number;
  readonly attempts: number;
  readonly othersFailures: number;
  readonly othersAttempts: number;
}

/**
 * The model whose rate of `category` failures stands out: at least STANDOUT_MIN_ATTEMPTS
 * attempts and STANDOUT_MIN_FAILURES such failures, and a rate at least twice the other
 * models' together and 25 points above it. The highest such rate; null when none (or one model).
 */
export function standoutModel(
  byModel: readonly ModelFailures[],
  category: FailureCategory,
): Standout | null {
  if (byModel.length < 2) return null;
  let best: (Standout & { rate: number }) | null = null;
  for (const entry of byModel) {
    const failures = entry.counts[category] ?? 0;
    const others = byModel.filter((other) => other.model !== entry.model);
    const othersFailures = others.reduce((sum, o) => sum + (o.counts[category] ?? 0), 0);
    const othersAttempts = others.reduce((sum, o) => sum + o.attempts, 0);
    if (entry.attempts < STANDOUT_MIN_ATTEMPTS || failures < STANDOUT_MIN_FAILURES) continue;
    if (othersAttempts === 0) continue;
    const rate = failures / entry.attempts;
    const othersRate = othersFailures / othersAttempts;
    if (rate < 2 * othersRate || rate < othersRate + 0.25) continue;
    if (best === null || rate > best.rate) {
      best = {
        model: entry.model,
        failures,
        attempts: entry.attempts,
        othersFailures,
        othersAttempts,
        rate,
      };
    }
  }
  if (best === null) return null;
  const { rate: _rate, ...standout } = best;
  return standout;
}

/** What a person reads after the recommendation's description. */
export function describeStandout(standout: Standout): string {
  return `Mostly from model ${standout.model}: ${standout.failures} of its ${standout.attempts} attempts, against ${standout.othersFailures} of ${standout.othersAttempts} for the other models.`;
}
