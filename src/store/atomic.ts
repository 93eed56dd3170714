import { randomBytes } from 'node:crypto';
import { link, open, rename, unlink } from 'node:fs/promises';
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

/** Writes a file so that readers see either nothing or all of it, even across a crash. */
export async function writeFileAtomic(path: string, data: Buffer | string): Promise<void> {
  const temp = await writeTemp(path, data);
  await rename(temp, path);
  await syncDir(path);
}

/**
 * Like writeFileAtomic, but fails with EEXIST instead of replacing an existing file: the way
 * an attempt id is claimed without a lock.
 */
export async function createFileAtomic(path: string, data: Buffer | string): Promise<void> {
  const temp = await writeTemp(path, data);
  try {
    await link(temp, path);
  } finally {
    await unlink(temp);
  }
  await syncDir(path);
}
