import { describe, expect, it } from 'vitest';

import {
  PSNR_CAP_DB,
  bgrToLuma,
  bgrToYuv,
  bitStats,
  computeClipMetrics,
  planeMse,
  pooledPsnr,
  psnrFromMse,
  type ClipMetricsInput,
} from '../../src/evaluation/metrics.js';

const W = 16;
const H = 12;

/** A BGR frame whose every pixel is (b, g, r). */
function solid(b: number, g: number, r: number, width = W, height = H): Buffer {
  const frame = Buffer.alloc(width * height * 3);
  for (let i = 0; i < frame.length; i += 3) {
    frame[i] = b;
    frame[i + 1] = g;
    frame[i + 2] = r;
  }
  return frame;
}

/** Deterministic pseudo-random BGR frame (xorshift), so tests need no seed library. */
function noise(seed: number, width = W, height = H): Buffer {
  const frame = Buffer.alloc(width * height * 3);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < frame.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    frame[i] = s & 0xff;
  }
  return frame;
}

function input(
  original: Buffer[],
  decoded: Buffer[],
  over: Partial<ClipMetricsInput> = {},
): ClipMetricsInput {
  return {
    width: W,
    height: H,
    fps: 25,
    original,
    decoded,
    frameBytes: original.map(() => 100),
    ...over,
  };
}

const psnrOf = (mse: number): number => 10 * Math.log10((255 * 255) / mse);

describe('colour conversion', () => {
  it('reads channels in B, G, R order with BT.601 full-range weights', () => {
    const red = solid(0, 0, 255, 1, 1);
    const { y, u, v } = bgrToYuv(red, 1, 1);
    expect(y[0]).toBeCloseTo(0.299 * 255, 10);
    expect(u[0]).toBeCloseTo(128 - 0.168736 * 255, 10);
    expect(v[0]).toBeCloseTo(128 + 0.5 * 255, 10);

    const blue = bgrToYuv(solid(255, 0, 0, 1, 1), 1, 1);
    expect(blue.y[0]).toBeCloseTo(0.114 * 255, 10);
    expect(blue.u[0]).toBeCloseTo(128 + 0.5 * 255, 10);
    expect(blue.v[0]).toBeCloseTo(128 - 0.081312 * 255, 10);
  });

  it('maps grey to Y = level and neutral chroma, without rounding', () => {
    const { y, u, v } = bgrToYuv(solid(77, 77, 77, 2, 2), 2, 2);
    for (let i = 0; i < 4; i++) {
      expect(y[i]).toBeCloseTo(77, 10);
      expect(u[i]).toBeCloseTo(128, 10);
      expect(v[i]).toBeCloseTo(128, 10);
    }
    // 0.299·1 + 0.587·2 + 0.114·3 = 1.815: kept as a fraction.
    expect(bgrToLuma(solid(3, 2, 1, 1, 1), 1, 1)[0]).toBeCloseTo(1.815, 10);
  });

  it('agrees between bgrToLuma and the Y plane of bgrToYuv', () => {
    const frame = noise(7);
    expect(Array.from(bgrToLuma(frame, W, H))).toEqual(Array.from(bgrToYuv(frame, W, H).y));
  });

  it('rejects a frame of the wrong size', () => {
    expect(() => bgrToYuv(Buffer.alloc(W * H * 3 - 1), W, H)).toThrow(
      /has 575 bytes; a 16x12 BGR frame has 576/,
    );
  });
});

describe('PSNR', () => {
  it('caps identical planes at 100 dB', () => {
    expect(PSNR_CAP_DB).toBe(100);
    expect(psnrFromMse(0)).toBe(100);
    // 10·log10(255²/mse) > 100 for a tiny MSE: still capped.
    expect(psnrFromMse(1e-12)).toBe(100);
  });

  it('gives the textbook value for a known MSE', () => {
    expect(psnrFromMse(1)).toBeCloseTo(48.1308036, 6);
    expect(psnrFromMse(100)).toBeCloseTo(28.1308036, 6);
    expect(psnrFromMse(255 * 255)).toBeCloseTo(0, 10);
  });

  it('rejects a negative or NaN MSE', () => {
    expect(() => psnrFromMse(-1)).toThrow(/non-negative/);
    expect(() => psnrFromMse(Number.NaN)).toThrow(/non-negative/);
  });

  it('computes MSE over equal-length planes', () => {
    expect(planeMse([0, 0, 0, 0], [2, 0, 0, 0])).toBe(1);
    expect(() => planeMse([1, 2], [1])).toThrow(/differ in length/);
    expect(() => planeMse([], [])).toThrow(/empty/);
  });

  it('pools by MSE, which is not the mean of per-frame PSNRs', () => {
    const pooled = pooledPsnr([1, 100]);
    expect(pooled).toBeCloseTo(psnrOf(50.5), 10);
    const meanOfPsnrs = (psnrOf(1) + psnrOf(100)) / 2;
    // 38.13 dB against 31.10 dB: the bad frame dominates, as it should.
    expect(meanOfPsnrs - pooled).toBeGreaterThan(7);
    expect(() => pooledPsnr([])).toThrow(/no frames/);
  });
});

describe('bitStats', () => {
  it('derives bitrate at the clip fps and bits per pixel from counted bytes', () => {
    const stats = bitStats([1000, 2000, 3000], 16, 16, 30);
    expect(stats.total_bytes).toBe(6000);
    // 48 000 bits over 3/30 s = 480 000 bit/s.
    expect(stats.bitrate_kbps).toBeCloseTo(480, 10);
    expect(stats.bits_per_pixel).toBeCloseTo(48000 / (3 * 256), 10);
  });

  it('handles a fractional frame rate', () => {
    const stats = bitStats([1001, 1001], 2, 2, 30000 / 1001);
    expect(stats.bitrate_kbps).toBeCloseTo((8 * 2002) / (2 / (30000 / 1001)) / 1000, 10);
  });

  it('rejects bad byte counts and geometry', () => {
    expect(() => bitStats([], 2, 2, 25)).toThrow(/no frames/);
    expect(() => bitStats([1, -1], 2, 2, 25)).toThrow(/frame 1 has -1 counted bytes/);
    expect(() => bitStats([1.5], 2, 2, 25)).toThrow(/frame 0/);
    expect(() => bitStats([1], 2, 2, 0)).toThrow(/fps/);
    expect(() => bitStats([1], 0, 2, 25)).toThrow(/positive integers/);
  });
});

describe('computeClipMetrics', () => {
  it('scores identical frames at the cap with SSIM 1', () => {
    const frames = [noise(1), noise(2)];
    const m = computeClipMetrics(
      input(
        frames,
        frames.map((f) => Buffer.from(f)),
      ),
    );
    expect(m.psnr_y_db).toBe(100);
    expect(m.worst_psnr_y_db).toBe(100);
    expect(m.psnr_yuv_db).toBe(100);
    expect(m.per_frame_psnr_y_db).toEqual([100, 100]);
    expect(m.ssim_y).toBeCloseTo(1, 12);
  });

  it('measures a known luma error and neutral chroma', () => {
    // Grey 100 against grey 110: ΔY = 10 everywhere, U and V unchanged.
    const m = computeClipMetrics(input([solid(100, 100, 100)], [solid(110, 110, 110)]));
    expect(m.psnr_y_db).toBeCloseTo(psnrOf(100), 8);
    expect(m.psnr_u_db).toBe(100);
    expect(m.psnr_v_db).toBe(100);
    expect(m.psnr_yuv_db).toBeCloseTo((6 * psnrOf(100) + 200) / 8, 8);
    // Flat planes: SSIM reduces to the luminance term.
    const c1 = (0.01 * 255) ** 2;
    expect(m.ssim_y).toBeCloseTo((2 * 100 * 110 + c1) / (100 ** 2 + 110 ** 2 + c1), 8);
  });

  it('pools a two-frame clip by MSE and reports the worst frame', () => {
    // Frame 0 has MSE 1 (ΔY = 1), frame 1 has MSE 100 (ΔY = 10).
    const m = computeClipMetrics(
      input([solid(50, 50, 50), solid(50, 50, 50)], [solid(51, 51, 51), solid(60, 60, 60)]),
    );
    expect(m.per_frame_psnr_y_db[0]).toBeCloseTo(psnrOf(1), 8);
    expect(m.per_frame_psnr_y_db[1]).toBeCloseTo(psnrOf(100), 8);
    expect(m.psnr_y_db).toBeCloseTo(psnrOf(50.5), 8);
    expect(m.worst_psnr_y_db).toBeCloseTo(psnrOf(100), 8);
    const meanOfPsnrs = (psnrOf(1) + psnrOf(100)) / 2;
    expect(Math.abs(m.psnr_y_db - meanOfPsnrs)).toBeGreaterThan(1);
  });

  it('weighs chroma errors one eighth each in PSNR-YUV', () => {
    // Pure blue against black: every component differs.
    const m = computeClipMetrics(input([solid(255, 0, 0)], [solid(0, 0, 0)]));
    expect(m.psnr_y_db).toBeCloseTo(psnrOf((0.114 * 255) ** 2), 8);
    expect(m.psnr_u_db).toBeCloseTo(psnrOf((0.5 * 255) ** 2), 8);
    expect(m.psnr_v_db).toBeCloseTo(psnrOf((0.081312 * 255) ** 2), 8);
    expect(m.psnr_yuv_db).toBeCloseTo((6 * m.psnr_y_db + m.psnr_u_db + m.psnr_v_db) / 8, 10);
  });

  it('reports geometry, frame count and bits', () => {
    const frames = [noise(3), noise(4), noise(5)];
    const m = computeClipMetrics(input(frames, frames, { fps: 30, frameBytes: [10, 20, 30] }));
    expect(m).toMatchObject({ frames: 3, width: W, height: H, fps: 30, total_bytes: 60 });
    expect(m.bitrate_kbps).toBeCloseTo(480 / 0.1 / 1000, 10);
    expect(m.bits_per_pixel).toBeCloseTo(480 / (3 * W * H), 10);
    expect(m.per_frame_psnr_y_db).toHaveLength(3);
    expect(m.per_frame_ssim_y).toHaveLength(3);
  });

  it('keeps SSIM below 1 and PSNR finite for real differences', () => {
    const m = computeClipMetrics(input([noise(10)], [noise(11)]));
    expect(m.ssim_y).toBeLessThan(0.2);
    expect(m.psnr_y_db).toBeGreaterThan(0);
    expect(m.psnr_y_db).toBeLessThan(20);
  });

  it('is JSON-serialisable with snake_case fields', () => {
    const frames = [noise(1)];
    const json = JSON.parse(JSON.stringify(computeClipMetrics(input(frames, frames)))) as Record<
      string,
      unknown
    >;
    expect(Object.keys(json).sort()).toEqual(
      [
        'bitrate_kbps',
        'bits_per_pixel',
        'fps',
        'frames',
        'height',
        'per_frame_psnr_y_db',
        'per_frame_ssim_y',
        'psnr_u_db',
        'psnr_v_db',
        'psnr_y_db',
        'psnr_yuv_db',
        'ssim_y',
        'total_bytes',
        'width',
        'worst_block',
        'worst_block_psnr_y_db',
        'worst_psnr_y_db',
      ].sort(),
    );
  });

  describe('rejects inconsistent input', () => {
    const f = noise(1);
    it.each<[string, ClipMetricsInput, RegExp]>([
      ['no frames', input([], []), /no frames/],
      ['fewer decoded frames', input([f, f], [f]), /2 original frames but 1 decoded/],
      [
        'missing byte counts',
        input([f, f], [f, f], { frameBytes: [1] }),
        /2 frames but 1 per-frame byte counts/,
      ],
      ['a short original frame', input([f.subarray(3)], [f]), /original frame 0 has 573 bytes/],
      [
        'a decoded frame of another size',
        input([f, f], [f, noise(2, W, H + 1)]),
        /decoded frame 1 has 624 bytes/,
      ],
      ['a negative byte count', input([f], [f], { frameBytes: [-5] }), /counted bytes/],
      ['zero fps', input([f], [f], { fps: 0 }), /fps must be a positive number/],
      ['infinite fps', input([f], [f], { fps: Number.POSITIVE_INFINITY }), /fps/],
      ['a fractional width', input([f], [f], { width: 15.5 }), /positive integers/],
      [
        'a frame too small for SSIM',
        input([solid(0, 0, 0, 8, 8)], [solid(0, 0, 0, 8, 8)], { width: 8, height: 8 }),
        /at least 11x11/,
      ],
    ])('%s', (_name, bad, message) => {
      expect(() => computeClipMetrics(bad)).toThrow(message);
    });
  });
});
