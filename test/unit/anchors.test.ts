import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { FileAnchorCache } from '../../src/anchors/anchor-cache.js';
import type {
  AnchorName,
  AnchorMetrics,
  AnchorSettings,
  FfmpegAnchorName,
  FfmpegAnchorPoint,
  JpegAnchorPoint,
} from '../../src/anchors/anchor-point.js';
import { AnchorError } from '../../src/anchors/anchor-point.js';
import {
  type AnchorClipRow,
  type AnchorProgress,
  type AnchorTable,
  type CodecClipCurve,
  anchorBdRates,
  anchorsJson,
  codecBdRates,
  measureAnchors,
  renderAnchorTable,
} from '../../src/anchors/anchors.js';
import type { Clip } from '../../src/evaluation/clip.js';
import { createLogger } from '../../src/logger.js';

/** Five rates a factor 2 apart; PSNR linear in log-rate, so PCHIP is exact and BD-rates are known. */
const BASE_KBPS = [100, 200, 400, 800, 1600];
const psnrAt = (kbps: number): number => 30 + 10 * Math.log10(kbps / 100);

function metrics(kbps: number, psnr: number): AnchorMetrics {
  return {
    total_bytes: Math.round((kbps * 1000 * 1.2) / 8),
    bitrate_kbps: kbps,
    bits_per_pixel: kbps / 192,
    psnr_y_db: psnr,
    worst_psnr_y_db: psnr - 0.5,
    psnr_yuv_db: psnr + 1,
    ssim_y: 0.9,
  };
}

/** A curve needing `factor` times the base rate for the same PSNR. */
const crfCurve = (factor: number): FfmpegAnchorPoint[] =>
  BASE_KBPS.map((kbps, i) => ({ crf: 42 - 6 * i, ...metrics(kbps * factor, psnrAt(kbps)) }));
const QUALITIES = [0.1, 0.3, 0.5, 0.7, 0.9];
const jpegCurve = (factor: number): JpegAnchorPoint[] =>
  BASE_KBPS.map((kbps, i) => ({ quality: QUALITIES[i]!, ...metrics(kbps * factor, psnrAt(kbps)) }));

const GEOMETRY = { width: 160, height: 120, frames: 12, fps: 10 };

function row(clip: string, jpeg = 2, x264 = 1, x265 = 0.8, vp9 = 0.75, av1 = 0.6): AnchorClipRow {
  return {
    clip,
    sha256: 'ab'.repeat(32),
    ...GEOMETRY,
    anchors: {
      jpeg: jpegCurve(jpeg),
      x264: crfCurve(x264),
      x265: crfCurve(x265),
      vp9: crfCurve(vp9),
      av1: crfCurve(av1),
    },
  };
}

const SETTINGS = (anchor: AnchorName): AnchorSettings => ({
  anchor,
  levels: anchor === 'jpeg' ? QUALITIES : [42, 36, 30, 24, 18],
  details: { version: 'test' },
});

const TABLE: AnchorTable = {
  settings: {
    jpeg: SETTINGS('jpeg'),
    x264: SETTINGS('x264'),
    x265: SETTINGS('x265'),
    vp9: SETTINGS('vp9'),
    av1: SETTINGS('av1'),
  },
  clips: [row('a'), row('b', 3, 1, 0.9)],
};

const codecCurve = (clip: string, factor: number, psnrShift = 0): CodecClipCurve => ({
  clip,
  ...GEOMETRY,
  points: BASE_KBPS.map((kbps) => ({
    bitrate_kbps: kbps * factor,
    psnr_y_db: psnrAt(kbps) + psnrShift,
  })),
});

describe('anchorBdRates', () => {
  it('gives each pair per clip and its mean and median', () => {
    const [x265x264, x264jpeg, x265jpeg] = anchorBdRates(TABLE);
    expect(x265x264).toMatchObject({ test: 'x265', reference: 'x264' });
    expect(x265x264!.per_clip.map((c) => c.bd_rate_pct)).toEqual([
      expect.closeTo(-20, 6),
      expect.closeTo(-10, 6),
    ]);
    expect(x265x264!.mean_pct).toBeCloseTo(-15, 6);
    expect(x265x264!.median_pct).toBeCloseTo(-15, 6);
    expect(x265x264!.reason).toBeUndefined();
    // x264 at 1× against JPEG at 2× and 3×: −50 % and −66.7 %.
    expect(x264jpeg!.mean_pct).toBeCloseTo((-50 - 200 / 3) / 2, 6);
    expect(x265jpeg!.per_clip[0]!.bd_rate_pct).toBeCloseTo(-60, 6);
    expect(x265jpeg!.per_clip[0]!.coverage).toBeCloseTo(1, 9);
  });

  it('compares VP9 and AV1 with x264, x265, each other and JPEG', () => {
    const pairs = anchorBdRates(TABLE);
    const pair = (test: string, reference: string) =>
      pairs.find((p) => p.test === test && p.reference === reference);
    // 0.75× and 0.6× of x264's rate on both clips.
    expect(pair('vp9', 'x264')!.mean_pct).toBeCloseTo(-25, 6);
    expect(pair('av1', 'x264')!.mean_pct).toBeCloseTo(-40, 6);
    expect(pair('av1', 'vp9')!.mean_pct).toBeCloseTo(-20, 6);
    expect(pair('av1', 'x265')!.per_clip[0]!.bd_rate_pct).toBeCloseTo(-25, 6);
    expect(pair('vp9', 'jpeg')!.per_clip[0]!.bd_rate_pct).toBeCloseTo((0.75 / 2 - 1) * 100, 6);
  });
});

describe('codecBdRates', () => {
  it('compares a codec with every anchor, clip by clip', () => {
    const result = codecBdRates([codecCurve('a', 0.5), codecCurve('b', 0.5)], TABLE);
    // Half x264's rate on both clips; against JPEG (2× and 3×) a quarter and a sixth.
    expect(result.x264.mean_pct).toBeCloseTo(-50, 6);
    expect(result.jpeg.per_clip.map((c) => c.bd_rate_pct)).toEqual([
      expect.closeTo(-75, 6),
      expect.closeTo((1 / 6 - 1) * 100, 6),
    ]);
    expect(result.x265.per_clip[0]!.bd_rate_pct).toBeCloseTo((0.5 / 0.8 - 1) * 100, 6);
    expect(result.x265.reason).toBeUndefined();
    expect(result.vp9.per_clip[0]!.bd_rate_pct).toBeCloseTo((0.5 / 0.75 - 1) * 100, 6);
    expect(result.av1.mean_pct).toBeCloseTo((0.5 / 0.6 - 1) * 100, 6);
    expect(Object.keys(result)).toEqual(['jpeg', 'x264', 'x265', 'vp9', 'av1']);
  });

  it('gives null with a reason when a clip has no common PSNR range', () => {
    // Clip b's curve sits 20 dB above every anchor: no overlap is a failure, not "unknown".
    const result = codecBdRates([codecCurve('a', 0.5), codecCurve('b', 1, 20)], TABLE);
    expect(result.x264.mean_pct).toBeNull();
    expect(result.x264.median_pct).toBeNull();
    expect(result.x264.reason).toMatch(/^1 of 2 clip\(s\) have no BD-rate: b: no_overlap/);
    expect(result.x264.per_clip[0]!.bd_rate_pct).toBeCloseTo(-50, 6);
    expect(result.x264.per_clip[1]).toMatchObject({
      clip: 'b',
      bd_rate_pct: null,
      reason: 'no_overlap',
    });
  });

  it('refuses clips the anchors were not measured on, or measured differently', () => {
    const fewer = { ...codecCurve('a', 0.5), frames: 8 };
    const result = codecBdRates([fewer, codecCurve('elsewhere', 0.5)], TABLE);
    expect(result.jpeg.mean_pct).toBeNull();
    expect(result.jpeg.per_clip.map((c) => c.reason)).toEqual([
      'no_anchor_for_clip',
      'no_anchor_for_clip',
    ]);
    expect(result.jpeg.per_clip[0]!.message).toContain('8 frames');
    expect(result.jpeg.per_clip[0]!.message).toContain('12 frames');
  });

  it('passes on the BD failure for too few points', () => {
    const short: CodecClipCurve = {
      ...codecCurve('a', 0.5),
      points: codecCurve('a', 0.5).points.slice(0, 3),
    };
    const result = codecBdRates([short], TABLE);
    expect(result.x265.per_clip[0]).toMatchObject({ reason: 'too_few_points', bd_rate_pct: null });
    expect(result.x265.reason).toContain('too_few_points');
  });

  it('gives a reason when there are no clips at all', () => {
    expect(codecBdRates([], TABLE).jpeg).toEqual({
      mean_pct: null,
      median_pct: null,
      reason: 'no clips to compare on',
      per_clip: [],
    });
  });
});

describe('renderAnchorTable', () => {
  it('prints every point of every anchor and the BD-rate summary', () => {
    const text = renderAnchorTable(TABLE, anchorBdRates(TABLE));
    expect(text).toContain('clip a   160x120, 12 frames @ 10 fps');
    expect(text).toMatch(
      /^jpeg\s+q 0\.10\s+200\.0\s+1\.042\s+30\.00\s+29\.50\s+31\.00\s+0\.9000$/m,
    );
    expect(text).toMatch(/^x265\s+crf 18\s+1280\.0\s/m);
    expect(text).toMatch(
      /^x265 vs x264\s+mean -15\.0 %\s+median -15\.0 %\s+\[a -20\.0 %, b -10\.0 %\]$/m,
    );
    expect(text).toMatch(/^x264 vs jpeg\s+mean -58\.3 %/m);
  });

  it('says why a pair has no mean', () => {
    const broken: AnchorTable = {
      ...TABLE,
      clips: [{ ...row('a'), anchors: { ...row('a').anchors, x265: crfCurve(0.8).slice(0, 2) } }],
    };
    const text = renderAnchorTable(broken, anchorBdRates(broken));
    expect(text).toMatch(
      /^x265 vs x264\s+n\/a: 1 of 1 clip\(s\) have no BD-rate: a: too_few_points/m,
    );
    expect(text).toContain('[a n/a (too_few_points)]');
  });

  it('has a JSON form with the points and the BD-rates', () => {
    const json = JSON.parse(JSON.stringify(anchorsJson(TABLE, anchorBdRates(TABLE)))) as {
      clips: AnchorClipRow[];
      bd_rates: Array<{ test: string; reference: string; mean_pct: number }>;
    };
    expect(json.clips[0]!.anchors.x264[4]!.crf).toBe(18);
    expect(json.bd_rates.map((p) => `${p.test}/${p.reference}`)).toEqual([
      'x265/x264',
      'x264/jpeg',
      'x265/jpeg',
      'vp9/x264',
      'av1/x264',
      'av1/x265',
      'av1/vp9',
      'vp9/jpeg',
      'av1/jpeg',
    ]);
    expect(Object.keys(json.clips[0]!.anchors)).toEqual(['jpeg', 'x264', 'x265', 'vp9', 'av1']);
  });
});

describe('measureAnchors', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  const clip = (name: string, value: number): Clip => ({
    name,
    width: 4,
    height: 2,
    fps: 10,
    frames: [Buffer.alloc(24, value), Buffer.alloc(24, value + 1)],
    source: `/clips/${name}.mkv`,
  });

  function fakes(options: { jpegFails?: boolean } = {}) {
    const calls: string[] = [];
    const ffmpeg = {
      settings: (anchor: FfmpegAnchorName) => Promise.resolve(SETTINGS(anchor)),
      measure: (c: Clip, anchor: FfmpegAnchorName) => {
        calls.push(`${anchor}:${c.name}`);
        return Promise.resolve(crfCurve({ x264: 1, x265: 0.8, vp9: 0.75, av1: 0.6 }[anchor]));
      },
    };
    const jpeg = {
      settings: () => Promise.resolve(SETTINGS('jpeg')),
      measure: (clips: readonly Clip[]) => {
        calls.push(`jpeg:${clips.map((c) => c.name).join('+')}`);
        if (options.jpegFails) return Promise.reject(new AnchorError('JPEG_ANCHOR_FAILED', 'boom'));
        return Promise.resolve(clips.map(() => jpegCurve(2)));
      },
    };
    return { calls, ffmpeg, jpeg };
  }

  it('measures what the cache lacks, then serves it from the cache', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'codec-lab-anchors-'));
    dirs.push(dir);
    const cache = new FileAnchorCache(dir, createLogger({ level: 'silent' }));
    const clips = [clip('a', 10), clip('b', 20)];
    const first = fakes();
    const events: AnchorProgress[] = [];
    const table = await measureAnchors({
      clips,
      ...first,
      cache,
      progress: (e) => events.push(e),
    });
    expect(first.calls.sort()).toEqual([
      'av1:a',
      'av1:b',
      'jpeg:a+b',
      'vp9:a',
      'vp9:b',
      'x264:a',
      'x264:b',
      'x265:a',
      'x265:b',
    ]);
    expect(events.every((e) => e.from === 'measured')).toBe(true);
    expect(table.clips.map((r) => r.clip)).toEqual(['a', 'b']);
    expect(table.clips[1]!.anchors.x265).toEqual(crfCurve(0.8));
    expect(table.clips[1]!.anchors.av1).toEqual(crfCurve(0.6));
    expect(table.settings.vp9).toEqual(SETTINGS('vp9'));
    expect(table.settings.jpeg).toEqual(SETTINGS('jpeg'));

    const second = fakes();
    const cachedEvents: AnchorProgress[] = [];
    const again = await measureAnchors({
      clips: [...clips, clip('c', 30)],
      ...second,
      cache,
      progress: (e) => cachedEvents.push(e),
    });
    expect(second.calls.sort()).toEqual(['av1:c', 'jpeg:c', 'vp9:c', 'x264:c', 'x265:c']);
    expect(again.clips.slice(0, 2)).toEqual(table.clips);
    expect(cachedEvents.filter((e) => e.from === 'cache').map((e) => e.clips)).toEqual([
      ['a', 'b'],
      ['a', 'b'],
      ['a', 'b'],
      ['a', 'b'],
      ['a', 'b'],
    ]);
  });

  it('throws the anchor failure once the other anchors have finished', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'codec-lab-anchors-'));
    dirs.push(dir);
    const cache = new FileAnchorCache(dir, createLogger({ level: 'silent' }));
    const run = fakes({ jpegFails: true });
    await expect(measureAnchors({ clips: [clip('a', 1)], ...run, cache })).rejects.toMatchObject({
      code: 'JPEG_ANCHOR_FAILED',
    });
    expect(run.calls).toContain('av1:a');
  });

  it('refuses clips that share a name', async () => {
    const run = fakes();
    const cache = { get: () => Promise.resolve(undefined), put: () => Promise.resolve() };
    await expect(
      measureAnchors({ clips: [clip('a', 1), clip('a', 2)], ...run, cache }),
    ).rejects.toThrow(/two clips are named a/);
  });
});
