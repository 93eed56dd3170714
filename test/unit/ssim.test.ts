import { describe, expect, it } from 'vitest';

import { SsimCalculator, gaussianKernel1d, ssimPlane } from '../../src/evaluation/ssim.js';

/**
 * Wang et al.'s definition written the slow, obvious way: a normalised 11×11
 * 2-D Gaussian, every 'valid' window position, moments summed directly.
 */
function naiveSsim(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  width: number,
  height: number,
): number {
  const n = 11;
  const sigma = 1.5;
  const window: number[][] = [];
  let norm = 0;
  for (let dy = 0; dy < n; dy++) {
    const row: number[] = [];
    for (let dx = 0; dx < n; dx++) {
      const w = Math.exp(-((dx - 5) ** 2 + (dy - 5) ** 2) / (2 * sigma * sigma));
      row.push(w);
      norm += w;
    }
    window.push(row);
  }
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  let total = 0;
  let count = 0;
  for (let y = 0; y + n <= height; y++) {
    for (let x = 0; x + n <= width; x++) {
      let muA = 0;
      let muB = 0;
      for (let dy = 0; dy < n; dy++) {
        for (let dx = 0; dx < n; dx++) {
          const w = window[dy]![dx]! / norm;
          const i = (y + dy) * width + x + dx;
          muA += w * a[i]!;
          muB += w * b[i]!;
        }
      }
      let varA = 0;
      let varB = 0;
      let cov = 0;
      for (let dy = 0; dy < n; dy++) {
        for (let dx = 0; dx < n; dx++) {
          const w = window[dy]![dx]! / norm;
          const i = (y + dy) * width + x + dx;
          varA += w * (a[i]! - muA) ** 2;
          varB += w * (b[i]! - muB) ** 2;
          cov += w * (a[i]! - muA) * (b[i]! - muB);
        }
      }
      total +=
        ((2 * muA * muB + c1) * (2 * cov + c2)) /
        ((muA * muA + muB * muB + c1) * (varA + varB + c2));
      count++;
    }
  }
  return total / count;
}

function randomPlane(seed: number, size: number, scale = 255): Float64Array {
  const plane = new Float64Array(size);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    plane[i] = ((s >>> 0) / 0xffffffff) * scale;
  }
  return plane;
}

/** A smooth picture with a little noise: closer to real content than white noise. */
function picture(width: number, height: number, seed: number): Float64Array {
  const grain = randomPlane(seed, width * height, 20);
  const plane = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      plane[y * width + x] =
        120 + 80 * Math.sin(x / 5) * Math.cos(y / 7) + grain[y * width + x]! - 10;
    }
  }
  return plane;
}

describe('gaussianKernel1d', () => {
  it('is symmetric, peaks in the centre and sums to 1', () => {
    const k = gaussianKernel1d();
    expect(k).toHaveLength(11);
    expect(k.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 14);
    for (let i = 0; i < 11; i++) expect(k[i]).toBeCloseTo(k[10 - i]!, 15);
    expect(Math.max(...k)).toBe(k[5]);
    expect(k[4]! / k[5]!).toBeCloseTo(Math.exp(-1 / (2 * 1.5 * 1.5)), 12);
  });
});

describe('SSIM', () => {
  it('is 1 for identical planes', () => {
    const a = picture(40, 30, 1);
    expect(ssimPlane(a, a, 40, 30)).toBeCloseTo(1, 12);
  });

  it('matches a direct 2-D implementation of the definition', () => {
    const width = 37;
    const height = 23;
    const a = picture(width, height, 2);
    const b = a.map((v, i) => v + randomPlane(3, width * height, 30)[i]! - 15);
    expect(ssimPlane(a, b, width, height)).toBeCloseTo(naiveSsim(a, b, width, height), 10);

    const noiseA = randomPlane(4, width * height);
    const noiseB = randomPlane(5, width * height);
    expect(ssimPlane(noiseA, noiseB, width, height)).toBeCloseTo(
      naiveSsim(noiseA, noiseB, width, height),
      10,
    );
  });

  it('uses only the valid region (one window for an 11x11 plane)', () => {
    const a = picture(11, 11, 6);
    const b = picture(11, 11, 7);
    expect(ssimPlane(a, b, 11, 11)).toBeCloseTo(naiveSsim(a, b, 11, 11), 10);
  });

  it('falls as distortion grows', () => {
    const width = 48;
    const height = 32;
    const a = picture(width, height, 8);
    const grain = randomPlane(9, width * height, 2);
    const mild = a.map((v, i) => v + 5 * (grain[i]! - 1));
    const strong = a.map((v, i) => v + 40 * (grain[i]! - 1));
    const s1 = ssimPlane(a, mild, width, height);
    const s2 = ssimPlane(a, strong, width, height);
    expect(s1).toBeLessThan(1);
    expect(s2).toBeLessThan(s1);
  });

  it('reuses its buffers across frames without carrying state', () => {
    const calc = new SsimCalculator(20, 15);
    const a = picture(20, 15, 10);
    const b = picture(20, 15, 11);
    const first = calc.compute(a, b);
    calc.compute(b, picture(20, 15, 12));
    expect(calc.compute(a, b)).toBe(first);
  });

  it('accepts 8-bit planes directly', () => {
    const a = Uint8Array.from(picture(16, 16, 13), (v) =>
      Math.max(0, Math.min(255, Math.round(v))),
    );
    const b = Uint8Array.from(a, (v) => 255 - v);
    expect(ssimPlane(a, b, 16, 16)).toBeCloseTo(naiveSsim(a, b, 16, 16), 10);
  });

  it('rejects planes smaller than the window or of the wrong length', () => {
    expect(() => new SsimCalculator(10, 40)).toThrow(/at least 11x11/);
    expect(() => new SsimCalculator(11.5, 40)).toThrow(/integers/);
    expect(() => ssimPlane(new Float64Array(12 * 12), new Float64Array(12 * 11), 12, 12)).toThrow(
      /144 samples, got 144 and 132/,
    );
  });
});
