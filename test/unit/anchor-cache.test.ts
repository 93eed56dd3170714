import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  FileAnchorCache,
  anchorCachePath,
  canonicalJson,
  clipIdentity,
  settingsHash,
} from '../../src/anchors/anchor-cache.js';
import type { AnchorSettings, FfmpegAnchorPoint } from '../../src/anchors/anchor-point.js';
import type { Clip } from '../../src/evaluation/clip.js';
import { createLogger } from '../../src/logger.js';

const clip = (overrides: Partial<Clip> = {}): Clip => ({
  name: 'a',
  width: 4,
  height: 2,
  fps: 10,
  frames: [Buffer.alloc(24, 1), Buffer.alloc(24, 2)],
  source: '/clips/a.mkv',
  ...overrides,
});

const X264: AnchorSettings & { anchor: 'x264' } = {
  anchor: 'x264',
  levels: [18, 30, 42],
  details: { preset: 'medium', ffmpeg: 'ffmpeg version 4.1', args: ['-crf', '{CRF}'] },
};

const POINTS: FfmpegAnchorPoint[] = X264.levels.map((crf, i) => ({
  crf,
  total_bytes: 1000 - 100 * i,
  bitrate_kbps: 50 - 10 * i,
  bits_per_pixel: 0.5 - 0.1 * i,
  psnr_y_db: 40 - 4 * i,
  worst_psnr_y_db: 39 - 4 * i,
  psnr_yuv_db: 41 - 4 * i,
  ssim_y: 0.98 - 0.05 * i,
}));

describe('cache keys', () => {
  it('change with every setting, and not with key order', () => {
    const base = settingsHash(X264);
    expect(base).toMatch(/^[0-9a-f]{16}$/);
    const variants: AnchorSettings[] = [
      { ...X264, anchor: 'x265' },
      { ...X264, levels: [18, 30, 40] },
      { ...X264, levels: [42, 30, 18] },
      { ...X264, details: { ...X264.details, preset: 'slow' } },
      { ...X264, details: { ...X264.details, ffmpeg: 'ffmpeg version 7.1' } },
      { ...X264, details: { ...X264.details, args: ['-crf', '{CRF}', '-tune', 'psnr'] } },
    ];
    for (const variant of variants) expect(settingsHash(variant)).not.toBe(base);
    const reordered: AnchorSettings = {
      details: { args: ['-crf', '{CRF}'], ffmpeg: 'ffmpeg version 4.1', preset: 'medium' },
      levels: [18, 30, 42],
      anchor: 'x264',
    };
    expect(settingsHash(reordered)).toBe(base);
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: null }] })).toBe('{"a":[{"c":null,"d":2}],"b":1}');
  });

  it('follow clip content, geometry and frame rate, not the name or source', () => {
    const base = clipIdentity(clip()).sha256;
    expect(clipIdentity(clip({ name: 'b', source: '/elsewhere.avi' })).sha256).toBe(base);
    const frames = [Buffer.alloc(24, 1), Buffer.alloc(24, 3)];
    expect(clipIdentity(clip({ frames })).sha256).not.toBe(base);
    expect(clipIdentity(clip({ fps: 25 })).sha256).not.toBe(base);
    expect(clipIdentity(clip({ width: 2, height: 4 })).sha256).not.toBe(base);
    expect(clipIdentity(clip({ frames: [Buffer.alloc(24, 1)] })).sha256).not.toBe(base);
  });

  it('name the file <anchor>-<settingsHash>-<clipSha>.json under anchors/', () => {
    const id = clipIdentity(clip());
    expect(anchorCachePath('/data', X264, id)).toBe(
      `/data/anchors/x264-${settingsHash(X264)}-${id.sha256}.json`,
    );
  });
});

describe('FileAnchorCache', () => {
  let dir: string;
  let logged: string[];
  let cache: FileAnchorCache;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'codec-lab-anchor-cache-'));
    logged = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged.push(chunk.toString());
        done();
      },
    });
    cache = new FileAnchorCache(dir, createLogger({ level: 'warn', destination }));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const id = clipIdentity(clip());
  const file = (): string => anchorCachePath(dir, X264, id);

  it('returns what was put, and nothing for other settings or clips', async () => {
    expect(await cache.get(X264, id)).toBeUndefined();
    await cache.put(X264, id, POINTS);
    expect(await cache.get(X264, id)).toEqual(POINTS);
    expect(await cache.get({ ...X264, levels: [18, 30, 41] }, id)).toBeUndefined();
    expect(await cache.get(X264, clipIdentity(clip({ fps: 25 })))).toBeUndefined();
    // The atomic write leaves no temporary file behind.
    expect(readdirSync(path.join(dir, 'anchors'))).toHaveLength(1);
    expect(logged).toEqual([]);
  });

  const corruptions: Array<[string, (text: string) => string]> = [
    ['truncated', (text) => text.slice(0, text.length / 2)],
    ['empty', () => ''],
    ['not an object', () => '[1, 2]'],
    ['wrong format', (text) => text.replace('codec-lab anchor v1', 'codec-lab anchor v0')],
    ['other settings inside', (text) => text.replace('"medium"', '"slow"')],
    ['other clip inside', (text) => text.replace(id.sha256, 'f'.repeat(64))],
    ['a point missing', (text) => editPoints(text, (points) => points.slice(1))],
    [
      'a NaN-ish metric',
      (text) => editPoints(text, (points) => points.map((p) => ({ ...p, psnr_y_db: 'x' }))),
    ],
    ['a wrong CRF', (text) => editPoints(text, (points) => points.map((p) => ({ ...p, crf: 20 })))],
    [
      'a negative rate',
      (text) => editPoints(text, (points) => points.map((p) => ({ ...p, bitrate_kbps: -1 }))),
    ],
  ];

  it.each(corruptions)(
    'ignores a %s file, logs it, and lets a fresh result replace it',
    async (_name, corrupt) => {
      await cache.put(X264, id, POINTS);
      writeFileSync(file(), corrupt(readFileSync(file(), 'utf8')));
      expect(await cache.get(X264, id)).toBeUndefined();
      expect(logged.join('')).toContain('ignoring corrupt anchor cache file');
      await cache.put(X264, id, POINTS);
      expect(await cache.get(X264, id)).toEqual(POINTS);
    },
  );

  it('passes on only the checked fields', async () => {
    await cache.put(X264, id, POINTS);
    writeFileSync(
      file(),
      editPoints(readFileSync(file(), 'utf8'), (points) =>
        points.map((p) => ({ ...p, note: 'hi' })),
      ),
    );
    expect(await cache.get(X264, id)).toEqual(POINTS);
  });
});

function editPoints(
  text: string,
  edit: (points: Array<Record<string, unknown>>) => unknown[],
): string {
  const data = JSON.parse(text) as { points: Array<Record<string, unknown>> };
  return JSON.stringify({ ...data, points: edit(data.points) });
}
