/** The Store in memory, for tests of the loop and the server; no files, nothing survives. */
import type { AdoptionDecision } from '../evaluation/adoption.js';
import type { FailureCategory } from '../evaluation/failure.js';
import type { ModelOutcome } from '../generators/ensemble/outcome.js';
import { outcomeOf } from './model-outcomes.js';
import {
  checkAdoption,
  checkAttemptRecord,
  checkQuery,
  earlyFields,
  nextAttemptId,
  passes,
  type AttemptPage,
  type AttemptQuery,
  type AttemptRecord,
  type CodecVersion,
  type IncumbentVersion,
  type Store,
  type StoreTotals,
  type StoredAttempt,
} from './store.js';

export class MemoryStore implements Store {
  private readonly rows: StoredAttempt[] = [];
  private readonly adopted: CodecVersion[] = [];
  private lastId = 0;
  private closed = false;

  constructor(private readonly now: () => number = Date.now) {}

  recordAttempt(record: AttemptRecord): StoredAttempt {
    this.open();
    checkAttemptRecord(record);
    this.lastId = nextAttemptId(this.now(), this.lastId);
    const attempt: StoredAttempt = {
      ...structuredClone(record),
      ...structuredClone(earlyFields(record)),
      id: String(this.lastId),
      ok: passes(record),
      version: null,
    };
    this.rows.push(attempt);
    return structuredClone(attempt);
  }

  hasCode(codeSha256: string): string | null {
    this.open();
    const found = this.rows.findLast(
      (row) =>
        row.codeSha256 === codeSha256 && row.generationFailure === null && row.origin === 'run',
    );
    return found?.id ?? null;
  }

  hasBehaviour(behaviourSha256: string): string | null {
    this.open();
    return this.rows.find((row) => row.behaviourSha256 === behaviourSha256)?.id ?? null;
  }

  attempts(query: AttemptQuery): AttemptPage {
    this.open();
    checkQuery(query);
    const matching = this.rows.filter(
      (row) =>
        (query.sinceMs === undefined || row.createdAtMs >= query.sinceMs) &&
        (query.untilMs === undefined || row.createdAtMs < query.untilMs) &&
        (query.stage === undefined || row.stage === query.stage) &&
        (query.category === undefined || row.category === query.category) &&
        (query.origin === undefined || row.origin === query.origin) &&
        (query.ok === undefined || row.ok === query.ok) &&
        (query.prompted === undefined || (row.prompt !== null) === query.prompted),
    );
    if (query.order !== 'asc') matching.reverse();
    return {
      total: matching.length,
      attempts: matching
        .slice(query.offset, query.offset + query.limit)
        .map((row) => structuredClone(row)),
    };
  }

  attempt(id: string): StoredAttempt | null {
    this.open();
    const row = this.rows.find((candidate) => candidate.id === id);
    return row === undefined ? null : structuredClone(row);
  }

  recentFailures(sinceMs: number): StoredAttempt[] {
    this.open();
    return this.rows
      .filter((row) => !row.ok && row.createdAtMs >= sinceMs)
      .map((row) => structuredClone(row));
  }

  recordDecision(attemptId: string, decision: AdoptionDecision): void {
    this.open();
    const index = this.rows.findIndex((row) => row.id === attemptId);
    const row = this.rows[index];
    if (row === undefined) {
      throw new Error(`cannot record a decision for attempt ${attemptId}: no such attempt`);
    }
    this.rows[index] = { ...row, decision: structuredClone(decision) };
  }

  adopt(attemptId: string, decision: AdoptionDecision): number {
    this.open();
    const attempt = this.attempt(attemptId);
    checkAdoption(attempt, attemptId, decision);
    const version = this.adopted.length + 1;
    this.adopted.push({
      version,
      attemptId,
      adoptedAtMs: this.now(),
      codeSha256: attempt.codeSha256,
      decision: structuredClone(decision),
    });
    const index = this.rows.findIndex((row) => row.id === attemptId);
    this.rows[index] = { ...attempt, version, decision: structuredClone(decision) };
    return version;
  }

  versions(): CodecVersion[] {
    this.open();
    return structuredClone(this.adopted);
  }

  incumbent(): IncumbentVersion | null {
    this.open();
    const last = this.adopted.at(-1);
    const attempt = last === undefined ? null : this.attempt(last.attemptId);
    return last === undefined || attempt === null ? null : { ...structuredClone(last), attempt };
  }

  totals(): StoreTotals {
    this.open();
    const failuresByCategory: Partial<Record<FailureCategory, number>> = {};
    const sum = (pick: (row: StoredAttempt) => number): number =>
      this.rows.reduce((total, row) => total + pick(row), 0);
    for (const row of this.rows) {
      if (!row.ok && row.category !== null) {
        failuresByCategory[row.category] = (failuresByCategory[row.category] ?? 0) + 1;
      }
    }
    const successes = this.rows.filter((row) => row.ok);
    const earliest = (rows: StoredAttempt[]): number | null =>
      rows.length === 0 ? null : Math.min(...rows.map((row) => row.createdAtMs));
    const attemptsByOrigin = { run: 0, evaluate: 0 };
    for (const row of this.rows) attemptsByOrigin[row.origin] += 1;
    return {
      attempts: this.rows.length,
      attemptsByOrigin,
      successes: successes.length,
      failures: this.rows.length - successes.length,
      screened: successes.filter((row) => row.stage === 'screen').length,
      duplicateBehaviours: successes.filter((row) => row.stage === 'duplicate_behaviour').length,
      failuresByCategory,
      generationFailures: this.rows.filter((row) => row.generationFailure !== null).length,
      firstAttemptAtMs: earliest(this.rows),
      firstSuccessAtMs: earliest(successes.filter((row) => row.stage === 'done')),
      versions: this.adopted.length,
      tuning: {
        attempts: this.rows.filter((row) => row.tuning !== null).length,
        evaluations: sum((row) => row.tuning?.evaluations ?? 0),
        wallMs: sum((row) => row.tuning?.wall_ms ?? 0),
      },
      cost: {
        dollars: sum((row) => row.usage.costUsd),
        inputTokens: sum((row) => row.usage.inputTokens),
        outputTokens: sum((row) => row.usage.outputTokens),
        cacheReadTokens: sum((row) => row.usage.cacheReadTokens),
        cacheWriteTokens: sum((row) => row.usage.cacheWriteTokens),
      },
    };
  }

  modelOutcomes(): ModelOutcome[] {
    this.open();
    const adopting = new Map(this.adopted.map((version) => [version.attemptId, version.decision]));
    return this.rows
      .filter((row) => row.origin === 'run')
      .map((row) => {
        const parent =
          row.parentId === null ? null : (this.rows.find((r) => r.id === row.parentId) ?? null);
        return outcomeOf(row, parent, adopting.get(row.id) ?? null);
      });
  }

  close(): void {
    this.closed = true;
  }

  private open(): void {
    if (this.closed) throw new Error('the store is closed');
  }
}
