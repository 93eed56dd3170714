import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { writeFileAtomic } from '../../src/atomic-file.js';

let dir = '';

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'codec-lab-atomic-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('creates a file with the given bytes and nothing else', async () => {
    const path = join(dir, 'new.bin');
    await writeFileAtomic(path, Buffer.from([0, 1, 2, 255]));
    expect(await readFile(path)).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(await readdir(dir)).toEqual(['new.bin']);
  });

  it('replaces an existing file whole, leaving no temporary file', async () => {
    const path = join(dir, 'record.json');
    await writeFileAtomic(path, 'first version, longer');
    await writeFileAtomic(path, 'second');
    expect(await readFile(path, 'utf8')).toBe('second');
    expect(await readdir(dir)).toEqual(['record.json']);
  });

  it('fails when the directory does not exist, leaving nothing behind', async () => {
    await expect(writeFileAtomic(join(dir, 'missing', 'x'), 'x')).rejects.toMatchObject({
      code: 'ENOENT',
    });
    expect(await readdir(dir)).toEqual([]);
  });
});
