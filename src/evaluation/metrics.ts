/**
 * Clip metrics computed by trusted code from the original and the decoded BGR
 * frames and the bytes counted for each frame (docs/ARCHITECTURE.md §3 Metrics). Pure.
 */
import { BlockErrorCalculator, type BlockAt } from './block-psnr.js';
import { SsimCalculator } from './ssim.js';

/** PSNR is capped here, so identical frames score a finite, comparable number. */
export const PSNR_CAP_DB = 100;
const PEAK = 255;

/** Field names are snake_case because the object is printed and stored as JSON. */
export interface ClipMetrics {
  readonly frames: number;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly total_bytes: number;
  readonly bitrate_kbps: number;
  readonly bits_per_pixel: number;
  /** Luma PSNR pooled by MSE over the clip, capped at `PSNR_CAP_DB`. */
  readonly psnr_y_db: number;
  /** The lowest per-frame luma PSNR (each capped). */
  readonly worst_psnr_y_db: number;
  /** The lowest luma PSNR of any 16×16 block of any frame (block-psnr.ts), capped. */
  readonly worst_block_psnr_y_db: number;
  /** Where that block is: frame index and top-left pixel. */
  readonly worst_block: WorstBlockAt;
  readonly psnr_u_db: number;
  readonly psnr_v_db: number;
  /** (6·Y + U + V) / 8, each component pooled by MSE and capped. */
  readonly psnr_yuv_db: number;
  /** Mean over frames of the mean SSIM map on luma. */
  readonly ssim_y: number;
  readonly per_frame_psnr_y_db: number[];
  readonly per_frame_ssim_y: number[];
}

/** A block of a clip: the frame index and the block's top-left pixel. */
export interface WorstBlockAt {
  readonly frame: number;
  readonly x: number;
  readonly y: number;
}

export interface ClipMetricsInput {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  /** Original frames, each `width*height*3` bytes, interleaved B, G, R. */
  readonly original: readonly Uint8Array[];
  /** Decoded frames, same count and shape as `original`. */
  readonly decoded: readonly Uint8Array[];
  /** Counted bytes per frame (bitstream plus serialised metadata). */
  readonly frameBytes: readonly number[];
}

export interface YuvPlanes {
  readonly y: Float64Array;
  readonly u: Float64Array;
  readonly v: Float64Array;
}

/** BT.601 full-range (JFIF) Y, Cb, Cr of an interleaved BGR frame, unrounded. */
export function bgrToYuv(frame: Uint8Array, width: number, height: number): YuvPlanes {
  const pixels = checkFrame(frame, width, height, 'frame');
  const y = new Float64Array(pixels);
  const u = new Float64Array(pixels);
  const v = new Float64Array(pixels);
  for (let i = 0, j = 0; i < pixels; i++, j += 3) {
    const b = frame[j]!;
    const g = frame[j + 1]!;
    const r = frame[j + 2]!;
    y[i] = 0.299 * r + 0.587 * g + 0.114 * b;
    u[i] = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
    v[i] = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
  }
  return { y, u, v };
}

/** BT.601 full-range luma of an interleaved BGR frame, unrounded. */
export function bgrToLuma(frame: Uint8Array, width: number, height: number): Float64Array {
  const pixels = checkFrame(frame, width, height, 'frame');
  const y = new Float64Array(pixels);
  for (let i = 0, j = 0; i < pixels; i++, j += 3) {
    y[i] = 0.299 * frame[j + 2]! + 0.587 * frame[j + 1]! + 0.114 * frame[j]!;
  }
  return y;
}

/** Mean squared error between two planes of equal length. */
export function planeMse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new Error(`MSE: planes differ in length (${a.length} vs ${b.length})`);
  }
  if (a.length === 0) throw new Error('MSE: planes are empty');
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  return sum / a.length;
}

/** 10·log10(255²/mse), capped at `PSNR_CAP_DB` (so mse 0 gives the cap). */
export function psnrFromMse(mse: number): number {
  if (!(mse >= 0)) throw new Error(`PSNR: MSE must be a non-negative number, got ${mse}`);
  if (mse === 0) return PSNR_CAP_DB;
  return Math.min(PSNR_CAP_DB, 10 * Math.log10((PEAK * PEAK) / mse));
}

/** PSNR of the mean of per-frame MSEs (not the mean of per-frame PSNRs). */
export function pooledPsnr(perFrameMse: readonly number[]): number {
  if (perFrameMse.length === 0) throw new Error('PSNR: no frames to pool');
  let sum = 0;
  for (const mse of perFrameMse) sum += mse;
  return psnrFromMse(sum / perFrameMse.length);
}

export interface BitStats {
  readonly total_bytes: number;
  readonly bitrate_kbps: number;
  readonly bits_per_pixel: number;
}

/** Bitrate at the clip's frame rate and bits per pixel, from counted bytes. */
export function bitStats(
  frameBytes: readonly number[],
  width: number,
  height: number,
  fps: number,
): BitStats {
  checkGeometry(width, height, fps);
  const frames = frameBytes.length;
  if (frames === 0) throw new Error('bit stats: no frames');
  let totalBytes = 0;
  frameBytes.forEach((bytes, i) => {
    if (!Number.isSafeInteger(bytes) || bytes < 0) {
      throw new Error(
        `bit stats: frame ${i} has ${bytes} counted bytes; expected a non-negative integer`,
      );
    }
    totalBytes += bytes;
  });
  const totalBits = 8 * totalBytes;
  const seconds = frames / fps;
  return {
    total_bytes: totalBytes,
    bitrate_kbps: totalBits / seconds / 1000,
    bits_per_pixel: totalBits / (frames * width * height),
  };
}

/** Every metric of one decoded clip against its original. Throws on inconsistent input. */
export function computeClipMetrics(input: ClipMetricsInput): ClipMetrics {
  const { width, height, fps, original, decoded, frameBytes } = input;
  checkGeometry(width, height, fps);
  const frames = original.length;
  if (frames === 0) throw new Error('metrics: the clip has no frames');
  if (decoded.length !== frames) {
    throw new Error(`metrics: ${frames} original frames but ${decoded.length} decoded frames`);
  }
  if (frameBytes.length !== frames) {
    throw new Error(`metrics: ${frames} frames but ${frameBytes.length} per-frame byte counts`);
  }
  original.forEach((frame, i) => checkFrame(frame, width, height, `original frame ${i}`));
  decoded.forEach((frame, i) => checkFrame(frame, width, height, `decoded frame ${i}`));
  const bits = bitStats(frameBytes, width, height, fps);

  const ssim = new SsimCalculator(width, height);
  const blocks = new BlockErrorCalculator(width, height);
  let worstBlock: { at: BlockAt; frame: number; mse: number } | null = null;
  const mseY: number[] = [];
  const mseU: number[] = [];
  const mseV: number[] = [];
  const perFrameSsim: number[] = [];
  for (let i = 0; i < frames; i++) {
    const ref = bgrToYuv(original[i]!, width, height);
    const out = bgrToYuv(decoded[i]!, width, height);
    // The plane's MSE and its blocks' in one pass (the same sum, in the same order, as planeMse).
    const luma = blocks.measure(ref.y, out.y);
    mseY.push(luma.mse);
    if (worstBlock === null || luma.worstMse > worstBlock.mse) {
      worstBlock = { at: luma.worst, frame: i, mse: luma.worstMse };
    }
    mseU.push(planeMse(ref.u, out.u));
    mseV.push(planeMse(ref.v, out.v));
    perFrameSsim.push(ssim.compute(ref.y, out.y));
  }

  if (worstBlock === null) throw new Error('metrics: the clip has no frames');
  const perFramePsnrY = mseY.map(psnrFromMse);
  const psnrY = pooledPsnr(mseY);
  const psnrU = pooledPsnr(mseU);
  const psnrV = pooledPsnr(mseV);
  return {
    frames,
    width,
    height,
    fps,
    ...bits,
    psnr_y_db: psnrY,
    worst_psnr_y_db: perFramePsnrY.reduce((a, b) => Math.min(a, b)),
    worst_block_psnr_y_db: psnrFromMse(worstBlock.mse),
    worst_block: { frame: worstBlock.frame, x: worstBlock.at.x, y: worstBlock.at.y },
    psnr_u_db: psnrU,
    psnr_v_db: psnrV,
    psnr_yuv_db: (6 * psnrY + psnrU + psnrV) / 8,
    ssim_y: perFrameSsim.reduce((s, x) => s + x, 0) / frames,
    per_frame_psnr_y_db: perFramePsnrY,
    per_frame_ssim_y: perFrameSsim,
  };
}

function checkGeometry(width: number, height: number, fps: number): void {
  if (!Number.isSafeInteger(width) || width <= 0 || !Number.isSafeInteger(height) || height <= 0) {
    throw new Error(`metrics: width and height must be positive integers, got ${width}x${height}`);
  }
  if (!Number.isFinite(fps) || fps <= 0) {
    throw new Error(`metrics: fps must be a positive number, got ${fps}`);
  }
}

function checkFrame(frame: Uint8Array, width: number, height: number, what: string): number {
  const pixels = width * height;
  if (frame.length !== pixels * 3) {
    throw new Error(
      `metrics: ${what} has ${frame.length} bytes; a ${width}x${height} BGR frame has ${pixels * 3}`,
    );
  }
  return pixels;
}
