import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileAnchorCache, anchorCachePath, clipIdentity } from '../../src/anchors/anchor-cache.js';
import { listAnchors } from '../../src/anchors/anchor-listing.js';
import type { AnchorSettings, FfmpegAnchorPoint } from '../../src/anchors/anchor-point.js';
import type { Clip } from '../../src/evaluation/clip.js';
import { createLogger } from '../../src/logger.js';

const clip: Clip = {
  name: 'a',
  width: 4,
  height: 2,
  fps: 10,
  frames: [Buffer.alloc(24, 1), Buffer.alloc(24, 2)],
  source: '/clips/a.mkv',
};

const settings = (preset: string): AnchorSettings & { anchor: 'x264' } => ({
  anchor: 'x264',
  levels: [18, 30],
  details: { preset },
});

const points = (psnr: number): FfmpegAnchorPoint[] =>
  [18, 30].map((crf, i) => ({
    crf,
    total_bytes: 1000 - 100 * i,
    bitrate_kbps: 50 - 10 * i,
    bits_per_pixel: 0.5 - 0.1 * i,
    psnr_y_db: psnr - 4 * i,
    worst_psnr_y_db: psnr - 5 * i,
    psnr_yuv_db: psnr + 1,
    ssim_y: 0.95,
  }));

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('listAnchors', () => {
  it('is empty without an anchors directory', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'anchor-list-'));
    dirs.push(dir);
    expect(await listAnchors(dir)).toEqual([]);
  });

  it('groups trusted cache files by clip, keeps the newest per anchor, skips corrupt ones', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'anchor-list-'));
    dirs.push(dir);
    const cache = new FileAnchorCache(dir, createLogger({ level: 'silent' }));
    const id = clipIdentity(clip);
    await cache.put(settings('old'), id, points(30));
    const old = anchorCachePath(dir, settings('old'), id);
    utimesSync(old, new Date(1_000_000), new Date(1_000_000));
    await cache.put(settings('new'), id, points(40));
    writeFileSync(path.join(dir, 'anchors', 'x265-broken.json'), '{"format": "nope"');
    writeFileSync(
      path.join(dir, 'anchors', 'x265-forged.json'),
      JSON.stringify({ anchor: 'x265' }),
    );

    const listed = await listAnchors(dir);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ clip: 'a', width: 4, height: 2, frames: 2, fps: 10 });
    expect(Object.keys(listed[0]!.anchors)).toEqual(['x264']);
    expect(listed[0]!.anchors.x264?.[0]?.psnr_y_db).toBe(40);
  });
});
