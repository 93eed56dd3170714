/**
 * Independent cross-checks of the metrics: real JPEG damage made by ffmpeg,
 * measured by our code, by a deliberately naive re-implementation, and by
 * ffmpeg's own psnr and ssim filters on the very same 8-bit luma planes.
 *
 * ffmpeg's `format=gray` would derive luma with limited-range BT.601, so it is
 * never asked to convert colour: it is given our Y planes, rounded to 8 bits.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Clip } from '../../src/evaluation/clip.js';
import { FfmpegClipReader } from '../../src/evaluation/ffmpeg-clip-reader.js';
import {
  type ClipMetrics,
  bgrToLuma,
  computeClipMetrics,
  planeMse,
  pooledPsnr,
  psnrFromMse,
} from '../../src/evaluation/metrics.js';
import { SsimCalculator } from '../../src/evaluation/ssim.js';
import { FFMPEG, ffmpeg, tempDir } from './ffmpeg-fixtures.js';

const W = 160;
const H = 120;
const FRAMES = 8;

let dir: string;
let remove: () => void;
let original: Clip;
let decoded: Clip;
let jpegBytes: number[];
let metrics: ClipMetrics;
/** Our unrounded luma rounded to 8 bits: the planes both sides measure. */
let refY: Uint8Array[];
let decY: Uint8Array[];

beforeAll(async () => {
  ({ dir, remove } = tempDir('metrics'));
  const at = (name: string): string => path.join(dir, name);
  const reader = new FfmpegClipReader(FFMPEG);

  ffmpeg([
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${W}x${H}:rate=10`,
    '-frames:v',
    String(FRAMES),
    '-c:v',
    'ffv1',
    '-pix_fmt',
    'bgr0',
    at('src.mkv'),
  ]);
  original = await reader.read(at('src.mkv'), { maxFrames: FRAMES });

  // One JPEG per frame, compressed by ffmpeg itself; the file sizes are the counted bytes.
  ffmpeg(
    [
      '-f',
      'rawvideo',
      '-pix_fmt',
      'bgr24',
      '-s',
      `${W}x${H}`,
      '-r',
      '10',
      '-i',
      'pipe:0',
      '-c:v',
      'mjpeg',
      '-q:v',
      '5',
      '-pix_fmt',
      'yuvj420p',
      '-start_number',
      '0',
      at('j_%02d.jpg'),
    ],
    Buffer.concat(original.frames),
  );
  jpegBytes = original.frames.map(
    (_, i) => statSync(at(`j_${String(i).padStart(2, '0')}.jpg`)).size,
  );
  decoded = await reader.read(at('j_%02d.jpg'), { maxFrames: FRAMES });

  metrics = computeClipMetrics({
    width: W,
    height: H,
    fps: original.fps,
    original: original.frames,
    decoded: decoded.frames,
    frameBytes: jpegBytes,
  });

  const to8bit = (frame: Buffer): Uint8Array =>
    Uint8Array.from(bgrToLuma(frame, W, H), (y) => Math.min(255, Math.max(0, Math.round(y))));
  refY = original.frames.map(to8bit);
  decY = decoded.frames.map(to8bit);
  writeFileSync(at('ref.gray'), Buffer.concat(refY));
  writeFileSync(at('dec.gray'), Buffer.concat(decY));
});

afterAll(() => remove());

/** Runs one of ffmpeg's comparison filters on the two gray files; returns stderr. */
function ffmpegCompare(filter: string): string {
  const gray = (file: string): string[] => [
    '-f',
    'rawvideo',
    '-pix_fmt',
    'gray',
    '-s',
    `${W}x${H}`,
    '-r',
    '10',
    '-i',
    path.join(dir, file),
  ];
  return ffmpeg([
    ...gray('dec.gray'),
    ...gray('ref.gray'),
    '-lavfi',
    `[0:v][1:v]${filter}`,
    '-f',
    'null',
    '-',
  ]).stderr;
}

/** Luma PSNR written the slow way: integer weights, per-pixel loops, no shared code. */
function naivePsnrY(
  a: readonly Buffer[],
  b: readonly Buffer[],
): { clip: number; frames: number[] } {
  const luma = (f: Buffer, p: number): number =>
    (114 * f[p]! + 587 * f[p + 1]! + 299 * f[p + 2]!) / 1000;
  const mses: number[] = [];
  for (let n = 0; n < a.length; n++) {
    let sum = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const p = (y * W + x) * 3;
        const d = luma(a[n]!, p) - luma(b[n]!, p);
        sum += d * d;
      }
    }
    mses.push(sum / (W * H));
  }
  const psnr = (mse: number): number => 20 * Math.log10(255) - 10 * Math.log10(mse);
  return { clip: psnr(mses.reduce((s, m) => s + m, 0) / mses.length), frames: mses.map(psnr) };
}

describe('metrics against independent measurements of real JPEG damage', () => {
  it('has real, varied damage to measure', () => {
    expect(decoded.frames).toHaveLength(FRAMES);
    expect(metrics.psnr_y_db).toBeGreaterThan(25);
    expect(metrics.psnr_y_db).toBeLessThan(50);
    expect(metrics.ssim_y).toBeGreaterThan(0.8);
    expect(metrics.ssim_y).toBeLessThan(1);
  });

  it('matches a naive per-pixel PSNR-Y, clip and per frame', () => {
    const naive = naivePsnrY(original.frames, decoded.frames);
    expect(metrics.psnr_y_db).toBeCloseTo(naive.clip, 6);
    metrics.per_frame_psnr_y_db.forEach((p, i) => expect(p).toBeCloseTo(naive.frames[i]!, 6));
    expect(metrics.worst_psnr_y_db).toBeCloseTo(Math.min(...naive.frames), 6);
  });

  it('matches ffmpeg psnr on the same 8-bit luma planes', () => {
    const statsFile = path.join(dir, 'psnr.log');
    const stderr = ffmpegCompare(`psnr=stats_file=${statsFile}`);
    const clip = /PSNR y:([\d.]+)/.exec(stderr);
    expect(clip, stderr).not.toBeNull();
    const ours = pooledPsnr(refY.map((r, i) => planeMse(r, decY[i]!)));
    // The brief allows 0.05 dB; on identical planes the two agree far closer.
    expect(Math.abs(ours - Number(clip![1]))).toBeLessThan(0.01);

    const perFrame = readFileSync(statsFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => Number(/psnr_y:([\d.]+)/.exec(line)![1]));
    expect(perFrame).toHaveLength(FRAMES);
    perFrame.forEach((p, i) => {
      // The stats file prints two decimals.
      expect(Math.abs(psnrFromMse(planeMse(refY[i]!, decY[i]!)) - p)).toBeLessThan(0.01);
    });

    // Rounding luma to 8 bits is the only difference from the float pipeline: it stays small.
    expect(Math.abs(metrics.psnr_y_db - Number(clip![1]))).toBeLessThan(0.15);
  });

  it('matches ffmpeg ssim on the same 8-bit luma planes within 0.005', () => {
    // ffmpeg's ssim (after x264) uses overlapping 8x8 uniform windows, not the 11x11
    // Gaussian, so the two agree closely on real damage but not to the last digit.
    const stderr = ffmpegCompare('ssim');
    const clip = /SSIM Y:([\d.]+)/.exec(stderr);
    expect(clip, stderr).not.toBeNull();
    const ssim = new SsimCalculator(W, H);
    const ours = refY.reduce((s, r, i) => s + ssim.compute(r, decY[i]!), 0) / FRAMES;
    expect(Math.abs(ours - Number(clip![1]))).toBeLessThan(0.005);
    expect(Math.abs(metrics.ssim_y - ours)).toBeLessThan(0.002);
  });

  it('counts the JPEG bytes into bitrate and bits per pixel', () => {
    const totalBits = 8 * jpegBytes.reduce((s, b) => s + b, 0);
    expect(metrics.total_bytes * 8).toBe(totalBits);
    expect(metrics.bitrate_kbps).toBeCloseTo(totalBits / (FRAMES / 10) / 1000, 9);
    expect(metrics.bits_per_pixel).toBeCloseTo(totalBits / (FRAMES * W * H), 12);
  });
});
