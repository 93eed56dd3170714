import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  type ClipManifestEntry,
  type ClipSetManifest,
  MANIFEST_FILE,
  clipSetExists,
  framesSha256,
  loadClipSet,
  serialiseClipSetManifest,
} from '../../src/clips/clip-set.js';
import {
  type Clip,
  type ClipReadOptions,
  type ClipReader,
  ClipReadError,
} from '../../src/evaluation/clip.js';
import { CodecLabError } from '../../src/errors.js';

const W = 4;
const H = 2;

function frames(count: number, seed: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => Buffer.alloc(W * H * 3, seed + i));
}

/** Serves clips from memory by absolute path, as `FfmpegClipReader` would from disk. */
class FakeReader implements ClipReader {
  readonly files = new Map<string, Clip>();
  readonly reads: { file: string; options: ClipReadOptions }[] = [];

  read(file: string, options: ClipReadOptions): Promise<Clip> {
    this.reads.push({ file, options });
    const clip = this.files.get(file);
    if (clip === undefined) {
      return Promise.reject(new ClipReadError('CLIP_NOT_FOUND', `clip ${file} does not exist`));
    }
    return Promise.resolve({ ...clip, frames: clip.frames.slice(0, options.maxFrames) });
  }
}

let dir: string;
let reader: FakeReader;

function entry(name: string, clipFrames: readonly Buffer[]): ClipManifestEntry {
  return {
    name,
    file: `${name}.mkv`,
    kind: 'footage',
    package: 'opencv-doc',
    source_path: `/usr/share/${name}.avi`,
    licence: 'Apache-2.0 AND BSD-3-Clause (OpenCV sample data)',
    width: W,
    height: H,
    fps: 15,
    frames: clipFrames.length,
    sha256: framesSha256(clipFrames),
    filter: 'format=bgr0',
  };
}

function store(name: string, clipFrames: Buffer[], fps = 14.99): void {
  const file = path.join(dir, `${name}.mkv`);
  reader.files.set(file, { name, width: W, height: H, fps, frames: clipFrames, source: file });
}

function writeManifest(clips: ClipManifestEntry[]): ClipSetManifest {
  const manifest: ClipSetManifest = {
    version: 1,
    set: 'dev',
    built_at: '2025-01-01T00:00:00Z',
    clips,
  };
  writeFileSync(path.join(dir, MANIFEST_FILE), serialiseClipSetManifest(manifest));
  return manifest;
}

async function loadError(): Promise<CodecLabError> {
  try {
    await loadClipSet(dir, reader);
  } catch (err) {
    expect(err).toBeInstanceOf(CodecLabError);
    return err as CodecLabError;
  }
  throw new Error('loaded');
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'codec-lab-clipset-'));
  reader = new FakeReader();
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('loadClipSet', () => {
  it('returns the clips in manifest order, named and timed by the manifest', async () => {
    const walk = frames(12, 0);
    const tree = frames(12, 100);
    store('walk', walk);
    store('tree', tree);
    const manifest = writeManifest([entry('tree', tree), entry('walk', walk)]);

    const set = await loadClipSet(dir, reader);
    expect(set.manifest).toEqual(manifest);
    expect(set.clips.map((c) => [c.name, c.fps, c.frames.length])).toEqual([
      ['tree', 15, 12],
      ['walk', 15, 12],
    ]);
    expect(set.clips[1]!.frames).toEqual(walk);
    // One frame more than listed is asked for, so an appended frame is noticed.
    expect(reader.reads.map((r) => r.options.maxFrames)).toEqual([13, 13]);
  });

  it('refuses a clip whose pixels changed, saying so and how to fix it', async () => {
    const walk = frames(12, 0);
    store('walk', walk);
    const tampered = frames(12, 0);
    tampered[5]![7] = 99;
    store('tree', tampered);
    writeManifest([entry('walk', walk), entry('tree', frames(12, 0))]);

    const err = await loadError();
    expect(err.code).toBe('CLIP_UNREADABLE');
    expect(err.message).toContain('tree');
    expect(err.message).toContain('changed since it was prepared');
    expect(err.message).toContain(framesSha256(tampered));
    expect(err.message).toContain('re-run `codec-lab clips prepare`');
    expect(err.message).not.toMatch(/walk:/);
  });

  it('refuses extra frames, another size and a missing file, all reported at once', async () => {
    const a = frames(8, 0);
    store('longer', [...a, Buffer.alloc(W * H * 3)]);
    store('smaller', a);
    reader.files.set(path.join(dir, 'smaller.mkv'), {
      name: 'smaller',
      width: W - 2,
      height: H,
      fps: 15,
      frames: a,
      source: 'x',
    });
    writeManifest([entry('longer', a), entry('smaller', a), entry('gone', a)]);

    const message = (await loadError()).message;
    expect(message).toMatch(/longer: .* has 9 frames, the manifest says 8/);
    expect(message).toMatch(/smaller: .* is 2x2, the manifest says 4x2/);
    expect(message).toMatch(/gone: .*gone\.mkv is missing/);
  });

  it('says how to build a set that is not there', async () => {
    expect(await clipSetExists(dir)).toBe(false);
    const err = await loadError();
    expect(err.message).toContain(`no clip set in ${dir}`);
    expect(err.message).toContain('codec-lab clips prepare');
    writeManifest([]);
    expect(await clipSetExists(dir)).toBe(true);
    expect((await loadClipSet(dir, reader)).clips).toEqual([]);
  });

  it('refuses an invalid manifest', async () => {
    writeFileSync(path.join(dir, MANIFEST_FILE), '{"version": 1, "set": "dev"}');
    expect((await loadError()).message).toMatch(/manifest .* is invalid \(built_at: .*clips:/);
  });
});
