/**
 * Per-model outcomes of the loop's attempts (generators/ensemble/outcome.ts), as both stores
 * answer them: the ensemble's policies and the per-model figures are computed from these.
 */
import type Database from 'better-sqlite3';
import type { AdoptionDecision } from '../evaluation/adoption.js';
import type { ModelOutcome } from '../generators/ensemble/outcome.js';
import type { StoredAttempt } from './store.js';

/** BD-rate points an adoption gained on the incumbent: 0 for the first version. */
export function adoptionGainPts(
  decision: Pick<AdoptionDecision, 'meanDevBdRatePct'> | null,
): number {
  const mean = decision?.meanDevBdRatePct ?? null;
  return mean === null || !Number.isFinite(mean) ? 0 : Math.max(0, -mean);
}

/** The outcome of a stored attempt, given its parent and its adopting decision. */
export function outcomeOf(
  attempt: StoredAttempt,
  parent: Pick<StoredAttempt, 'ok' | 'category'> | null,
  adopting: AdoptionDecision | null,
): ModelOutcome {
  return {
    attemptId: attempt.id,
    member: attempt.member,
    model: attempt.model,
    ok: attempt.ok,
    category: attempt.category,
    repairOf: parent !== null && !parent.ok ? parent.category : null,
    adopted: attempt.version !== null,
    gainPts: attempt.version === null ? 0 : adoptionGainPts(adopting),
    costUsd: attempt.usage.costUsd,
    inputTokens: attempt.usage.inputTokens,
    outputTokens: attempt.usage.outputTokens,
  };
}

interface OutcomeRow {
  id: number;
  member: string | null;
  model: string;
  ok: number;
  category: string | null;
  repair_of: string | null;
  version_decision: string | null;
  cost_usd: number;
  input_tokens: number;
  output_tokens: number;
}

/** The `run` attempts' outcomes, oldest first, in one query. */
export function sqliteModelOutcomes(db: Database.Database): ModelOutcome[] {
  const rows = db
    .prepare(
      `SELECT a.id, a.member, a.model, a.ok, a.category,
              CASE WHEN p.ok = 0 THEN p.category END AS repair_of,
              v.decision_json AS version_decision,
              a.cost_usd, a.input_tokens, a.output_tokens
         FROM attempts a
         LEFT JOIN attempts p ON p.id = a.parent_id
         LEFT JOIN versions v ON v.attempt_id = a.id
        WHERE a.origin = 'run'
        ORDER BY a.id`,
    )
    .all() as OutcomeRow[];
  return rows.map((row) => {
    const adopting =
      row.version_decision === null ? null : (JSON.parse(row.version_decision) as AdoptionDecision);
    return {
      attemptId: String(row.id),
      member: row.member,
      model: row.model,
      ok: row.ok === 1,
      category: row.category,
      repairOf: row.repair_of,
      adopted: adopting !== null,
      gainPts: adoptionGainPts(adopting),
      costUsd: row.cost_usd,
      inputTokens: row.input_tokens,
      outputTokens: row.output_tokens,
    };
  });
}
