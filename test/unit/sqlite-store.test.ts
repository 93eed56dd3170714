import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { isCodecLabError } from '../../src/errors.js';
import { MIGRATIONS } from '../../src/store/schema.js';
import { DATABASE_FILE, LOCK_FILE, SqliteStore } from '../../src/store/sqlite-store.js';
import { codeSha256 } from '../../src/store/store.js';
import { TUNED } from './store-contract-early.js';
import {
  ADOPT,
  METRICS,
  T0,
  failed,
  generationFailure,
  record,
  storeContract,
} from './store-contract.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'codec-lab-store-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

storeContract('SqliteStore', () => {
  const dataDir = tempDir();
  return {
    fresh: (now) => SqliteStore.open({ dataDir, now }),
    reopen: (now) => SqliteStore.open({ dataDir, now }),
  };
});

describe('SqliteStore attempt tree', () => {
  let dataDir = '';
  let store: SqliteStore;
  const clock = (): number => T0;
  const read = (relative: string): string => readFileSync(join(dataDir, relative), 'utf8');
  const listing = (relative: string): string[] => readdirSync(join(dataDir, relative)).sort();

  beforeEach(() => {
    dataDir = tempDir();
    store = SqliteStore.open({ dataDir, now: clock });
  });

  afterEach(() => {
    store.close();
  });

  function reopen(): SqliteStore {
    store.close();
    store = SqliteStore.open({ dataDir, now: clock });
    return store;
  }

  it('writes the seed layout for successes, failures and responses without code', () => {
    const ok = store.recordAttempt(record('good = 1\n'));
    const refused = store.recordAttempt(
      failed('import numpy as np\nimport os\n', 'validate', 'forbidden_imports'),
    );
    const crashed = store.recordAttempt(failed('x = 1\ny = 1 / 0\n', 'sweep', 'runtime_errors'));
    const nothing = store.recordAttempt(generationFailure('I would rather not.'));
    expect([ok.id, refused.id, crashed.id, nothing.id]).toEqual(
      [0, 1, 2, 3].map((n) => String(T0 + n)),
    );
    expect(listing('code_attempts')).toEqual(
      [
        `attempt_${ok.id}.py`,
        `attempt_${refused.id}.py`,
        `validation_failure_${refused.id}.txt`,
        `attempt_${crashed.id}.py`,
        `error_${crashed.id}.txt`,
        `attempt_${nothing.id}.py`,
        `error_${nothing.id}.txt`,
      ].sort(),
    );
    // Every generated code version; a response without code generated none.
    expect(listing('codec_versions')).toEqual(
      [ok.id, refused.id, crashed.id].map((id) => `codec_attempt_${id}.py`).sort(),
    );
    expect(read(`code_attempts/attempt_${ok.id}.py`)).toBe('good = 1\n');
    expect(read(`codec_versions/codec_attempt_${crashed.id}.py`)).toBe('x = 1\ny = 1 / 0\n');
    const validation = read(`code_attempts/validation_failure_${refused.id}.txt`);
    expect(validation).toContain('stage: validate\ncategory: forbidden_imports');
    expect(validation).toContain('- [forbidden_imports] line 2: forbidden_imports at validate');
    expect(validation).toContain('>    2 | import os');
    const error = read(`code_attempts/error_${crashed.id}.txt`);
    expect(error).toContain('traceback:\nTraceback (most recent call last):\nValueError');
    expect(error).toContain('codec output (capped):\nencoding frame 0');
    const generation = read(`code_attempts/error_${nothing.id}.txt`);
    expect(generation).toContain('stage: generate\ncategory: other');
    expect(generation).toContain('response:\nI would rather not.');
    expect(generation).not.toContain('image:');
    expect(read(`code_attempts/attempt_${nothing.id}.py`)).toBe('');
  });

  it('writes each adopted version and best_codec_implementation.json', () => {
    const first = store.recordAttempt(record('v1 = 1\n'));
    const second = store.recordAttempt(record('v2 = 1\n'));
    store.adopt(first.id, ADOPT);
    store.adopt(second.id, ADOPT);
    expect(read(`codec_versions/v1_attempt_${first.id}.py`)).toBe('v1 = 1\n');
    expect(read(`codec_versions/v2_attempt_${second.id}.py`)).toBe('v2 = 1\n');
    expect(JSON.parse(read('best_codec_implementation.json'))).toEqual({
      version: 2,
      attempt_id: second.id,
      adopted_at: new Date(T0).toISOString(),
      code_path: `codec_versions/v2_attempt_${second.id}.py`,
      code_sha256: codeSha256('v2 = 1\n'),
      bd_rate: { previous: -3.5, jpeg: -41.5, x264: 12.25, x265: 30, vp9: 25, av1: 10.5 },
      metrics: METRICS.points,
      decision: ADOPT.summary,
      params: null,
      tuning: null,
    });
    expect(listing('codec_versions').filter((name) => name.endsWith('.params.json'))).toEqual([]);
  });

  it("writes an adopted version's params with it, and restores them when missing", () => {
    const tuned = store.recordAttempt(record('t = 1\n', { params: TUNED.params, tuning: TUNED }));
    store.adopt(tuned.id, ADOPT);
    const file = `codec_versions/v1_attempt_${tuned.id}.params.json`;
    const written = JSON.parse(read(file)) as Record<string, unknown>;
    expect(written).toMatchObject({ version: 1, attempt_id: tuned.id, params: TUNED.params });
    expect(JSON.parse(read('best_codec_implementation.json'))).toMatchObject({
      params: TUNED.params,
      tuning: { default_bd_rate: 12.5, tuned_bd_rate: -3, evaluations: 12 },
    });
    store.close();
    rmSync(join(dataDir, file));
    store = SqliteStore.open({ dataDir, now: clock });
    expect(JSON.parse(read(file))).toEqual(written);
  });

  it('leaves no temporary files and keeps the database in WAL mode', () => {
    store.adopt(store.recordAttempt(record('a\n')).id, ADOPT);
    store.recordAttempt(failed('b\n', 'smoke', 'crashes'));
    for (const dir of ['.', 'code_attempts', 'codec_versions']) {
      expect(listing(dir).filter((name) => name.startsWith('.tmp-'))).toEqual([]);
    }
    const peek = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
    expect(peek.pragma('journal_mode', { simple: true })).toBe('wal');
    peek.close();
  });

  it("records a guest's (evaluate's) attempts next to the holder, in one id space and tree", () => {
    const before = store.recordAttempt(record('loop = 1\n'));
    const guest = SqliteStore.openGuest({ dataDir, now: clock });
    const evaluated = guest.recordAttempt(
      failed('import os\n', 'validate', 'forbidden_imports', { origin: 'evaluate', settings: {} }),
    );
    const after = store.recordAttempt(record('loop = 2\n'));
    expect([before.id, evaluated.id, after.id]).toEqual([T0, T0 + 1, T0 + 2].map(String));
    expect(store.attempt(evaluated.id)).toEqual(evaluated);
    expect(store.totals().attemptsByOrigin).toEqual({ run: 2, evaluate: 1 });
    expect(read(`code_attempts/attempt_${evaluated.id}.py`)).toBe('import os\n');
    expect(read(`code_attempts/validation_failure_${evaluated.id}.txt`)).toContain(
      'category: forbidden_imports',
    );
    // The incumbent and the numbering stay the holder's.
    expect(() => guest.adopt(evaluated.id, ADOPT)).toThrow(/holds the data directory/);
    expect(() => guest.recordDecision(evaluated.id, ADOPT)).toThrow(/holds the data directory/);
    expect(store.versions()).toEqual([]);
    guest.close();
    expect(reopen().recovery).toEqual({
      removedTempFiles: [],
      orphaned: [],
      restored: [],
      bestRewritten: false,
    });
  });

  it('lets a guest create the store in a fresh data directory', () => {
    const fresh = join(tempDir(), 'not-yet');
    const guest = SqliteStore.openGuest({ dataDir: fresh, now: clock });
    const evaluated = guest.recordAttempt(record('first\n', { origin: 'evaluate', settings: {} }));
    guest.close();
    const holder = SqliteStore.open({ dataDir: fresh, now: clock });
    expect(holder.attempt(evaluated.id)?.origin).toBe('evaluate');
    expect(holder.recovery.orphaned).toEqual([]);
    holder.close();
  });

  it("spares a live guest's write in flight at start-up, and repairs a dead one's", () => {
    store.close();
    const live = T0 + 5;
    const dead = T0 + 6;
    const db = new Database(join(dataDir, DATABASE_FILE));
    const reserve = db.prepare(
      'INSERT INTO pending_attempts (id, reserved_at, pid) VALUES (?, ?, ?)',
    );
    reserve.run(live, T0, process.ppid);
    reserve.run(dead, T0, 999_999_999);
    db.prepare("UPDATE meta SET value = ? WHERE key = 'last_attempt_id'").run(dead);
    db.close();
    for (const id of [live, dead]) {
      writeFileSync(join(dataDir, `code_attempts/attempt_${id}.py`), `${id}\n`);
      writeFileSync(join(dataDir, `codec_versions/codec_attempt_${id}.py`), `${id}\n`);
    }
    store = SqliteStore.open({ dataDir, now: clock });
    expect(store.recovery.orphaned.map((move) => move.from).sort()).toEqual([
      `code_attempts/attempt_${dead}.py`,
      `codec_versions/codec_attempt_${dead}.py`,
    ]);
    expect(read(`code_attempts/attempt_${live}.py`)).toBe(`${live}\n`);
    expect(read(`codec_versions/codec_attempt_${live}.py`)).toBe(`${live}\n`);
    // The live reservation stays until its writer inserts the row; no id is handed out twice.
    const peek = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
    expect(peek.prepare('SELECT id FROM pending_attempts').all()).toEqual([{ id: live }]);
    peek.close();
    expect(Number(store.recordAttempt(record('next\n')).id)).toBe(dead + 1);
  });

  it('moves files whose row never got written to code_attempts/orphaned/', () => {
    const kept = store.recordAttempt(record('kept\n'));
    store.close();
    // A crash after the id was reserved and the files written, before the row.
    const lost = String(T0 + 1);
    const db = new Database(join(dataDir, DATABASE_FILE));
    db.prepare('INSERT INTO pending_attempts (id, reserved_at) VALUES (?, ?)').run(T0 + 1, T0);
    db.close();
    writeFileSync(join(dataDir, `code_attempts/attempt_${lost}.py`), 'lost\n');
    writeFileSync(join(dataDir, `code_attempts/error_${lost}.txt`), 'half');
    writeFileSync(join(dataDir, `codec_versions/codec_attempt_${lost}.py`), 'lost\n');
    // A crash inside adopt(): the version file and best json were written, the row was not.
    writeFileSync(join(dataDir, `codec_versions/v1_attempt_${kept.id}.py`), 'kept\n');
    writeFileSync(join(dataDir, 'best_codec_implementation.json'), '{"version": 1, "attem');
    writeFileSync(join(dataDir, 'code_attempts/.tmp-999999999-abcdef'), 'partial');

    store = SqliteStore.open({ dataDir, now: clock });
    expect(store.recovery.orphaned.map((move) => move.from).sort()).toEqual(
      [
        'best_codec_implementation.json',
        `code_attempts/attempt_${lost}.py`,
        `code_attempts/error_${lost}.txt`,
        `codec_versions/codec_attempt_${lost}.py`,
        `codec_versions/v1_attempt_${kept.id}.py`,
      ].sort(),
    );
    expect(store.recovery.removedTempFiles).toEqual(['code_attempts/.tmp-999999999-abcdef']);
    expect(store.recovery.bestRewritten).toBe(true);
    expect(listing('code_attempts/orphaned')).toEqual(
      [
        'best_codec_implementation.json',
        `attempt_${lost}.py`,
        `error_${lost}.txt`,
        `codec_attempt_${lost}.py`,
        `v1_attempt_${kept.id}.py`,
      ].sort(),
    );
    expect(existsSync(join(dataDir, 'best_codec_implementation.json'))).toBe(false);
    expect(store.attempt(lost)).toBeNull();
    // The lost id is never handed out again.
    expect(Number(store.recordAttempt(record('next\n')).id)).toBeGreaterThan(T0 + 1);
    expect(store.adopt(kept.id, ADOPT)).toBe(1);
    expect(reopen().recovery).toEqual({
      removedTempFiles: [],
      orphaned: [],
      restored: [],
      bestRewritten: false,
    });
  });

  it('rewrites best_codec_implementation.json from the index when it disagrees', () => {
    const attempt = store.recordAttempt(record('best\n'));
    store.adopt(attempt.id, ADOPT);
    const expected = read('best_codec_implementation.json');
    writeFileSync(join(dataDir, 'best_codec_implementation.json'), '{"version": 7}\n');
    expect(reopen().recovery.bestRewritten).toBe(true);
    expect(read('best_codec_implementation.json')).toBe(expected);
  });

  it('rewrites files of stored attempts that went missing', () => {
    const attempt = store.recordAttempt(failed('gone\n', 'smoke', 'crashes'));
    store.adopt(store.recordAttempt(record('v\n')).id, ADOPT);
    rmSync(join(dataDir, `code_attempts/attempt_${attempt.id}.py`));
    rmSync(join(dataDir, `code_attempts/error_${attempt.id}.txt`));
    rmSync(join(dataDir, `codec_versions/v1_attempt_${T0 + 1}.py`));
    expect([...reopen().recovery.restored].sort()).toEqual(
      [
        `code_attempts/attempt_${attempt.id}.py`,
        `code_attempts/error_${attempt.id}.txt`,
        `codec_versions/v1_attempt_${T0 + 1}.py`,
      ].sort(),
    );
    expect(read(`code_attempts/attempt_${attempt.id}.py`)).toBe('gone\n');
    expect(read(`code_attempts/error_${attempt.id}.txt`)).toContain('category: crashes');
  });

  it('refuses a second writer on the same data directory', () => {
    let error: unknown;
    try {
      SqliteStore.open({ dataDir, now: clock });
    } catch (caught) {
      error = caught;
    }
    expect(isCodecLabError(error, 'STORE_FAILED')).toBe(true);
    expect((error as Error).message).toContain('another codec-lab process');
    expect((error as Error).message).toContain(dataDir);
  });
});

describe('SqliteStore on a broken database', () => {
  it('says which file is not a database and what to do', () => {
    const dataDir = tempDir();
    const file = join(dataDir, DATABASE_FILE);
    writeFileSync(file, 'this is not a database, it is a shopping list\n'.repeat(200));
    let error: unknown;
    try {
      SqliteStore.open({ dataDir });
    } catch (caught) {
      error = caught;
    }
    expect(isCodecLabError(error, 'STORE_FAILED')).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain(file);
    expect(message).toMatch(/restore it from a backup/);
    expect(message).toContain('move it aside');
    // The lock was released: once the file is moved aside, the store opens.
    rmSync(file);
    SqliteStore.open({ dataDir }).close();
  });

  it('refuses a database from a newer codec-lab', () => {
    const dataDir = tempDir();
    SqliteStore.open({ dataDir }).close();
    const db = new Database(join(dataDir, DATABASE_FILE));
    db.prepare('INSERT INTO schema_version (version) VALUES (99)').run();
    db.close();
    expect(() => SqliteStore.open({ dataDir })).toThrow(/schema version 99/);
  });
});

describe('SqliteStore schema upgrades', () => {
  it('keeps the recommendations a prompt carried, as data', () => {
    const dataDir = tempDir();
    const store = SqliteStore.open({ dataDir, now: () => T0 });
    const prompt = {
      system: 'contract',
      user: 'task [ref timeouts#r2]',
      references: [{ key: 'timeouts', revision: 2 }],
    };
    const stored = store.recordAttempt(record('print(1)\n', { prompt }));
    store.close();
    const reader = SqliteStore.openReadOnly({ dataDir });
    expect(reader.attempt(stored.id)?.prompt).toEqual(prompt);
    reader.close();
  });

  it("counts the attempts of an older store as the loop's", () => {
    const dataDir = tempDir();
    const db = new Database(join(dataDir, DATABASE_FILE));
    for (const migration of MIGRATIONS.slice(0, 2)) {
      if (typeof migration !== 'string') throw new Error('migrations 1 and 2 are SQL text');
      db.exec(migration);
    }
    db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL) STRICT');
    db.prepare('INSERT INTO schema_version (version) VALUES (2)').run();
    db.close();
    const v2 = SqliteStore.open({ dataDir, now: () => T0 });
    v2.close();
    const old = new Database(join(dataDir, DATABASE_FILE));
    // A row as schema 2 wrote it: no origin column in the INSERT.
    old.exec(`INSERT INTO attempts (id, created_at, recorded_at, code, code_sha256, generator, model,
      raw_response, stage, ok, findings_json, log, input_tokens, output_tokens, cache_read_tokens,
      cache_write_tokens, cost_usd, generation_ms, evaluation_ms)
      VALUES (${T0}, ${T0}, ${T0}, 'x', 'sha', 'offline', 'm', '', 'done', 1, '[]', '', 0, 0, 0, 0, 0, 0, 0)`);
    old.close();
    const reader = SqliteStore.openReadOnly({ dataDir });
    expect(reader.attempt(String(T0))).toMatchObject({ origin: 'run', settings: null });
    expect(reader.totals().attemptsByOrigin).toEqual({ run: 1, evaluate: 0 });
    reader.close();
  });

  it('refuses a guest on an older store that an older run holds, saying what to do', () => {
    const dataDir = tempDir();
    const db = new Database(join(dataDir, DATABASE_FILE));
    const first = MIGRATIONS[0];
    if (typeof first !== 'string') throw new Error('migration 1 is SQL text');
    db.exec(first);
    db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL) STRICT');
    db.prepare('INSERT INTO schema_version (version) VALUES (1)').run();
    db.close();
    // The older run's lock, taken the way every codec-lab takes it.
    const lock = new Database(join(dataDir, LOCK_FILE));
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('CREATE TABLE holder (pid INTEGER); INSERT INTO holder VALUES (1);');
    expect(() => SqliteStore.openGuest({ dataDir })).toThrow(
      /older schema and a run of an older codec-lab holds it: stop that run/,
    );
    lock.close();
    SqliteStore.openGuest({ dataDir }).close();
  });

  it('migrates a store written by the first schema when a reader opens it', () => {
    const dataDir = tempDir();
    const db = new Database(join(dataDir, DATABASE_FILE));
    const first = MIGRATIONS[0];
    if (typeof first !== 'string') throw new Error('migration 1 is SQL');
    db.exec(first);
    db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL) STRICT');
    db.prepare('INSERT INTO schema_version (version) VALUES (1)').run();
    db.close();
    const reader = SqliteStore.openReadOnly({ dataDir });
    expect(reader.totals().attempts).toBe(0);
    reader.close();
    const check = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
    const columns = check.prepare('PRAGMA table_info(attempts)').all() as { name: string }[];
    expect(columns.map((column) => column.name)).toContain('prompt_references_json');
    check.close();
  });
});
