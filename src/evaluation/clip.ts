/** A test clip held in memory, how to read one, and the pure decisions about it. */
import { CodecLabError, type ErrorCode } from '../errors.js';

import type { RawVideoFormat } from './raw-video.js';

export interface Clip {
  /** Short, unique within a clip set; used in reports and file names. */
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  /** Each `width*height*3` bytes, interleaved B, G, R (OpenCV order). */
  readonly frames: readonly Buffer[];
  /** Where the frames came from (an absolute path). */
  readonly source: string;
  /** How the decoded pictures became 8-bit BGR (bgr-conversion.ts), where a reader knows. */
  readonly conversion?: string;
}

export interface ClipReadOptions {
  /** Read at most this many frames (positive integer). */
  readonly maxFrames: number;
  /** Crop centred to at most this width (the result is always even). */
  readonly maxWidth?: number;
  /** Crop centred to at most this height (the result is always even). */
  readonly maxHeight?: number;
  /** Skip this many frames first (default 0). */
  readonly startFrame?: number;
  /** What raw (headerless `.yuv`) files hold; other files ignore it (raw-video.ts). */
  readonly raw?: RawVideoFormat;
}

/** Reads one video file (or image-sequence pattern) into a `Clip`. */
export interface ClipReader {
  read(path: string, options: ClipReadOptions): Promise<Clip>;
}

export type ClipReadErrorCode = Extract<
  ErrorCode,
  | 'USAGE'
  | 'CLIP_NOT_FOUND'
  | 'CLIP_UNREADABLE'
  | 'CLIP_NO_VIDEO'
  | 'CLIP_EMPTY'
  | 'FFMPEG_UNAVAILABLE'
  | 'FFMPEG_FAILED'
  | 'FFMPEG_TIMEOUT'
>;

/** Infrastructure failure while reading clips; branch on `code`, not on the message. */
export class ClipReadError extends CodecLabError {
  override readonly name = 'ClipReadError';
  declare readonly code: ClipReadErrorCode;

  constructor(code: ClipReadErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

export interface CropRect {
  readonly width: number;
  readonly height: number;
  readonly x: number;
  readonly y: number;
}

/**
 * The centred crop to at most `maxWidth`×`maxHeight`, with even dimensions
 * (codecs commonly subsample chroma 2:1): even without limits, an odd
 * dimension loses one column or row.
 */
export function centredCrop(
  width: number,
  height: number,
  maxWidth?: number,
  maxHeight?: number,
): CropRect {
  const outWidth = evenAtMost(width, maxWidth);
  const outHeight = evenAtMost(height, maxHeight);
  if (outWidth < 2 || outHeight < 2) {
    throw new ClipReadError(
      'USAGE',
      `a ${width}x${height} video cropped to at most ${maxWidth ?? width}x${maxHeight ?? height} leaves no even-sized picture; use a larger video or larger limits`,
    );
  }
  return {
    width: outWidth,
    height: outHeight,
    x: Math.floor((width - outWidth) / 2),
    y: Math.floor((height - outHeight) / 2),
  };
}

function evenAtMost(size: number, limit: number | undefined): number {
  const capped = limit === undefined ? size : Math.min(size, limit);
  return capped - (capped % 2);
}

/** Throws `invalid_options` naming every bad setting at once. */
export function checkClipReadOptions(options: ClipReadOptions): void {
  const problems: string[] = [];
  if (!Number.isSafeInteger(options.maxFrames) || options.maxFrames < 1) {
    problems.push(`maxFrames must be a positive integer (got ${options.maxFrames})`);
  }
  if (
    options.startFrame !== undefined &&
    (!Number.isSafeInteger(options.startFrame) || options.startFrame < 0)
  ) {
    problems.push(`startFrame must be a non-negative integer (got ${options.startFrame})`);
  }
  for (const key of ['maxWidth', 'maxHeight'] as const) {
    const value = options[key];
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 2)) {
      problems.push(`${key} must be an integer of at least 2 (got ${value})`);
    }
  }
  if (problems.length > 0) {
    throw new ClipReadError('USAGE', `bad clip read options: ${problems.join('; ')}`);
  }
}

/**
 * The segment of each clip from frame `start` (`--start`), at most `frames` long: how a
 * prepared set, already in memory, honours the flags a reader honours when it decodes.
 */
export function clipSegment(
  clips: readonly Clip[],
  frames: number | undefined,
  start: number = 0,
): Clip[] {
  return clips.map((clip) => {
    if (start >= clip.frames.length) {
      throw new ClipReadError(
        'USAGE',
        `--start ${start} is past the end of clip ${clip.name} (${clip.frames.length} frames, numbered from 0); choose a smaller --start`,
      );
    }
    const end = frames === undefined ? undefined : start + frames;
    return { ...clip, frames: clip.frames.slice(start, end) };
  });
}
