/**
 * Reads the first video stream's geometry and frame rate from what `ffmpeg -i
 * FILE` prints on stderr. Pure. The ffmpeg shipped by @ffmpeg-installer has no
 * ffprobe, so this text is the one probe available everywhere.
 */
import type { PixelInfo } from './bgr-conversion.js';

export interface VideoStreamInfo extends PixelInfo {
  /** The `-map` specifier of the stream, e.g. `0:0`. */
  readonly map: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  /** The codec name, e.g. `h264`, for messages. */
  readonly codec: string;
}

export type ProbeResult =
  | { readonly ok: true; readonly stream: VideoStreamInfo }
  | {
      readonly ok: false;
      readonly reason: 'no_video_stream' | 'no_size' | 'no_frame_rate';
      readonly line?: string;
    };

// `Stream #0:0: Video: …`, `Stream #0:0(und): Video: …`, `Stream #0:1[0x2](eng): Video: …`
const STREAM_LINE = /^\s*Stream #(\d+):(\d+)(?:\[[^\]]*\])?(?:\([^)]*\))?: Video: (.*)$/;
// A size token such as `768x576`; codec tags like `0x31637661` start with 0 and are skipped.
const SIZE = /(?<![\w.])([1-9]\d*)x([1-9]\d*)(?![\w.])/;
// The pixel format is the token just before the size: `yuv420p10le(tv, bt709, progressive), 1920x1080`.
const PIXEL_FORMAT = /,\s*([a-z][a-z0-9_]*)(?:\(([^)]*)\))?,\s*[1-9]\d*x[1-9]\d*/;
const RATE = (unit: string): RegExp =>
  new RegExp(`(?:^|[\\s,])(\\d+(?:\\.\\d+)?)(k?) ${unit}(?![\\w])`);

export function parseFfmpegProbe(stderr: string): ProbeResult {
  let firstProblem: ProbeResult | undefined;
  for (const line of stderr.split(/\r?\n/)) {
    const match = STREAM_LINE.exec(line);
    if (!match) continue;
    const details = match[3]!;
    // Cover art in mp4/mkv shows up as a one-frame video stream.
    if (/\(attached pic\)|\(thumbnail\)/.test(details)) continue;
    const result = parseVideoDetails(`${match[1]!}:${match[2]!}`, details, line.trim());
    if (result.ok) return result;
    firstProblem ??= result;
  }
  return firstProblem ?? { ok: false, reason: 'no_video_stream' };
}

function parseVideoDetails(map: string, details: string, line: string): ProbeResult {
  const size = SIZE.exec(details);
  if (!size) return { ok: false, reason: 'no_size', line };
  const fps = readRate(details, 'fps') ?? readRate(details, 'tbr');
  if (fps === undefined) return { ok: false, reason: 'no_frame_rate', line };
  const codec = /^([\w-]+)/.exec(details)?.[1] ?? 'unknown';
  return {
    ok: true,
    stream: {
      map,
      width: Number(size[1]),
      height: Number(size[2]),
      fps,
      codec,
      ...parsePixelInfo(details),
    },
  };
}

/** The pixel format and the declared range and colour space, where ffmpeg prints them. */
export function parsePixelInfo(details: string): PixelInfo {
  const match = PIXEL_FORMAT.exec(details);
  if (!match) return { pixelFormat: null, colorRange: null, colorSpace: null };
  const tokens = (match[2] ?? '').split(',').map((t) => t.trim());
  const range = tokens.find((t) => t === 'tv' || t === 'pc');
  // `bt709`, or `bt470bg/bt470bg/smpte170m` (space/primaries/transfer); field order is words.
  const colour = tokens.find(
    (t) => /^[a-z0-9]+(?:\/[\w-]+\/[\w-]+)?$/.test(t) && !FIELD_ORDER.has(t) && t !== range,
  );
  const space = colour?.split('/')[0];
  return {
    pixelFormat: match[1]!,
    colorRange: range === 'tv' || range === 'pc' ? range : null,
    colorSpace: space === undefined || space === 'unknown' ? null : space,
  };
}

const FIELD_ORDER = new Set(['progressive', 'tt', 'bb', 'tb', 'bt']);

function readRate(details: string, unit: 'fps' | 'tbr'): number | undefined {
  const match = RATE(unit).exec(details);
  if (!match) return undefined;
  const value = Number(match[1]) * (match[2] === 'k' ? 1000 : 1);
  return Number.isFinite(value) && value > 0 ? snapNtscRate(value) : undefined;
}

/**
 * ffmpeg prints rates with two decimals, so 30000/1001 reads as 29.97; the
 * exact NTSC rate keeps bitrates exact.
 */
function snapNtscRate(printed: number): number {
  for (const nominal of [24, 30, 48, 60, 120]) {
    const exact = (nominal * 1000) / 1001;
    if (Math.abs(printed - exact) < 0.006) return exact;
  }
  return printed;
}
