/**
 * Raw, headerless YUV files (`.yuv`): nothing in the file says its picture size, sample layout
 * or frame rate, so the user states them (`--size 352x288 --pix-fmt yuv420p --fps 30`) and
 * these pure checks hold them to it. Y4M carries the same facts in its header.
 */
import path from 'node:path';

import { CodecLabError } from '../errors.js';

import { ClipReadError } from './clip.js';

/** Extensions read as raw video, lower case with the dot. */
export const RAW_VIDEO_EXTENSIONS: readonly string[] = ['.yuv'];

/** One sample layout: chroma subsampling (as shifts) and bytes per sample. */
interface RawLayout {
  /** log2 of the horizontal and vertical chroma subsampling; null: no chroma planes. */
  readonly chromaShift: readonly [number, number] | null;
  readonly bytesPerSample: 1 | 2;
}

/** The planar layouts accepted with `--pix-fmt`, named as ffmpeg names them. */
const LAYOUTS = {
  yuv420p: { chromaShift: [1, 1], bytesPerSample: 1 },
  yuv422p: { chromaShift: [1, 0], bytesPerSample: 1 },
  yuv444p: { chromaShift: [0, 0], bytesPerSample: 1 },
  yuv420p10le: { chromaShift: [1, 1], bytesPerSample: 2 },
  yuv422p10le: { chromaShift: [1, 0], bytesPerSample: 2 },
  yuv444p10le: { chromaShift: [0, 0], bytesPerSample: 2 },
  yuv420p12le: { chromaShift: [1, 1], bytesPerSample: 2 },
  gray: { chromaShift: null, bytesPerSample: 1 },
  gray10le: { chromaShift: null, bytesPerSample: 2 },
} as const satisfies Record<string, RawLayout>;

export type RawPixelFormat = keyof typeof LAYOUTS;
export const RAW_PIXEL_FORMATS = Object.keys(LAYOUTS) as readonly RawPixelFormat[];

/** What the user says a raw file holds. */
export interface RawVideoFormat {
  readonly width: number;
  readonly height: number;
  readonly pixelFormat: RawPixelFormat;
  /** Frames per second as a number (bitrates use it)… */
  readonly fps: number;
  /** …and as given (`30`, `29.97`, `30000/1001`), which ffmpeg reads exactly. */
  readonly fpsText: string;
}

/** The flags as typed; all three or none. */
export interface RawVideoFlags {
  readonly size?: string | undefined;
  readonly pixFmt?: string | undefined;
  readonly fps?: string | undefined;
}

export const RAW_FLAGS_HELP = '--size WxH --pix-fmt yuv420p --fps 30';

export function isRawVideoPath(file: string): boolean {
  return RAW_VIDEO_EXTENSIONS.includes(path.extname(file).toLowerCase());
}

/**
 * The raw format the flags describe, undefined when none is given. Every problem is reported
 * at once; a partial set is refused (a size without a layout cannot be read).
 */
export function rawVideoFormat(flags: RawVideoFlags): RawVideoFormat | undefined {
  const given = [flags.size, flags.pixFmt, flags.fps].filter((f) => f !== undefined);
  if (given.length === 0) return undefined;
  const problems: string[] = [];
  const missing = (
    [
      ['--size', flags.size],
      ['--pix-fmt', flags.pixFmt],
      ['--fps', flags.fps],
    ] as const
  )
    .filter(([, value]) => value === undefined)
    .map(([name]) => name);
  if (missing.length > 0) {
    problems.push(`a raw video needs all of ${RAW_FLAGS_HELP}; missing ${missing.join(', ')}`);
  }
  const size =
    flags.size === undefined ? undefined : attempt(problems, () => parseFrameSize(flags.size!));
  const pixelFormat =
    flags.pixFmt === undefined
      ? undefined
      : attempt(problems, () => parsePixelFormat(flags.pixFmt!));
  const fps =
    flags.fps === undefined ? undefined : attempt(problems, () => parseFrameRate(flags.fps!));
  if (problems.length > 0 || size === undefined || pixelFormat === undefined || fps === undefined) {
    throw new CodecLabError('USAGE', problems.join('; '));
  }
  return { ...size, pixelFormat, fps, fpsText: flags.fps!.trim() };
}

function attempt<T>(problems: string[], parse: () => T): T | undefined {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof CodecLabError)) throw err;
    problems.push(err.message);
    return undefined;
  }
}

/** `352x288` → 352 × 288; positive integers only. */
export function parseFrameSize(text: string): { width: number; height: number } {
  const match = /^\s*([1-9]\d{0,5})x([1-9]\d{0,5})\s*$/i.exec(text);
  if (!match) {
    throw new CodecLabError('USAGE', `--size takes WIDTHxHEIGHT, e.g. 352x288 (got '${text}')`);
  }
  return { width: Number(match[1]), height: Number(match[2]) };
}

export function parsePixelFormat(text: string): RawPixelFormat {
  const name = text.trim().toLowerCase();
  if (Object.hasOwn(LAYOUTS, name)) return name as RawPixelFormat;
  throw new CodecLabError(
    'USAGE',
    `--pix-fmt takes one of ${RAW_PIXEL_FORMATS.join(', ')} (got '${text}'); convert other layouts with ffmpeg first, e.g. to Y4M`,
  );
}

/** `30`, `29.97` or `30000/1001`. */
export function parseFrameRate(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)(?:\/([1-9]\d*))?\s*$/.exec(text);
  const value = match ? Number(match[1]) / (match[2] === undefined ? 1 : Number(match[2])) : NaN;
  if (!Number.isFinite(value) || value <= 0 || value > 1000) {
    throw new CodecLabError(
      'USAGE',
      `--fps takes a frame rate such as 30, 29.97 or 30000/1001 (got '${text}')`,
    );
  }
  return value;
}

/** Bytes of one frame: the luma plane plus two chroma planes (rounded up, as ffmpeg does). */
export function rawFrameBytes(format: RawVideoFormat): number {
  const layout: RawLayout = LAYOUTS[format.pixelFormat];
  const luma = format.width * format.height;
  if (layout.chromaShift === null) return luma * layout.bytesPerSample;
  const [sx, sy] = layout.chromaShift;
  const chroma = Math.ceil(format.width / 2 ** sx) * Math.ceil(format.height / 2 ** sy);
  return (luma + 2 * chroma) * layout.bytesPerSample;
}

/**
 * Refuses a file whose size is not a whole number of frames: the usual sign of a wrong
 * `--size` or `--pix-fmt`, which would otherwise read as shifted, striped pictures.
 */
export function checkRawFileSize(file: string, bytes: number, format: RawVideoFormat): number {
  const frameBytes = rawFrameBytes(format);
  if (bytes === 0 || bytes % frameBytes !== 0) {
    throw new ClipReadError(
      'CLIP_UNREADABLE',
      `${file} is ${bytes} bytes, not a whole number of ${format.width}x${format.height} ${format.pixelFormat} frames (${frameBytes} bytes each); check --size and --pix-fmt`,
    );
  }
  return bytes / frameBytes;
}

/** The ffmpeg options before `-i` that make it read the file as the user described it. */
export function rawInputArgs(format: RawVideoFormat): string[] {
  return [
    '-f',
    'rawvideo',
    '-pixel_format',
    format.pixelFormat,
    '-video_size',
    `${format.width}x${format.height}`,
    '-framerate',
    format.fpsText,
  ];
}

/** For settings and messages: `352x288 yuv420p @ 30 fps`. */
export function describeRawFormat(format: RawVideoFormat): string {
  return `${format.width}x${format.height} ${format.pixelFormat} @ ${format.fpsText} fps`;
}
