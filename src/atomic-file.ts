/**
 * Whole-file writes that survive a crash, for every module that keeps files (anchors/, clips/,
 * governance/): a base module, so none of them reaches into store/. The temp file is named
 * like the store's (`.tmp-<pid>-<hex>` next to the target, store/atomic-sync.ts), so one
 * cleanup recognises both.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

async function writeTemp(path: string, data: Buffer | string): Promise<string> {
  const temp = `${dirname(path)}/.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  const handle = await open(temp, 'wx', 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return temp;
}

async function syncDir(path: string): Promise<void> {
  const handle = await open(dirname(path), 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes a file so that readers see either nothing, the old file, or all of the new one. */
export async function writeFileAtomic(path: string, data: Buffer | string): Promise<void> {
  const temp = await writeTemp(path, data);
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp);
    throw error;
  }
  await syncDir(path);
}
