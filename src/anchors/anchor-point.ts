/**
 * What an anchor measurement is (docs/ARCHITECTURE.md §3 "Score"): the reference codecs every candidate is
 * compared with, measured on the same clips. Shared by the ffmpeg and JPEG anchors, the cache
 * and the table. Pure.
 */
import { CodecLabError, type ErrorCode } from '../errors.js';

/**
 * Every anchor, in the order tables, JSON objects and the prompt list them: the naive codec,
 * then the ffmpeg encoders from oldest to newest standard.
 */
export const ANCHOR_NAMES = ['jpeg', 'x264', 'x265', 'vp9', 'av1'] as const;
export type AnchorName = (typeof ANCHOR_NAMES)[number];
export type FfmpegAnchorName = Exclude<AnchorName, 'jpeg'>;
export const FFMPEG_ANCHOR_NAMES = ANCHOR_NAMES.filter(
  (name): name is FfmpegAnchorName => name !== 'jpeg',
);

/** One value per anchor, in ANCHOR_NAMES order. */
export function perAnchor<T>(value: (anchor: AnchorName) => T): Record<AnchorName, T> {
  return Object.fromEntries(ANCHOR_NAMES.map((anchor) => [anchor, value(anchor)])) as Record<
    AnchorName,
    T
  >;
}

/** The x264 and x265 speed presets `--anchor-preset` chooses from. */
export const X26X_PRESETS = ['medium', 'slow'] as const;
export type X26xPreset = (typeof X26X_PRESETS)[number];
export const DEFAULT_X26X_PRESET: X26xPreset = 'medium';

/** The clip-level figures kept for an anchor point (snake_case: printed and stored as JSON). */
export interface AnchorMetrics {
  readonly total_bytes: number;
  readonly bitrate_kbps: number;
  readonly bits_per_pixel: number;
  readonly psnr_y_db: number;
  readonly worst_psnr_y_db: number;
  readonly psnr_yuv_db: number;
  readonly ssim_y: number;
}

export const ANCHOR_METRIC_KEYS = [
  'total_bytes',
  'bitrate_kbps',
  'bits_per_pixel',
  'psnr_y_db',
  'worst_psnr_y_db',
  'psnr_yuv_db',
  'ssim_y',
] as const satisfies ReadonlyArray<keyof AnchorMetrics>;

/** A JPEG anchor point: `quality` in [0, 1], as candidate codecs are driven. */
export interface JpegAnchorPoint extends AnchorMetrics {
  readonly quality: number;
}

/** An ffmpeg anchor's point (x264, x265, VP9, AV1): the constant rate factor it was encoded at. */
export interface FfmpegAnchorPoint extends AnchorMetrics {
  readonly crf: number;
}

export type AnchorPoint = JpegAnchorPoint | FfmpegAnchorPoint;

export interface AnchorPoints {
  readonly jpeg: readonly JpegAnchorPoint[];
  readonly x264: readonly FfmpegAnchorPoint[];
  readonly x265: readonly FfmpegAnchorPoint[];
  readonly vp9: readonly FfmpegAnchorPoint[];
  readonly av1: readonly FfmpegAnchorPoint[];
}

/** The knob an anchor's points are measured at, as a label: `q 0.50` or `crf 24`. */
export function settingLabel(point: AnchorPoint): string {
  return 'crf' in point ? `crf ${point.crf}` : `q ${point.quality.toFixed(2)}`;
}

/** Keeps only the `AnchorMetrics` fields of a fuller metrics object. */
export function pickAnchorMetrics(metrics: AnchorMetrics): AnchorMetrics {
  return {
    total_bytes: metrics.total_bytes,
    bitrate_kbps: metrics.bitrate_kbps,
    bits_per_pixel: metrics.bits_per_pixel,
    psnr_y_db: metrics.psnr_y_db,
    worst_psnr_y_db: metrics.worst_psnr_y_db,
    psnr_yuv_db: metrics.psnr_yuv_db,
    ssim_y: metrics.ssim_y,
  };
}

export type JsonValue =
  string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * Everything that decides an anchor's result on a given clip. Its hash names the cache file, so
 * anything left out of here would let a stale result be served.
 */
export interface AnchorSettings {
  readonly anchor: AnchorName;
  /** CRFs (the ffmpeg anchors) or qualities (jpeg), in measuring order. */
  readonly levels: readonly number[];
  /** Codec, preset, exact arguments, tool versions, codec file hash, sandbox image… */
  readonly details: { readonly [key: string]: JsonValue };
}

export type AnchorErrorCode = Extract<
  ErrorCode,
  | 'USAGE'
  | 'FFMPEG_UNAVAILABLE'
  | 'FFMPEG_UNSUITABLE'
  | 'FFMPEG_FAILED'
  | 'FFMPEG_TIMEOUT'
  | 'FRAME_COUNT_MISMATCH'
  | 'JPEG_ANCHOR_FAILED'
>;

/**
 * Infrastructure failure while measuring an anchor: anchors are trusted reference codecs, so
 * unlike a candidate's failure this is never data. Branch on `code`, not on the message.
 */
export class AnchorError extends CodecLabError {
  override readonly name = 'AnchorError';
  declare readonly code: AnchorErrorCode;

  constructor(code: AnchorErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
