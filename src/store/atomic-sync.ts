/**
 * Synchronous twins of atomic.ts for the store, whose writes sit between SQLite transactions.
 * Same temp-file naming (`.tmp-<pid>-<hex>` next to the target), so one cleanup handles both.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';

const TEMP = /^\.tmp-(\d+)-[0-9a-f]+$/;

/** The pid that wrote a temp file, or null when the name is not one of ours. */
export function tempFileOwner(name: string): number | null {
  const match = TEMP.exec(name);
  return match ? Number(match[1]) : null;
}

function writeTemp(path: string, data: Buffer | string): string {
  const temp = `${dirname(path)}/.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  const fd = openSync(temp, 'wx', 0o644);
  try {
    writeFileSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return temp;
}

export function syncDirSync(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Readers see either nothing, the old file, or all of the new one, even across a crash. */
export function writeFileAtomicSync(path: string, data: Buffer | string): void {
  const temp = writeTemp(path, data);
  try {
    renameSync(temp, path);
  } catch (error) {
    unlinkSync(temp);
    throw error;
  }
  syncDirSync(dirname(path));
}

/** Like writeFileAtomicSync, but fails with EEXIST rather than replace an existing file. */
export function createFileAtomicSync(path: string, data: Buffer | string): void {
  const temp = writeTemp(path, data);
  try {
    linkSync(temp, path);
  } finally {
    unlinkSync(temp);
  }
  syncDirSync(dirname(path));
}

/** Moves a file within one file system, durably. */
export function moveFileSync(from: string, to: string): void {
  renameSync(from, to);
  syncDirSync(dirname(to));
  if (dirname(from) !== dirname(to)) syncDirSync(dirname(from));
}
