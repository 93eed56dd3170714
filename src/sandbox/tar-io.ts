import { Readable } from 'node:stream';
import { extract, pack } from 'tar-stream';
import type { SandboxFile, SandboxOutput } from './sandbox.js';

/** Packs files into an uncompressed tar (the only way code and data enter a sandbox). */
export async function packTar(files: readonly SandboxFile[]): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const finished = new Promise<void>((resolve, reject) => {
    archive.on('end', resolve);
    archive.on('error', reject);
  });
  for (const file of files) {
    await new Promise<void>((resolve, reject) => {
      archive.entry(
        { name: file.name, size: file.data.length, mode: 0o644, mtime: new Date(0) },
        file.data,
        (error) => (error ? reject(error) : resolve()),
      );
    });
  }
  archive.finalize();
  await finished;
  return Buffer.concat(chunks);
}

export interface ResultTarLimits {
  readonly maxEntries: number;
  readonly maxTotalBytes: number;
}

const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/;

/** Why an entry name is refused, or null when it is a plain relative path. */
export function unsafeEntryName(name: string): string | null {
  if (name.length === 0 || name.length > 200) return 'empty or overlong name';
  if (name.startsWith('/')) return 'absolute path';
  if (name.split('/').some((part) => part === '..' || part === '.')) return "'..' or '.' segment";
  if (!SAFE_NAME.test(name)) return 'characters outside [A-Za-z0-9_.-/]';
  return null;
}

/**
 * Parses a result tar in memory: regular files only, safe relative names, no duplicates,
 * bounded count and size. Anything else makes the whole result invalid (never partially used).
 */
export async function parseResultTar(
  data: Buffer,
  limits: ResultTarLimits,
): Promise<SandboxOutput> {
  const files = new Map<string, Buffer>();
  let total = 0;
  let refusal: string | null = null;
  const extractor = extract();
  const done = new Promise<void>((resolve, reject) => {
    extractor.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const problem =
        refusal ??
        (header.type !== 'file'
          ? `entry '${header.name}' is a ${header.type}, not a regular file`
          : unsafeEntryName(header.name)
            ? `entry '${header.name}': ${unsafeEntryName(header.name)}`
            : files.has(header.name)
              ? `duplicate entry '${header.name}'`
              : files.size >= limits.maxEntries
                ? `more than ${limits.maxEntries} entries`
                : null);
      if (problem !== null) refusal = problem;
      stream.on('data', (data: unknown) => {
        const chunk = data as Buffer;
        size += chunk.length;
        total += chunk.length;
        if (total > limits.maxTotalBytes) refusal ??= `more than ${limits.maxTotalBytes} bytes`;
        if (refusal === null) chunks.push(chunk);
      });
      stream.on('end', () => {
        if (refusal === null) files.set(header.name, Buffer.concat(chunks, size));
        next();
      });
      stream.on('error', reject);
    });
    extractor.on('finish', resolve);
    extractor.on('error', reject);
  });
  try {
    Readable.from([data]).pipe(extractor);
    await done;
  } catch (error) {
    return { ok: false, reason: `unreadable result tar: ${(error as Error).message}` };
  }
  if (refusal !== null) return { ok: false, reason: refusal };
  return { ok: true, files };
}
