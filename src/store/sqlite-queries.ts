/** The SQL of SqliteStore, as prepared statements; multi-row writes are one transaction each. */
import type Database from 'better-sqlite3';
import type { AdoptionDecision } from '../evaluation/adoption.js';
import type { FailureCategory } from '../evaluation/failure.js';
import type { AttemptShape } from './attempt-tree.js';
import { json, type AttemptRow, type VersionRow } from './sqlite-rows.js';
import {
  checkQuery,
  type AttemptOrigin,
  type AttemptQuery,
  type CodecVersion,
  type StoreTotals,
} from './store.js';

const SELECT_ATTEMPT =
  'SELECT a.*, v.version AS version FROM attempts a LEFT JOIN versions v ON v.attempt_id = a.id';

const COLUMNS = [
  'id',
  'origin',
  'settings_json',
  'created_at',
  'recorded_at',
  'code',
  'code_sha256',
  'parent_id',
  'generator',
  'model',
  'prompt_system',
  'prompt_user',
  'prompt_references_json',
  'raw_response',
  'generation_failure',
  'stage',
  'category',
  'ok',
  'failure_message',
  'failure_cause_json',
  'traceback',
  'failure_line',
  'findings_json',
  'log',
  'image_id',
  'metrics_json',
  'assessment_json',
  'decision_json',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'cost_usd',
  'generation_ms',
  'evaluation_ms',
  'behaviour_sha256',
  'duplicate_of',
  'screening_json',
  'params_json',
  'tuning_json',
  'member',
];

interface TotalsRow {
  tuned: number;
  tune_evaluations: number;
  tune_wall_ms: number;
  attempts: number;
  successes: number;
  screened: number;
  duplicate_behaviours: number;
  generation_failures: number;
  first_attempt: number | null;
  first_success: number | null;
  dollars: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  versions: number;
}

function prepare(db: Database.Database) {
  return {
    insertAttempt: db.prepare(
      `INSERT INTO attempts (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')})`,
    ),
    releaseId: db.prepare('DELETE FROM pending_attempts WHERE id = ?'),
    reserve: db.prepare('INSERT INTO pending_attempts (id, reserved_at, pid) VALUES (?, ?, ?)'),
    lastId: db.prepare(
      "SELECT max((SELECT value FROM meta WHERE key = 'last_attempt_id'), coalesce((SELECT max(id) FROM attempts), 0)) AS last",
    ),
    setLastId: db.prepare("UPDATE meta SET value = ? WHERE key = 'last_attempt_id'"),
    pending: db.prepare('SELECT id, pid FROM pending_attempts ORDER BY id'),
    attempt: db.prepare(`${SELECT_ATTEMPT} WHERE a.id = ?`),
    withCode: db.prepare(
      "SELECT id FROM attempts WHERE code_sha256 = ? AND generation_failure IS NULL AND origin = 'run' ORDER BY id DESC LIMIT 1",
    ),
    withBehaviour: db.prepare(
      'SELECT id FROM attempts WHERE behaviour_sha256 = ? ORDER BY id ASC LIMIT 1',
    ),
    failuresSince: db.prepare(
      `${SELECT_ATTEMPT} WHERE a.ok = 0 AND a.created_at >= ? ORDER BY a.id ASC`,
    ),
    shapes: db.prepare(
      'SELECT id, ok, stage, generation_failure IS NULL AS generated FROM attempts ORDER BY id',
    ),
    versions: db.prepare(
      'SELECT v.*, a.code_sha256 FROM versions v JOIN attempts a ON a.id = v.attempt_id ORDER BY v.version',
    ),
    lastVersion: db.prepare('SELECT coalesce(max(version), 0) AS last FROM versions'),
    insertVersion: db.prepare(
      'INSERT INTO versions (version, attempt_id, adopted_at, decision_json) VALUES (?, ?, ?, ?)',
    ),
    setDecision: db.prepare('UPDATE attempts SET decision_json = ? WHERE id = ?'),
    logDecision: db.prepare(
      'INSERT INTO decisions (attempt_id, decided_at, adopt, decision_json) VALUES (?, ?, ?, ?)',
    ),
    totals: db.prepare(`SELECT
          count(*) AS attempts,
          coalesce(sum(ok), 0) AS successes,
          coalesce(sum(ok = 1 AND stage = 'screen'), 0) AS screened,
          coalesce(sum(ok = 1 AND stage = 'duplicate_behaviour'), 0) AS duplicate_behaviours,
          coalesce(sum(generation_failure IS NOT NULL), 0) AS generation_failures,
          min(created_at) AS first_attempt,
          min(CASE WHEN ok = 1 AND stage = 'done' THEN created_at END) AS first_success,
          total(cost_usd) AS dollars,
          coalesce(sum(input_tokens), 0) AS input_tokens,
          coalesce(sum(output_tokens), 0) AS output_tokens,
          coalesce(sum(cache_read_tokens), 0) AS cache_read_tokens,
          coalesce(sum(cache_write_tokens), 0) AS cache_write_tokens,
          (SELECT count(*) FROM versions) AS versions,
          coalesce(sum(tuning_json IS NOT NULL), 0) AS tuned,
          coalesce(sum(json_extract(tuning_json, '$.evaluations')), 0) AS tune_evaluations,
          total(json_extract(tuning_json, '$.wall_ms')) AS tune_wall_ms
        FROM attempts`),
    byOrigin: db.prepare('SELECT origin, count(*) AS n FROM attempts GROUP BY origin'),
    byCategory: db.prepare(
      'SELECT category, count(*) AS n FROM attempts WHERE ok = 0 GROUP BY category ORDER BY category',
    ),
  };
}

export class SqliteQueries {
  private readonly statements: ReturnType<typeof prepare>;

  constructor(private readonly db: Database.Database) {
    this.statements = prepare(db);
  }

  /** Reserves (durably) the id `next(last)`, releasing an id whose code file was taken. */
  reserveId(next: (last: number) => number, abandoned: number | null, nowMs: number): number {
    return this.db
      .transaction(() => {
        if (abandoned !== null) this.statements.releaseId.run(abandoned);
        const { last } = this.statements.lastId.get() as { last: number };
        const id = next(last);
        this.statements.reserve.run(id, nowMs, process.pid);
        this.statements.setLastId.run(id);
        return id;
      })
      .immediate();
  }

  insertAttempt(params: Record<string, unknown>): void {
    this.db
      .transaction(() => {
        this.statements.insertAttempt.run(params);
        this.statements.releaseId.run(params.id);
      })
      .immediate();
  }

  /** After reconciliation: forget these pending reservations, never their ids. */
  releasePending(ids: readonly number[]): void {
    this.db
      .transaction(() => {
        this.db
          .prepare(
            `UPDATE meta SET value = max(value, (SELECT coalesce(max(id), 0) FROM pending_attempts))
             WHERE key = 'last_attempt_id'`,
          )
          .run();
        for (const id of ids) this.statements.releaseId.run(id);
      })
      .immediate();
  }

  /** Reserved ids without a row, with the process that reserved each (null before schema 3). */
  pending(): Array<{ id: number; pid: number | null }> {
    return this.statements.pending.all() as Array<{ id: number; pid: number | null }>;
  }

  attempt(id: string): AttemptRow | null {
    if (!/^[0-9]{1,16}$/.test(id)) return null;
    return (this.statements.attempt.get(Number(id)) as AttemptRow | undefined) ?? null;
  }

  latestWithCode(sha256: string): string | null {
    const row = this.statements.withCode.get(sha256) as { id: number } | undefined;
    return row === undefined ? null : String(row.id);
  }

  earliestWithBehaviour(sha256: string): string | null {
    const row = this.statements.withBehaviour.get(sha256) as { id: number } | undefined;
    return row === undefined ? null : String(row.id);
  }

  failuresSince(sinceMs: number): AttemptRow[] {
    return this.statements.failuresSince.all(sinceMs) as AttemptRow[];
  }

  page(query: AttemptQuery): { total: number; rows: AttemptRow[] } {
    checkQuery(query);
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, value: unknown): void => {
      where.push(clause);
      params.push(value);
    };
    if (query.sinceMs !== undefined) add('a.created_at >= ?', query.sinceMs);
    if (query.untilMs !== undefined) add('a.created_at < ?', query.untilMs);
    if (query.stage !== undefined) add('a.stage = ?', query.stage);
    if (query.category !== undefined) add('a.category = ?', query.category);
    if (query.origin !== undefined) add('a.origin = ?', query.origin);
    if (query.ok !== undefined) add('a.ok = ?', query.ok ? 1 : 0);
    if (query.prompted !== undefined) {
      where.push(query.prompted ? 'a.prompt_user IS NOT NULL' : 'a.prompt_user IS NULL');
    }
    const filter = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
    const order = query.order === 'asc' ? 'ASC' : 'DESC';
    const { total } = this.db
      .prepare(`SELECT count(*) AS total FROM attempts a${filter}`)
      .get(...params) as { total: number };
    const rows = this.db
      .prepare(`${SELECT_ATTEMPT}${filter} ORDER BY a.id ${order} LIMIT ? OFFSET ?`)
      .all(...params, query.limit, query.offset) as AttemptRow[];
    return { total, rows };
  }

  shapes(): AttemptShape[] {
    const rows = this.statements.shapes.all() as Array<{
      id: number;
      ok: number;
      stage: string;
      generated: number;
    }>;
    return rows.map((row) => ({
      id: String(row.id),
      ok: row.ok === 1,
      stage: row.stage,
      generated: row.generated === 1,
    }));
  }

  versions(): VersionRow[] {
    return this.statements.versions.all() as VersionRow[];
  }

  lastVersion(): number {
    return (this.statements.lastVersion.get() as { last: number }).last;
  }

  insertVersion(entry: CodecVersion): void {
    this.db
      .transaction(() => {
        const id = Number(entry.attemptId);
        this.statements.insertVersion.run(
          entry.version,
          id,
          entry.adoptedAtMs,
          JSON.stringify(entry.decision),
        );
        this.decideNow(id, entry.decision, entry.adoptedAtMs);
      })
      .immediate();
  }

  decide(attemptId: number, decision: AdoptionDecision, atMs: number): void {
    this.db.transaction(() => this.decideNow(attemptId, decision, atMs)).immediate();
  }

  private decideNow(attemptId: number, decision: AdoptionDecision, atMs: number): void {
    this.statements.setDecision.run(json(decision), attemptId);
    this.statements.logDecision.run(attemptId, atMs, decision.adopt ? 1 : 0, json(decision));
  }

  totals(): StoreTotals {
    const row = this.statements.totals.get() as TotalsRow;
    const failuresByCategory: Partial<Record<FailureCategory, number>> = {};
    for (const entry of this.statements.byCategory.all() as Array<{
      category: FailureCategory | null;
      n: number;
    }>) {
      if (entry.category !== null) failuresByCategory[entry.category] = entry.n;
    }
    const attemptsByOrigin: Record<AttemptOrigin, number> = { run: 0, evaluate: 0 };
    for (const entry of this.statements.byOrigin.all() as Array<{
      origin: AttemptOrigin;
      n: number;
    }>) {
      attemptsByOrigin[entry.origin] = entry.n;
    }
    return {
      attempts: row.attempts,
      attemptsByOrigin,
      successes: row.successes,
      failures: row.attempts - row.successes,
      screened: row.screened,
      duplicateBehaviours: row.duplicate_behaviours,
      failuresByCategory,
      generationFailures: row.generation_failures,
      firstAttemptAtMs: row.first_attempt,
      firstSuccessAtMs: row.first_success,
      versions: row.versions,
      tuning: {
        attempts: row.tuned,
        evaluations: row.tune_evaluations,
        wallMs: row.tune_wall_ms,
      },
      cost: {
        dollars: row.dollars,
        inputTokens: row.input_tokens,
        outputTokens: row.output_tokens,
        cacheReadTokens: row.cache_read_tokens,
        cacheWriteTokens: row.cache_write_tokens,
      },
    };
  }
}
