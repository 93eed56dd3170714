/**
 * SSIM (Wang, Bovik, Sheikh & Simoncelli 2004) on one 8-bit plane, as in the
 * authors' reference `ssim_index.m`: 11×11 Gaussian window with σ = 1.5,
 * K1 = 0.01, K2 = 0.03, L = 255, statistics over the 'valid' region only (no
 * padding), and the mean of the SSIM map. No downsampling.
 *
 * The Gaussian is separable, so the five local moments are filtered with one
 * horizontal and one vertical 11-tap pass each instead of a 121-tap 2-D pass.
 */

export const SSIM_WINDOW_SIZE = 11;
export const SSIM_SIGMA = 1.5;
const PEAK = 255;
const C1 = (0.01 * PEAK) ** 2;
const C2 = (0.03 * PEAK) ** 2;

/** The 1-D Gaussian whose outer product is the normalised 2-D window. */
export function gaussianKernel1d(
  size: number = SSIM_WINDOW_SIZE,
  sigma: number = SSIM_SIGMA,
): Float64Array {
  const kernel = new Float64Array(size);
  const centre = (size - 1) / 2;
  let sum = 0;
  for (let i = 0; i < size; i++) {
    const d = i - centre;
    const w = Math.exp(-(d * d) / (2 * sigma * sigma));
    kernel[i] = w;
    sum += w;
  }
  for (let i = 0; i < size; i++) kernel[i] = kernel[i]! / sum;
  return kernel;
}

const KERNEL = gaussianKernel1d();

/**
 * Computes SSIM for a sequence of planes of one size, reusing its scratch
 * buffers between frames.
 */
export class SsimCalculator {
  readonly width: number;
  readonly height: number;
  private readonly outWidth: number;
  private readonly outHeight: number;
  // Horizontally filtered a, b, a², b², ab: one row of `outWidth` per input row.
  private readonly hA: Float64Array;
  private readonly hB: Float64Array;
  private readonly hAA: Float64Array;
  private readonly hBB: Float64Array;
  private readonly hAB: Float64Array;

  constructor(width: number, height: number) {
    if (!Number.isInteger(width) || !Number.isInteger(height)) {
      throw new Error(`SSIM: width and height must be integers, got ${width}x${height}`);
    }
    if (width < SSIM_WINDOW_SIZE || height < SSIM_WINDOW_SIZE) {
      throw new Error(
        `SSIM needs planes of at least ${SSIM_WINDOW_SIZE}x${SSIM_WINDOW_SIZE} pixels, got ${width}x${height}; use a larger clip`,
      );
    }
    this.width = width;
    this.height = height;
    this.outWidth = width - SSIM_WINDOW_SIZE + 1;
    this.outHeight = height - SSIM_WINDOW_SIZE + 1;
    const n = this.outWidth * height;
    this.hA = new Float64Array(n);
    this.hB = new Float64Array(n);
    this.hAA = new Float64Array(n);
    this.hBB = new Float64Array(n);
    this.hAB = new Float64Array(n);
  }

  /** Mean SSIM of two planes (row-major, `width*height` samples each, range 0..255). */
  compute(a: ArrayLike<number>, b: ArrayLike<number>): number {
    const { width, height, outWidth, outHeight, hA, hB, hAA, hBB, hAB } = this;
    const size = width * height;
    if (a.length !== size || b.length !== size) {
      throw new Error(
        `SSIM: planes must have ${width}x${height} = ${size} samples, got ${a.length} and ${b.length}`,
      );
    }
    const taps = SSIM_WINDOW_SIZE;
    const k = KERNEL;

    for (let y = 0; y < height; y++) {
      const inRow = y * width;
      const outRow = y * outWidth;
      for (let x = 0; x < outWidth; x++) {
        let sA = 0;
        let sB = 0;
        let sAA = 0;
        let sBB = 0;
        let sAB = 0;
        const base = inRow + x;
        for (let t = 0; t < taps; t++) {
          const w = k[t]!;
          const va = a[base + t]!;
          const vb = b[base + t]!;
          const wa = w * va;
          const wb = w * vb;
          sA += wa;
          sB += wb;
          sAA += wa * va;
          sBB += wb * vb;
          sAB += wa * vb;
        }
        const o = outRow + x;
        hA[o] = sA;
        hB[o] = sB;
        hAA[o] = sAA;
        hBB[o] = sBB;
        hAB[o] = sAB;
      }
    }

    let total = 0;
    for (let y = 0; y < outHeight; y++) {
      for (let x = 0; x < outWidth; x++) {
        let muA = 0;
        let muB = 0;
        let eAA = 0;
        let eBB = 0;
        let eAB = 0;
        let o = y * outWidth + x;
        for (let t = 0; t < taps; t++, o += outWidth) {
          const w = k[t]!;
          muA += w * hA[o]!;
          muB += w * hB[o]!;
          eAA += w * hAA[o]!;
          eBB += w * hBB[o]!;
          eAB += w * hAB[o]!;
        }
        const muAA = muA * muA;
        const muBB = muB * muB;
        const muAB = muA * muB;
        const varA = eAA - muAA;
        const varB = eBB - muBB;
        const cov = eAB - muAB;
        total += ((2 * muAB + C1) * (2 * cov + C2)) / ((muAA + muBB + C1) * (varA + varB + C2));
      }
    }
    return total / (outWidth * outHeight);
  }
}

/** Mean SSIM of two planes; for many frames of one size, reuse an `SsimCalculator`. */
export function ssimPlane(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  width: number,
  height: number,
): number {
  return new SsimCalculator(width, height).compute(a, b);
}
