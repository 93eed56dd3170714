/**
 * The SQLite schema, as numbered migrations. A database records the highest migration applied
 * in `schema_version`; opening it applies the rest, each in its own transaction. Migrations
 * are append-only: never edit one that has shipped. A migration is SQL, or a function for one
 * that must compute (deriving structured data from what old rows stored).
 */
import type Database from 'better-sqlite3';
import { CodecLabError } from '../errors.js';
import { deriveLegacyCauses } from './legacy-causes.js';

export type Migration = string | ((db: Database.Database) => void);

export const MIGRATIONS: readonly Migration[] = [
  // 1: attempts, their reservations, versions and decisions.
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
  INSERT INTO meta (key, value) VALUES ('last_attempt_id', 0);

  -- An id is reserved (committed) before the attempt's files are written and released in the
  -- transaction that inserts its row: a pending id at start-up means a crash in between.
  CREATE TABLE pending_attempts (id INTEGER PRIMARY KEY, reserved_at INTEGER NOT NULL) STRICT;

  CREATE TABLE attempts (
    id INTEGER PRIMARY KEY,
    created_at INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL,
    code TEXT NOT NULL,
    code_sha256 TEXT NOT NULL,
    parent_id INTEGER,
    generator TEXT NOT NULL,
    model TEXT NOT NULL,
    prompt_system TEXT,
    prompt_user TEXT,
    raw_response TEXT NOT NULL,
    generation_failure TEXT,
    stage TEXT NOT NULL,
    category TEXT,
    ok INTEGER NOT NULL,
    failure_message TEXT,
    traceback TEXT,
    failure_line INTEGER,
    findings_json TEXT NOT NULL,
    log TEXT NOT NULL,
    image_id TEXT,
    metrics_json TEXT,
    assessment_json TEXT,
    decision_json TEXT,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cache_read_tokens INTEGER NOT NULL,
    cache_write_tokens INTEGER NOT NULL,
    cost_usd REAL NOT NULL,
    generation_ms REAL NOT NULL,
    evaluation_ms REAL NOT NULL
  ) STRICT;
  CREATE INDEX attempts_created_at ON attempts (created_at);
  CREATE INDEX attempts_stage ON attempts (stage, created_at);
  CREATE INDEX attempts_category ON attempts (category, created_at);
  CREATE INDEX attempts_ok ON attempts (ok, created_at);
  CREATE INDEX attempts_code_sha256 ON attempts (code_sha256);

  CREATE TABLE versions (
    version INTEGER PRIMARY KEY,
    attempt_id INTEGER NOT NULL UNIQUE REFERENCES attempts (id),
    adopted_at INTEGER NOT NULL,
    decision_json TEXT NOT NULL
  ) STRICT;

  -- Every decision ever recorded for an attempt; attempts.decision_json holds the latest.
  CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    attempt_id INTEGER NOT NULL REFERENCES attempts (id),
    decided_at INTEGER NOT NULL,
    adopt INTEGER NOT NULL,
    decision_json TEXT NOT NULL
  ) STRICT;
  CREATE INDEX decisions_attempt ON decisions (attempt_id);
  `,
  // 2: the self-debugger's recommendations a prompt carried, as data ([{key, revision}]), so
  // that what was sent is known without reading the prompt's text.
  `
  ALTER TABLE attempts ADD COLUMN prompt_references_json TEXT;
  `,
  // 3: the structured cause of each failure (evaluation/cause.ts) and of each validator
  // finding (inside findings_json). Rows written before causes existed get theirs derived
  // once from their stored messages; from then on nothing reads a message to find a cause.
  (db) => {
    db.exec('ALTER TABLE attempts ADD COLUMN failure_cause_json TEXT');
    deriveLegacyCauses(db);
  },
  // 4: which command made an attempt (every attempt before this migration was a run's) and
  // the settings it was measured with when they were not the loop's (evaluate's flags), and
  // which process reserved a pending id: a reservation of a live process is a write in
  // flight (`evaluate` writes next to a run), not a crash to repair.
  `
  ALTER TABLE attempts ADD COLUMN origin TEXT NOT NULL DEFAULT 'run';
  ALTER TABLE attempts ADD COLUMN settings_json TEXT;
  CREATE INDEX attempts_origin ON attempts (origin, created_at);
  ALTER TABLE pending_attempts ADD COLUMN pid INTEGER;
  `,
  // 5: behavioural dedup and screening: what the codec did on the smoke clip (a sha256), the
  // earlier attempt a behavioural duplicate points at, and the screening stage's record.
  `
  ALTER TABLE attempts ADD COLUMN behaviour_sha256 TEXT;
  ALTER TABLE attempts ADD COLUMN duplicate_of INTEGER;
  ALTER TABLE attempts ADD COLUMN screening_json TEXT;
  CREATE INDEX attempts_behaviour ON attempts (behaviour_sha256, id);
  `,
  // 6: tunable codecs (docs/ARCHITECTURE.md §3.7): the config['params'] an attempt's sweep ran
  // with, and the tune stage's record (tuned and default values, proxy BD-rates, the proxy
  // evaluations). Null in rows made before, and for codecs without TUNABLES that were not tuned.
  `
  ALTER TABLE attempts ADD COLUMN params_json TEXT;
  ALTER TABLE attempts ADD COLUMN tuning_json TEXT;
  `,
  // 7: which ensemble member (--models: its `name`) wrote an attempt; null when the run had
  // one generator. The model itself was always in `model`.
  `
  ALTER TABLE attempts ADD COLUMN member TEXT;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** The highest migration applied (0 for a database without the table). */
export function schemaVersion(db: Database.Database): number {
  const table = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")
    .get();
  if (table === undefined) return 0;
  const row = db.prepare('SELECT max(version) AS version FROM schema_version').get() as {
    version: number | null;
  };
  return row.version ?? 0;
}

/**
 * Brings the database to SCHEMA_VERSION; returns the version it found. Each step reads the
 * version inside its own write transaction, so two processes opening a store at once (a run
 * starting while `evaluate` records) apply every migration exactly once.
 */
export function migrate(db: Database.Database, file: string): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL) STRICT');
  const applied = (): number =>
    (
      db.prepare('SELECT max(version) AS version FROM schema_version').get() as {
        version: number | null;
      }
    ).version ?? 0;
  const found = applied();
  if (found > SCHEMA_VERSION) {
    throw new CodecLabError(
      'STORE_FAILED',
      `the store ${file} has schema version ${found}, newer than this codec-lab understands (${SCHEMA_VERSION}); upgrade codec-lab, or point --data-dir elsewhere`,
    );
  }
  const step = db.transaction((): boolean => {
    const version = applied() + 1;
    if (version > SCHEMA_VERSION) return false;
    const migration = MIGRATIONS[version - 1] ?? '';
    if (typeof migration === 'string') db.exec(migration);
    else migration(db);
    db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(version);
    return true;
  });
  while (step.immediate()) {
    // one migration per transaction
  }
  return found;
}
