/**
 * Did a recommendation help? For each one that reached a prompt (found in the prompts stored
 * with the attempts, so only what was really sent counts): the failure rate of its category
 * among LLM attempts in the lookback before it first entered a prompt, against the rate among
 * the attempts whose prompt carried its current revision. Too few attempts after: too early.
 * Not lower: revise (a more explicit fix), and after the last revision, drop. Pure.
 */
import { isFailureCategory, type FailureCategory } from '../evaluation/failure.js';
import type { StoredAttempt } from '../store/store.js';
import { categoriesOf } from './causes.js';
import { MAX_REVISION } from './recommendations.js';
import type { Effectiveness, RateFigure, Verdict } from './report.js';

/** Attempts after a revision entered the prompt before its effect is judged. */
export const MIN_ATTEMPTS_AFTER = 3;

/**
 * The recommendations (key → revision) a stored prompt carried: from the references stored
 * with it, never from its text (which quotes codec output and could fake one).
 */
export function referencesIn(prompt: StoredAttempt['prompt']): Map<string, number> {
  const found = new Map<string, number>();
  for (const { key, revision } of prompt?.references ?? []) {
    found.set(key, Math.max(found.get(key) ?? 0, revision));
  }
  return found;
}

export interface RecommendationState {
  /** The revision the next prompt should carry, or null when it was dropped. */
  readonly revision: number | null;
  readonly effectiveness: Effectiveness;
}

function rate(attempts: readonly StoredAttempt[], category: FailureCategory): RateFigure {
  // Like the analysis: an attempt shows a category when it is filed under it or a validator
  // finding names it.
  const failures = attempts.filter((attempt) => categoriesOf(attempt).includes(category)).length;
  return {
    attempts: attempts.length,
    failures,
    rate: attempts.length === 0 ? null : failures / attempts.length,
  };
}

function percent(figure: RateFigure): string {
  return figure.rate === null
    ? 'n/a'
    : `${(figure.rate * 100).toFixed(0)}% (${figure.failures}/${figure.attempts})`;
}

/**
 * `attempts`: the stored attempts the judgement may use (any order); only those with a prompt
 * (sent to an LLM) count.
 */
export function judgeRecommendations(
  attempts: readonly StoredAttempt[],
  lookbackMs: number,
  /**
   * The prompted attempts in [sinceMs − lookback, sinceMs): by default taken from `attempts`;
   * the governor reads them from the store, so the baseline never depends on how far back
   * `attempts` reaches.
   */
  beforeWindow: (sinceMs: number) => readonly StoredAttempt[] = (sinceMs) =>
    attempts.filter(
      (a) => a.prompt !== null && a.createdAtMs < sinceMs && a.createdAtMs >= sinceMs - lookbackMs,
    ),
): Map<string, RecommendationState> {
  const sent = attempts
    .filter((attempt) => attempt.prompt !== null)
    .sort((a, b) => a.createdAtMs - b.createdAtMs || Number(a.id) - Number(b.id));
  const carried = new Map<string, { attempt: StoredAttempt; revision: number }[]>();
  for (const attempt of sent) {
    for (const [key, revision] of referencesIn(attempt.prompt)) {
      const list = carried.get(key) ?? [];
      list.push({ attempt, revision });
      carried.set(key, list);
    }
  }
  const states = new Map<string, RecommendationState>();
  for (const [key, entries] of carried) {
    const issue = key.split(':')[0] ?? key;
    if (!isFailureCategory(issue)) continue;
    const sinceMs = entries[0]?.attempt.createdAtMs ?? 0;
    const latest = Math.max(...entries.map((entry) => entry.revision));
    const before = rate(beforeWindow(sinceMs), issue);
    const revisions = [...new Set(entries.map((entry) => entry.revision))]
      .sort((a, b) => a - b)
      .map((revision) => {
        const after = rate(
          entries.filter((entry) => entry.revision === revision).map((entry) => entry.attempt),
          issue,
        );
        return { revision, after, verdict: verdictOf(before, after) };
      });
    const after = revisions.at(-1)?.after ?? rate([], issue);
    states.set(
      key,
      judge({ key, issue, in_prompt_since_ms: sinceMs, before, after, revisions }, latest),
    );
  }
  return states;
}

function verdictOf(before: RateFigure, after: RateFigure): Verdict {
  if (after.attempts < MIN_ATTEMPTS_AFTER || before.rate === null || after.rate === null) {
    return 'too_early';
  }
  if (after.rate < before.rate) return 'helped';
  return after.rate > before.rate ? 'worse' : 'no_effect';
}

type Judged = Pick<
  Effectiveness,
  'key' | 'issue' | 'in_prompt_since_ms' | 'before' | 'after' | 'revisions'
>;

function judge(base: Judged, revision: number): RecommendationState {
  const { before, after, issue } = base;
  const figures = `before ${percent(before)}, after revision ${revision} ${percent(after)}`;
  const verdict = verdictOf(before, after);
  if (verdict === 'too_early') {
    return {
      revision,
      effectiveness: {
        ...base,
        verdict: 'too_early',
        action: 'keep',
        explanation: `${figures}: fewer than ${MIN_ATTEMPTS_AFTER} attempts on each side to judge; kept.`,
      },
    };
  }
  if (verdict === 'helped') {
    return {
      revision,
      effectiveness: {
        ...base,
        verdict: 'helped',
        action: 'keep',
        explanation: `${figures}: ${issue} failures fell; kept.`,
      },
    };
  }
  if (revision < MAX_REVISION) {
    return {
      revision: revision + 1,
      effectiveness: {
        ...base,
        verdict,
        action: 'revise',
        explanation: `${figures}: ${issue} failures did not fall; revised to revision ${revision + 1} (a more explicit fix).`,
      },
    };
  }
  return {
    revision: null,
    effectiveness: {
      ...base,
      verdict,
      action: 'drop',
      explanation: `${figures}: still no improvement after ${MAX_REVISION} revisions; dropped from the prompt.`,
    },
  };
}
