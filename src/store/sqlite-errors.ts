/** SQLite failures the store reports as its own: a corrupt file, with what to do about it. */
import Database from 'better-sqlite3';
import { CodecLabError } from '../errors.js';

const CORRUPT = /^SQLITE_(CORRUPT|NOTADB)/;

export function isCorrupt(error: unknown): boolean {
  return error instanceof Database.SqliteError && CORRUPT.test(error.code);
}

export function corrupt(file: string, cause: unknown): CodecLabError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new CodecLabError(
    'STORE_FAILED',
    `the store ${file} is corrupt or not a SQLite database (${detail}); restore it from a backup, or move it aside (mv ${file} ${file}.broken) and start again with an empty store`,
    { cause },
  );
}
