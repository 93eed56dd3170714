/**
 * The data directory's lock: a SQLite file held in EXCLUSIVE locking mode by the process that
 * holds the store (a run), so the kernel drops it when that process dies. Guests (`evaluate`)
 * and readers never take it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CodecLabError } from '../errors.js';
import { corrupt, isCorrupt } from './sqlite-errors.js';

export const LOCK_FILE = 'codec-lab.lock';

/** Whether a live process (a run) holds the data directory. */
export function dataDirInUse(dataDir: string): boolean {
  const file = join(dataDir, LOCK_FILE);
  if (!existsSync(file)) return false;
  let probe: Database.Database | null = null;
  try {
    probe = new Database(file, { timeout: 0, fileMustExist: true });
    probe.pragma('locking_mode = EXCLUSIVE');
    probe.exec('BEGIN EXCLUSIVE; COMMIT;');
    return false;
  } catch (error) {
    return error instanceof Database.SqliteError && error.code.startsWith('SQLITE_BUSY');
  } finally {
    probe?.close();
  }
}

/** Holds the data directory for this process; the kernel drops the lock if it dies. */
export function lockDataDir(dataDir: string): Database.Database {
  const file = join(dataDir, LOCK_FILE);
  const lock = new Database(file, { timeout: 0 });
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER); DELETE FROM holder;');
    lock.prepare('INSERT INTO holder (pid) VALUES (?)').run(process.pid);
    return lock;
  } catch (error) {
    lock.close();
    if (error instanceof Database.SqliteError && error.code.startsWith('SQLITE_BUSY')) {
      throw new CodecLabError(
        'STORE_FAILED',
        `another codec-lab process is using the data directory ${dataDir} (${file} is locked); stop it, or choose another --data-dir ('codec-lab evaluate', 'status' and 'serve' work next to it)`,
        { cause: error },
      );
    }
    throw isCorrupt(error) ? corrupt(file, error) : error;
  }
}
