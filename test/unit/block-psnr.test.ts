import { describe, expect, it } from 'vitest';

import { BlockErrorCalculator, blockStarts } from '../../src/evaluation/block-psnr.js';
import {
  bgrToLuma,
  computeClipMetrics,
  planeMse,
  psnrFromMse,
} from '../../src/evaluation/metrics.js';

/** Deterministic pseudo-random bytes (xorshift). */
function noise(seed: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = s & 0xff;
  }
  return out;
}

/** `frame` with the w×h rectangle at (x, y) set to one grey level (a blanked region). */
function blanked(frame: Buffer, width: number, x: number, y: number, w: number, h: number): Buffer {
  const out = Buffer.from(frame);
  for (let row = y; row < y + h; row++)
    out.fill(128, (row * width + x) * 3, (row * width + x + w) * 3);
  return out;
}

/** The luma PSNR of one rectangle, computed the plain way. */
function rectPsnr(
  a: Buffer,
  b: Buffer,
  width: number,
  height: number,
  rect: { x: number; y: number; w: number; h: number },
): number {
  const ya = bgrToLuma(a, width, height);
  const yb = bgrToLuma(b, width, height);
  let sum = 0;
  for (let row = rect.y; row < rect.y + rect.h; row++) {
    for (let col = rect.x; col < rect.x + rect.w; col++) {
      const d = ya[row * width + col]! - yb[row * width + col]!;
      sum += d * d;
    }
  }
  return psnrFromMse(sum / (rect.w * rect.h));
}

describe('blockStarts: 16-pixel blocks, the last one moved inwards to end at the edge', () => {
  it.each<[number, number[]]>([
    [160, [0, 16, 32, 48, 64, 80, 96, 112, 128, 144]],
    [120, [0, 16, 32, 48, 64, 80, 96, 104]],
    [33, [0, 16, 17]],
    [17, [0, 1]],
    [16, [0]],
    [8, [0]],
    [1, [0]],
  ])('a side of %i pixels starts blocks at %j', (length, starts) => {
    expect(blockStarts(length)).toEqual(starts);
  });

  it('covers every pixel with full blocks', () => {
    for (const length of [16, 17, 31, 120, 288, 1080]) {
      const starts = blockStarts(length);
      const covered = new Set(starts.flatMap((s) => Array.from({ length: 16 }, (_, i) => s + i)));
      expect(covered.size).toBe(length);
      expect(Math.max(...covered)).toBe(length - 1);
    }
  });

  it('refuses a side that is not a positive integer', () => {
    expect(() => blockStarts(0)).toThrow(/positive integer/);
    expect(() => blockStarts(2.5)).toThrow(/positive integer/);
  });
});

describe('BlockErrorCalculator', () => {
  it("gives the plane's MSE bit for bit as planeMse does", () => {
    const a = Float64Array.from(noise(1, 160 * 120), (v) => v * 0.87);
    const b = Float64Array.from(noise(2, 160 * 120), (v) => v * 0.91);
    expect(new BlockErrorCalculator(160, 120).measure(a, b).mse).toBe(planeMse(a, b));
  });

  it('finds a damaged pixel in the overlapping edge block of a 160x120 plane', () => {
    const a = new Float64Array(160 * 120).fill(100);
    const b = Float64Array.from(a);
    b[119 * 160 + 159] = 0; // the bottom-right pixel: only the block at (144, 104) holds it
    const errors = new BlockErrorCalculator(160, 120).measure(a, b);
    expect(errors.worst).toEqual({ x: 144, y: 104 });
    expect(errors.worstMse).toBeCloseTo(10_000 / 256, 10);
  });

  it('takes the first block in raster order on a tie', () => {
    const a = new Float64Array(64 * 32).fill(50);
    const b = new Float64Array(64 * 32).fill(60); // every block equally wrong
    expect(new BlockErrorCalculator(64, 32).measure(a, b).worst).toEqual({ x: 0, y: 0 });
  });

  it('uses one block as large as the frame when the frame is smaller than 16 pixels', () => {
    const a = Float64Array.from([10, 20, 30, 40, 50, 60, 70, 80]);
    const b = Float64Array.from([10, 20, 30, 40, 50, 60, 70, 88]);
    const errors = new BlockErrorCalculator(4, 2).measure(a, b);
    expect(errors.worst).toEqual({ x: 0, y: 0 });
    expect(errors.worstMse).toBe(64 / 8);
  });

  it('refuses planes of another size', () => {
    expect(() =>
      new BlockErrorCalculator(16, 16).measure(new Float64Array(10), new Float64Array(10)),
    ).toThrow(/16x16 = 256 samples, got 10 and 10/);
  });
});

describe('computeClipMetrics: worst-block PSNR', () => {
  const width = 160;
  const height = 120;
  const frames = [1, 2, 3].map((seed) => noise(seed, width * height * 3));

  it('names the frame and block of a blanked 32x32 region, with its PSNR computed the plain way', () => {
    // Frame 1 loses a 32x32 region at (64, 32): four whole blocks; frame 2 a smaller one.
    const decoded = [
      frames[0]!,
      blanked(frames[1]!, width, 64, 32, 32, 32),
      blanked(frames[2]!, width, 0, 0, 4, 4),
    ];
    const m = computeClipMetrics({
      width,
      height,
      fps: 25,
      original: frames,
      decoded,
      frameBytes: [1, 1, 1],
    });
    expect(m.worst_block.frame).toBe(1);
    expect([64, 80]).toContain(m.worst_block.x);
    expect([32, 48]).toContain(m.worst_block.y);
    const { x, y } = m.worst_block;
    expect(m.worst_block_psnr_y_db).toBeCloseTo(
      rectPsnr(frames[1]!, decoded[1]!, width, height, { x, y, w: 16, h: 16 }),
      10,
    );
    // The pooled PSNR hides it: the region is 5 % of one frame in three.
    expect(m.psnr_y_db - m.worst_block_psnr_y_db).toBeGreaterThan(15);
  });

  it('finds damage that only the bottom row of overlapping edge blocks holds in full', () => {
    // Rows 112..119 of a 120-row frame: the regular row of blocks at y = 96 sees none of it.
    const decoded = [frames[0]!, frames[1]!, blanked(frames[2]!, width, 32, 112, 16, 8)];
    const m = computeClipMetrics({
      width,
      height,
      fps: 25,
      original: frames,
      decoded,
      frameBytes: [1, 1, 1],
    });
    expect(m.worst_block).toEqual({ frame: 2, x: 32, y: 104 });
    expect(m.worst_block_psnr_y_db).toBeCloseTo(
      rectPsnr(frames[2]!, decoded[2]!, width, height, { x: 32, y: 104, w: 16, h: 16 }),
      10,
    );
  });

  it('is capped like every PSNR: identical frames give 100 dB at the first block', () => {
    const m = computeClipMetrics({
      width,
      height,
      fps: 25,
      original: frames,
      decoded: frames,
      frameBytes: [1, 1, 1],
    });
    expect(m.worst_block_psnr_y_db).toBe(100);
    expect(m.worst_block).toEqual({ frame: 0, x: 0, y: 0 });
  });
});
