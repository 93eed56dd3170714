/**
 * The Store on SQLite (better-sqlite3, WAL, synchronous=FULL) plus the attempt tree next to it.
 * One holder per data directory (a run), enforced by an OS lock that dies with its process: it
 * alone repairs, adopts and decides. `evaluate` opens it as a guest that only records attempts,
 * with or without a holder: ids are reserved in SQLite transactions and claimed by creating
 * their code file, so both write one tree without a second format. Every write puts the files
 * down first (atomically), then the rows in one transaction; the holder's opening repairs what
 * a crash in between left behind (see reconcile.ts), sparing a live guest's write in flight.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { AdoptionDecision } from '../evaluation/adoption.js';
import { CodecLabError } from '../errors.js';
import type { Logger } from '../logger.js';
import { LOCK_FILE, dataDirInUse, lockDataDir } from './data-dir-lock.js';
import { corrupt, isCorrupt } from './sqlite-errors.js';
import { AttemptTree, bestCodecText, type AttemptShape } from './attempt-tree.js';
import { inFlight, reconcileTree, type RecoveryReport, type TreeIndex } from './reconcile.js';
import { SCHEMA_VERSION, migrate, schemaVersion } from './schema.js';
import {
  attemptFromRow,
  attemptParams,
  versionFromRow,
  type AttemptRow,
  type VersionRow,
} from './sqlite-rows.js';
import { SqliteQueries } from './sqlite-queries.js';
import { sqliteModelOutcomes } from './model-outcomes.js';
import type { ModelOutcome } from '../generators/ensemble/outcome.js';
import {
  checkAdoption,
  checkAttemptRecord,
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

export { LOCK_FILE, dataDirInUse };

export const DATABASE_FILE = 'codec-lab.db';
const NOTHING_REPAIRED: RecoveryReport = {
  orphaned: [],
  restored: [],
  removedTempFiles: [],
  bestRewritten: false,
};

export interface SqliteStoreOptions {
  readonly dataDir: string;
  readonly now?: () => number;
  readonly log?: Logger;
  /** Run `PRAGMA quick_check` at open (default true): find corruption before the loop starts. */
  readonly checkIntegrity?: boolean;
}

/**
 * What a process may do with the store: the `holder` everything; a `guest` records attempts
 * next to the holder; a `reader` (status, versions, the server next to a run) only reads.
 */
export type StoreAccess = 'holder' | 'guest' | 'reader';

export class SqliteStore implements Store {
  private closed = false;

  private constructor(
    private readonly db: Database.Database,
    readonly access: StoreAccess,
    /** The data directory's lock, held by the holder only. */
    private readonly lock: Database.Database | null,
    private readonly queries: SqliteQueries,
    private readonly tree: AttemptTree,
    private readonly file: string,
    private readonly now: () => number,
    /** What opening repaired. */
    readonly recovery: RecoveryReport,
  ) {}

  /**
   * Opens an existing store for reading while another process (the loop) writes it: WAL lets
   * readers see every committed attempt. No lock, no repair; writes throw.
   */
  static openReadOnly(options: Pick<SqliteStoreOptions, 'dataDir' | 'now'>): SqliteStore {
    const file = join(options.dataDir, DATABASE_FILE);
    let db = SqliteStore.openFile(file, options.dataDir);
    if (schemaVersion(db) < SCHEMA_VERSION) {
      // A store written by an older codec-lab: migrate it first (that needs the lock), unless
      // a run holds it, which must then be restarted with this version.
      db.close();
      if (dataDirInUse(options.dataDir)) {
        throw new CodecLabError(
          'STORE_FAILED',
          `the store in ${options.dataDir} has an older schema and a run of an older codec-lab holds it: stop that run and start it with this version (it migrates the store), then try again`,
        );
      }
      SqliteStore.open({ dataDir: options.dataDir }).close();
      db = SqliteStore.openFile(file, options.dataDir);
    }
    const queries = new SqliteQueries(db);
    return new SqliteStore(
      db,
      'reader',
      null,
      queries,
      new AttemptTree(options.dataDir),
      file,
      options.now ?? Date.now,
      NOTHING_REPAIRED,
    );
  }

  /**
   * Opens the store (creating it in a fresh data directory) to record attempts next to
   * whichever process holds the directory, as `evaluate` does while a run works: no lock, no
   * repair (the holder's next start repairs, sparing this process's writes while it lives).
   * It records and reads; adopting and deciding stay the holder's, so the incumbent and the
   * version numbering are never a guest's to change.
   */
  static openGuest(options: Pick<SqliteStoreOptions, 'dataDir' | 'now'>): SqliteStore {
    const { dataDir } = options;
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, DATABASE_FILE);
    let db: Database.Database | null = null;
    try {
      db = new Database(file, { timeout: 5_000 });
      const found = schemaVersion(db);
      if (found > 0 && found < SCHEMA_VERSION && dataDirInUse(dataDir)) {
        throw new CodecLabError(
          'STORE_FAILED',
          `the store in ${dataDir} has an older schema and a run of an older codec-lab holds it: stop that run and start it with this version (it migrates the store), or pass another --data-dir`,
        );
      }
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      migrate(db, file);
      const tree = new AttemptTree(dataDir);
      tree.ensure();
      return new SqliteStore(
        db,
        'guest',
        null,
        new SqliteQueries(db),
        tree,
        file,
        options.now ?? Date.now,
        NOTHING_REPAIRED,
      );
    } catch (error) {
      db?.close();
      throw isCorrupt(error) ? corrupt(file, error) : error;
    }
  }

  private static openFile(file: string, dataDir: string): Database.Database {
    let db: Database.Database;
    try {
      db = new Database(file, { readonly: true, fileMustExist: true, timeout: 5_000 });
    } catch (error) {
      if (
        error instanceof Database.SqliteError ||
        (error as { code?: string }).code === 'SQLITE_CANTOPEN'
      ) {
        throw new CodecLabError(
          'STORE_FAILED',
          `no store in ${dataDir} (${file} cannot be opened: ${(error as Error).message}); run 'codec-lab run --data-dir ${dataDir}' first, or pass the right --data-dir`,
          { cause: error },
        );
      }
      throw isCorrupt(error) ? corrupt(file, error) : error;
    }
    return db;
  }

  /** Opens (creating if needed) the store in `dataDir`, migrates it and repairs the tree. */
  static open(options: SqliteStoreOptions): SqliteStore {
    const { dataDir } = options;
    const now = options.now ?? Date.now;
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, DATABASE_FILE);
    const lock = lockDataDir(dataDir);
    let db: Database.Database | null = null;
    try {
      db = new Database(file, { timeout: 5_000 });
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      if (options.checkIntegrity ?? true) {
        const problems = (db.pragma('quick_check(5)') as Array<{ quick_check: string }>)
          .map((row) => row.quick_check)
          .filter((text) => text !== 'ok');
        if (problems.length > 0) throw corrupt(file, new Error(problems.join('; ')));
      }
      migrate(db, file);
      const queries = new SqliteQueries(db);
      const tree = new AttemptTree(dataDir);
      tree.ensure();
      const index = indexOf(queries);
      const recovery = reconcileTree(tree, index);
      const writing = inFlight(index.pending());
      queries.releasePending(
        index
          .pending()
          .filter(({ id }) => !writing.has(id))
          .map(({ id }) => Number(id)),
      );
      const store = new SqliteStore(db, 'holder', lock, queries, tree, file, now, recovery);
      const repaired =
        recovery.orphaned.length + recovery.restored.length + recovery.removedTempFiles.length;
      if (repaired > 0 || recovery.bestRewritten) {
        options.log?.warn({ dataDir, recovery }, 'store repaired after an interrupted write');
      }
      return store;
    } catch (error) {
      db?.close();
      lock.close();
      throw isCorrupt(error) ? corrupt(file, error) : error;
    }
  }

  recordAttempt(record: AttemptRecord): StoredAttempt {
    this.writable(['holder', 'guest']);
    checkAttemptRecord(record);
    return this.guard(() => {
      const id = this.claimId(record.code);
      const attempt: StoredAttempt = {
        ...record,
        ...earlyFields(record),
        id,
        ok: passes(record),
        version: null,
      };
      this.files(() => this.tree.writeAttemptRest(attempt));
      this.queries.insertAttempt(attemptParams(attempt, this.now()));
      return attempt;
    });
  }

  hasCode(codeSha256: string): string | null {
    return this.guard(() => this.queries.latestWithCode(codeSha256));
  }

  hasBehaviour(behaviourSha256: string): string | null {
    return this.guard(() => this.queries.earliestWithBehaviour(behaviourSha256));
  }

  attempts(query: AttemptQuery): AttemptPage {
    return this.guard(() => {
      const { total, rows } = this.queries.page(query);
      return { total, attempts: rows.map(attemptFromRow) };
    });
  }

  attempt(id: string): StoredAttempt | null {
    return this.guard(() => {
      const row = this.queries.attempt(id);
      return row === null ? null : attemptFromRow(row);
    });
  }

  recentFailures(sinceMs: number): StoredAttempt[] {
    return this.guard(() => this.queries.failuresSince(sinceMs).map(attemptFromRow));
  }

  recordDecision(attemptId: string, decision: AdoptionDecision): void {
    this.writable(['holder']);
    this.guard(() => {
      if (this.queries.attempt(attemptId) === null) {
        throw new Error(`cannot record a decision for attempt ${attemptId}: no such attempt`);
      }
      this.queries.decide(Number(attemptId), decision, this.now());
    });
  }

  adopt(attemptId: string, decision: AdoptionDecision): number {
    this.writable(['holder']);
    return this.guard(() => {
      const attempt = this.attempt(attemptId);
      checkAdoption(attempt, attemptId, decision);
      const entry: CodecVersion = {
        version: this.queries.lastVersion() + 1,
        attemptId,
        adoptedAtMs: this.now(),
        codeSha256: attempt.codeSha256,
        decision,
      };
      this.files(() => {
        this.tree.writeVersion(entry.version, attempt);
        this.tree.writeBest(bestCodecText(entry, attempt));
      });
      this.queries.insertVersion(entry);
      return entry.version;
    });
  }

  versions(): CodecVersion[] {
    return this.guard(() => this.queries.versions().map(versionFromRow));
  }

  incumbent(): IncumbentVersion | null {
    return this.guard(() => {
      const last = this.queries.versions().at(-1);
      if (last === undefined) return null;
      const row = this.queries.attempt(String(last.attempt_id));
      if (row === null) throw corrupt(this.file, new Error(`v${last.version} has no attempt`));
      return { ...versionFromRow(last), attempt: attemptFromRow(row) };
    });
  }

  totals(): StoreTotals {
    return this.guard(() => this.queries.totals());
  }

  modelOutcomes(): ModelOutcome[] {
    return this.guard(() => sqliteModelOutcomes(this.db));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
    this.lock?.close();
  }

  private writable(allowed: readonly StoreAccess[]): void {
    if (allowed.includes(this.access)) return;
    throw new Error(
      this.access === 'reader'
        ? 'this store was opened read-only'
        : 'only the process that holds the data directory (a run) adopts or decides; this store was opened to record attempts next to it',
    );
  }

  /** Reserves the next id in the index, then claims its code file; retries if the name is taken. */
  private claimId(code: string): string {
    let abandoned: number | null = null;
    for (let tries = 0; tries < 1000; tries++) {
      const now = this.now();
      const id = this.queries.reserveId((last) => nextAttemptId(now, last), abandoned, now);
      if (this.files(() => this.tree.claim(String(id), code))) return String(id);
      abandoned = id;
    }
    throw new CodecLabError(
      'STORE_FAILED',
      `could not claim an attempt id in ${this.tree.dataDir}`,
    );
  }

  private files<T>(write: () => T): T {
    try {
      return write();
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new CodecLabError(
        'STORE_FAILED',
        `could not write the attempt tree in ${this.tree.dataDir} (${detail}); check free space and permissions`,
        { cause: error },
      );
    }
  }

  private guard<T>(work: () => T): T {
    if (this.closed) throw new Error('the store is closed');
    try {
      return work();
    } catch (error) {
      throw isCorrupt(error) ? corrupt(this.file, error) : error;
    }
  }
}

function indexOf(queries: SqliteQueries): TreeIndex {
  return {
    pending: () => queries.pending().map(({ id, pid }) => ({ id: String(id), pid })),
    shapes: (): AttemptShape[] => queries.shapes(),
    versions: () => queries.versions().map(versionFromRow),
    attempt: (id) => {
      const row: AttemptRow | null = queries.attempt(id);
      return row === null ? null : attemptFromRow(row);
    },
    incumbent: () => {
      const last: VersionRow | undefined = queries.versions().at(-1);
      const row = last === undefined ? null : queries.attempt(String(last.attempt_id));
      return last === undefined || row === null
        ? null
        : { ...versionFromRow(last), attempt: attemptFromRow(row) };
    },
  };
}
