/**
 * Worst-block luma PSNR (docs/ARCHITECTURE.md §3 Metrics): the luma PSNR of every 16×16 block of
 * a frame, and the lowest one. A codec that keeps the frame's mean PSNR while destroying one
 * region shows up here, where a pooled figure hides it. Pure.
 *
 * Edge blocks: block origins are 0, 16, 32, … along each axis; when the frame's width (height)
 * is not a multiple of 16, one more column (row) of blocks starts at `width − 16`
 * (`height − 16`), so it ends exactly at the frame's edge and overlaps its neighbour. Every
 * pixel is in a block and every block has 16×16 pixels (equal weight: a 16×1 sliver would give a
 * noisy figure). A frame narrower (shorter) than 16 pixels has one block as wide (tall) as it.
 * `metrics.ts` turns the worst block's MSE into a PSNR, like every other figure.
 */
export const BLOCK_SIZE = 16;

/** Where a block starts (its top-left pixel), in pixels. */
export interface BlockAt {
  readonly x: number;
  readonly y: number;
}

export interface FrameBlockErrors {
  /** MSE over the whole plane, summed in pixel order (identical to `planeMse`). */
  readonly mse: number;
  /** The block with the highest MSE (the first in raster order on a tie). */
  readonly worst: BlockAt;
  readonly worstMse: number;
}

/** Block origins along one axis of `length` pixels (see the module comment for the edge rule). */
export function blockStarts(length: number, size: number = BLOCK_SIZE): number[] {
  if (!Number.isSafeInteger(length) || length <= 0) {
    throw new Error(`blocks: a plane side must be a positive integer, got ${length}`);
  }
  if (length <= size) return [0];
  const starts: number[] = [];
  for (let start = 0; start + size <= length; start += size) starts.push(start);
  if (length % size !== 0) starts.push(length - size);
  return starts;
}

/**
 * Per-frame block errors for planes of one size, reusing its scratch buffer between frames.
 * One pass computes every pixel's squared error and the plane's MSE; a second reads the blocks
 * from the squared errors.
 */
export class BlockErrorCalculator {
  private readonly squared: Float64Array;
  private readonly xs: number[];
  private readonly ys: number[];
  private readonly blockWidth: number;
  private readonly blockHeight: number;

  constructor(
    readonly width: number,
    readonly height: number,
    size: number = BLOCK_SIZE,
  ) {
    this.xs = blockStarts(width, size);
    this.ys = blockStarts(height, size);
    this.blockWidth = Math.min(size, width);
    this.blockHeight = Math.min(size, height);
    this.squared = new Float64Array(width * height);
  }

  measure(a: ArrayLike<number>, b: ArrayLike<number>): FrameBlockErrors {
    const { width, height, squared, xs, ys, blockWidth, blockHeight } = this;
    const size = width * height;
    if (a.length !== size || b.length !== size) {
      throw new Error(
        `blocks: planes must have ${width}x${height} = ${size} samples, got ${a.length} and ${b.length}`,
      );
    }
    let total = 0;
    for (let i = 0; i < size; i++) {
      const d = a[i]! - b[i]!;
      const e = d * d;
      squared[i] = e;
      total += e;
    }
    let worstSum = -1;
    let worst: BlockAt = { x: 0, y: 0 };
    for (const y0 of ys) {
      for (const x0 of xs) {
        let sum = 0;
        for (let y = y0; y < y0 + blockHeight; y++) {
          const row = y * width;
          for (let i = row + x0, end = row + x0 + blockWidth; i < end; i++) sum += squared[i]!;
        }
        if (sum > worstSum) {
          worstSum = sum;
          worst = { x: x0, y: y0 };
        }
      }
    }
    return { mse: total / size, worst, worstMse: worstSum / (blockWidth * blockHeight) };
  }
}
