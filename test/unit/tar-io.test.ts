import { randomBytes } from 'node:crypto';

import { pack, type Header } from 'tar-stream';
import { describe, expect, it } from 'vitest';

import type { SandboxOutput } from '../../src/sandbox/sandbox.js';
import {
  packTar,
  parseResultTar,
  unsafeEntryName,
  type ResultTarLimits,
} from '../../src/sandbox/tar-io.js';

const LIMITS: ResultTarLimits = { maxEntries: 16, maxTotalBytes: 64 * 1024 };

interface RawEntry {
  readonly header: Partial<Header> & Pick<Header, 'name'>;
  readonly data?: Buffer;
}

/** Builds a tar with tar-stream directly, so entries packTar would never make can be tested. */
async function rawTar(entries: readonly RawEntry[]): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const finished = new Promise<void>((resolve, reject) => {
    archive.on('end', resolve);
    archive.on('error', reject);
  });
  for (const entry of entries) {
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error | null): void => (error ? reject(error) : resolve());
      if (entry.data === undefined) archive.entry(entry.header, done);
      else archive.entry({ ...entry.header, size: entry.data.length }, entry.data, done);
    });
  }
  archive.finalize();
  await finished;
  return Buffer.concat(chunks);
}

const RESULT_JSON: RawEntry = {
  header: { name: 'result.json', type: 'file' },
  data: Buffer.from('{"protocol":1}'),
};

function file(name: string, data: string | Buffer): RawEntry {
  return { header: { name, type: 'file' }, data: Buffer.from(data) };
}

function refused(output: SandboxOutput): string {
  expect(output.ok).toBe(false);
  expect(Object.keys(output).sort()).toEqual(['ok', 'reason']);
  if (output.ok) throw new Error('expected a refusal');
  return output.reason;
}

function accepted(output: SandboxOutput): ReadonlyMap<string, Buffer> {
  if (!output.ok) throw new Error(`expected success, got: ${output.reason}`);
  return output.files;
}

describe('packTar and parseResultTar', () => {
  it('round-trip files byte for byte, including empty and binary ones', async () => {
    const binary = randomBytes(5000);
    const tar = await packTar([
      { name: 'result.json', data: Buffer.from('{"ok":true}') },
      { name: 'run0/000000.bin', data: binary },
      { name: 'run0/000000.json', data: Buffer.from('{}') },
      { name: 'empty.txt', data: Buffer.alloc(0) },
    ]);
    expect(tar.length % 512).toBe(0);
    const files = accepted(await parseResultTar(tar, LIMITS));
    expect([...files.keys()]).toEqual([
      'result.json',
      'run0/000000.bin',
      'run0/000000.json',
      'empty.txt',
    ]);
    expect(files.get('result.json')?.toString()).toBe('{"ok":true}');
    expect(files.get('run0/000000.bin')?.equals(binary)).toBe(true);
    expect(files.get('run0/000000.json')?.toString()).toBe('{}');
    expect(files.get('empty.txt')?.length).toBe(0);
  });

  it('round-trips an empty archive to an empty file map', async () => {
    const files = accepted(await parseResultTar(await packTar([]), LIMITS));
    expect(files.size).toBe(0);
  });

  it('accepts exactly maxEntries entries and exactly maxTotalBytes bytes', async () => {
    const tar = await packTar([
      { name: 'a', data: Buffer.alloc(60, 1) },
      { name: 'b', data: Buffer.alloc(40, 2) },
    ]);
    const files = accepted(await parseResultTar(tar, { maxEntries: 2, maxTotalBytes: 100 }));
    expect(files.size).toBe(2);
    expect(files.get('a')?.length).toBe(60);
    expect(files.get('b')?.length).toBe(40);
  });
});

describe('parseResultTar refuses the whole result', () => {
  it('for a symlink entry', async () => {
    const tar = await rawTar([
      RESULT_JSON,
      { header: { name: 'run0/000000.bin', type: 'symlink', linkname: '/etc/passwd' } },
    ]);
    const reason = refused(await parseResultTar(tar, LIMITS));
    expect(reason).toBe("entry 'run0/000000.bin' is a symlink, not a regular file");
  });

  it('for a hardlink entry', async () => {
    const tar = await rawTar([
      RESULT_JSON,
      { header: { name: 'copy.json', type: 'link', linkname: 'result.json' } },
    ]);
    const reason = refused(await parseResultTar(tar, LIMITS));
    expect(reason).toBe("entry 'copy.json' is a link, not a regular file");
  });

  it('for a directory entry', async () => {
    const tar = await rawTar([RESULT_JSON, { header: { name: 'run0', type: 'directory' } }]);
    const reason = refused(await parseResultTar(tar, LIMITS));
    expect(reason).toMatch(/^entry 'run0\/?' is a directory, not a regular file$/);
  });

  it('for a device or fifo entry', async () => {
    const tar = await rawTar([RESULT_JSON, { header: { name: 'pipe', type: 'fifo' } }]);
    expect(refused(await parseResultTar(tar, LIMITS))).toBe(
      "entry 'pipe' is a fifo, not a regular file",
    );
  });

  it.each([
    ['../escape.txt', "'..' or '.' segment"],
    ['run0/../../etc/cron.d/x', "'..' or '.' segment"],
    ['/etc/passwd', 'absolute path'],
    ['./result2.json', "'..' or '.' segment"],
    ['run0/a b.bin', 'characters outside [A-Za-z0-9_.-/]'],
  ])('for the name %j', async (name, why) => {
    const tar = await rawTar([RESULT_JSON, file(name, 'x')]);
    expect(refused(await parseResultTar(tar, LIMITS))).toBe(`entry '${name}': ${why}`);
  });

  it('for a duplicate name (a later entry must not replace an earlier one)', async () => {
    const tar = await rawTar([RESULT_JSON, file('result.json', '{"protocol":999}')]);
    expect(refused(await parseResultTar(tar, LIMITS))).toBe("duplicate entry 'result.json'");
  });

  it('for more entries than allowed', async () => {
    const tar = await packTar(['a', 'b', 'c'].map((name) => ({ name, data: Buffer.from(name) })));
    expect(refused(await parseResultTar(tar, { maxEntries: 2, maxTotalBytes: 1000 }))).toBe(
      'more than 2 entries',
    );
  });

  it('for more bytes in total than allowed', async () => {
    const tar = await packTar([
      { name: 'a', data: Buffer.alloc(60) },
      { name: 'b', data: Buffer.alloc(41) },
    ]);
    expect(refused(await parseResultTar(tar, { maxEntries: 10, maxTotalBytes: 100 }))).toBe(
      'more than 100 bytes',
    );
  });

  it('for one file larger than the total cap', async () => {
    const tar = await packTar([{ name: 'big.bin', data: Buffer.alloc(10_000) }]);
    expect(refused(await parseResultTar(tar, { maxEntries: 10, maxTotalBytes: 9_999 }))).toBe(
      'more than 9999 bytes',
    );
  });

  it('keeps the first reason when several entries are bad', async () => {
    const tar = await rawTar([
      RESULT_JSON,
      { header: { name: 'link', type: 'symlink', linkname: '/' } },
      file('../x', 'y'),
    ]);
    expect(refused(await parseResultTar(tar, LIMITS))).toBe(
      "entry 'link' is a symlink, not a regular file",
    );
  });
});

describe('parseResultTar on bytes that are not a tar', () => {
  it('refuses random bytes as an unreadable tar', async () => {
    const garbage = Buffer.alloc(1024);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 131 + 7) % 256;
    expect(refused(await parseResultTar(garbage, LIMITS))).toBe(
      'unreadable result tar: Invalid tar header. Maybe the tar is corrupted or it needs to be gunzipped?',
    );
  });

  it('refuses short text as an unreadable tar', async () => {
    expect(refused(await parseResultTar(Buffer.from('Traceback: boom'), LIMITS))).toBe(
      'unreadable result tar: Unexpected end of data',
    );
  });

  it('refuses a truncated tar', async () => {
    const tar = await packTar([{ name: 'result.json', data: Buffer.alloc(2000, 0x20) }]);
    const reason = refused(await parseResultTar(tar.subarray(0, 1024), LIMITS));
    expect(reason).toBe('unreadable result tar: Unexpected end of data');
  });

  it('reads no bytes at all, or only zero blocks, as an empty file map', async () => {
    expect(accepted(await parseResultTar(Buffer.alloc(0), LIMITS)).size).toBe(0);
    expect(accepted(await parseResultTar(Buffer.alloc(1024), LIMITS)).size).toBe(0);
  });
});

describe('unsafeEntryName', () => {
  it.each([
    'result.json',
    'run0/000000.bin',
    'run12/frame000001.bgr',
    'a',
    '_x/y-z.tar.gz',
    'A'.repeat(200),
  ])('accepts %j', (name) => {
    expect(unsafeEntryName(name)).toBeNull();
  });

  it.each([
    ['', 'empty or overlong name'],
    ['A'.repeat(201), 'empty or overlong name'],
    ['/etc/passwd', 'absolute path'],
    ['..', "'..' or '.' segment"],
    ['a/../b', "'..' or '.' segment"],
    ['a/..', "'..' or '.' segment"],
    ['./a', "'..' or '.' segment"],
    ['a/./b', "'..' or '.' segment"],
    ['a//b', 'characters outside [A-Za-z0-9_.-/]'],
    ['a/', 'characters outside [A-Za-z0-9_.-/]'],
    ['.hidden', 'characters outside [A-Za-z0-9_.-/]'],
    ['-rf', 'characters outside [A-Za-z0-9_.-/]'],
    ['a b', 'characters outside [A-Za-z0-9_.-/]'],
    ['a\\..\\b', 'characters outside [A-Za-z0-9_.-/]'],
    ['C:/x', 'characters outside [A-Za-z0-9_.-/]'],
    ['caf\u00e9', 'characters outside [A-Za-z0-9_.-/]'],
    ['a\u0000b', 'characters outside [A-Za-z0-9_.-/]'],
    ['a\nb', 'characters outside [A-Za-z0-9_.-/]'],
  ])('refuses %j', (name, why) => {
    expect(unsafeEntryName(name)).toBe(why);
  });
});
